"""The offline parser: deterministic rules, no network. See docs/nlp.md for the rules."""

from flrts.nlp.offline.parser import OfflineParser

__all__ = ["OfflineParser"]
