"""The LLM parser: OpenAI (or any OpenAI-compatible server) behind one client, with fallback
signals (LLMError), a circuit breaker, cost accounting and a transcription seam."""

from flrts.nlp.llm.circuit import CircuitBreaker, breaker_for, reset_breakers
from flrts.nlp.llm.config import LLMConfig, LLMConfigError
from flrts.nlp.llm.errors import LLMError
from flrts.nlp.llm.parser import LLMParse, LLMParser, LLMUsage, transcribe
from flrts.nlp.llm.prompt import PROMPT_VERSION

__all__ = [
    "PROMPT_VERSION",
    "CircuitBreaker",
    "LLMConfig",
    "LLMConfigError",
    "LLMError",
    "LLMParse",
    "LLMParser",
    "LLMUsage",
    "breaker_for",
    "reset_breakers",
    "transcribe",
]
