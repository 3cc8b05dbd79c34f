"""The only code in FLRTS that talks to a model, through the official `openai` SDK.

Works with OpenAI and any OpenAI-compatible server (Ollama, vLLM, llama.cpp) via `base_url`.
The SDK does the retrying (429 with Retry-After, 5xx, timeouts, connection errors, up to
`max_retries`); this module turns whatever is left into one LLMError with the key scrubbed out.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import openai

from flrts.nlp.guard import mask_secrets, mask_value
from flrts.nlp.llm.config import LLMConfig
from flrts.nlp.llm.errors import ErrorKind, LLMError


@dataclass(frozen=True)
class Completion:
    """What one chat completion returned, with the usage the Parser Log records."""

    content: str | None
    refusal: str | None
    finish_reason: str | None
    model: str | None
    request_id: str | None
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    cached_tokens: int
    duration_ms: float


class LLMClient:
    def __init__(self, config: LLMConfig) -> None:
        if not config.configured:
            raise LLMError("not_configured", "No OpenAI API key is configured (openai_api_key).")
        self.config = config
        self._sdk = openai.OpenAI(
            api_key=config.api_key,
            base_url=config.base_url,
            timeout=config.timeout,
            max_retries=config.max_retries,
        )

    def __repr__(self) -> str:
        return f"LLMClient({self.config!r})"

    def close(self) -> None:
        self._sdk.close()

    def complete(
        self, messages: Sequence[dict[str, str]], response_format: dict[str, Any]
    ) -> Completion:
        """One Chat Completions call with structured output. Raises LLMError on any API failure."""
        temperature = self.config.temperature
        started = time.perf_counter()
        try:
            response = self._sdk.chat.completions.create(
                model=self.config.model,
                # Our plain dicts are exactly the SDK's TypedDict params; cast, don't copy.
                messages=cast(Any, list(messages)),
                response_format=cast(Any, response_format),
                max_completion_tokens=self.config.max_output_tokens,
                temperature=openai.omit if temperature is None else temperature,
            )
        except openai.OpenAIError as exc:
            raise self._error(exc)
        duration_ms = (time.perf_counter() - started) * 1000
        if not response.choices:
            raise LLMError("invalid_output", "The model returned no choices.")
        choice = response.choices[0]
        usage = response.usage
        details = getattr(usage, "prompt_tokens_details", None) if usage else None
        return Completion(
            content=choice.message.content,
            refusal=getattr(choice.message, "refusal", None),
            finish_reason=choice.finish_reason,
            model=response.model or None,
            request_id=response._request_id or response.id or None,
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
            total_tokens=usage.total_tokens if usage else 0,
            cached_tokens=(getattr(details, "cached_tokens", 0) or 0) if details else 0,
            duration_ms=duration_ms,
        )

    def check(self) -> int:
        """`GET /models` once, no retries, at most 10 s: the doctor's probe of key and server.
        Returns how many models the server lists; raises LLMError (kind "auth" for a refused
        key) like every other call."""
        try:
            page = self._sdk.with_options(
                timeout=min(self.config.timeout, 10.0), max_retries=0
            ).models.list()
        except openai.OpenAIError as exc:
            raise self._error(exc)
        return len(page.data)

    def transcribe(self, audio: bytes, filename: str, mime: str) -> str:
        """Speech to text via the OpenAI-compatible `POST /audio/transcriptions`."""
        try:
            result = self._sdk.with_options(
                timeout=self.config.transcription_timeout
            ).audio.transcriptions.create(
                model=self.config.transcription_model,
                file=(filename, audio, mime),
                response_format="json",
            )
        except openai.OpenAIError as exc:
            raise self._error(exc)
        text = getattr(result, "text", None)
        if not isinstance(text, str):
            raise LLMError("invalid_output", "The transcription response has no text.")
        return text.strip()

    # --- error mapping ----------------------------------------------------------------------

    def _scrub(self, message: str) -> str:
        """No key in any message: the configured one by value, pasted ones by pattern."""
        key = self.config.api_key
        if key:
            message = message.replace(key, mask_value(key))
        return mask_secrets(message)[:1000]

    def _error(self, exc: openai.OpenAIError) -> LLMError:
        message = self._scrub(str(exc) or type(exc).__name__)
        # Order matters: APITimeoutError is an APIConnectionError.
        if isinstance(exc, openai.APITimeoutError):
            return LLMError(
                "timeout", f"The model did not answer within {self.config.timeout:g} s."
            )
        if isinstance(exc, openai.APIConnectionError):
            return LLMError("connection", f"Could not reach the model server: {message}")
        if isinstance(exc, openai.LengthFinishReasonError):
            return LLMError("length", "The model's answer was cut off (finish_reason=length).")
        if isinstance(exc, openai.ContentFilterFinishReasonError):
            return LLMError("content_filter", "The model's answer was blocked by a content filter.")
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            code = _api_code(exc)
            kind: ErrorKind
            transient: bool
            if status == 429:
                kind = "rate_limit"
                # Out of credit is not going to fix itself in a minute.
                transient = code != "insufficient_quota"
            elif status >= 500:
                kind, transient = "server_error", True
            elif status in (401, 403):
                kind, transient = "auth", False
            elif status == 408:
                kind, transient = "timeout", True
            elif status in (400, 404, 422):
                kind, transient = "bad_request", False
            else:
                kind, transient = "api_error", False
            return LLMError(
                kind,
                f"HTTP {status} from the model server: {message}",
                transient=transient,
                status_code=status,
                code=code,
            )
        return LLMError("api_error", message, transient=False)


def _api_code(exc: openai.APIStatusError) -> str | None:
    code = getattr(exc, "code", None)
    if isinstance(code, str) and code:
        return code[:50]
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("code"), str):
            return str(inner["code"])[:50]
    return None
