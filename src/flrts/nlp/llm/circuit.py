"""An in-process circuit breaker, so a dead or rate-limited model doesn't slow every message.

Closed: calls go through. After `failures` consecutive failures it opens: calls are refused at
once (the offline parser answers without waiting on a timeout) for `seconds`. Then it is
half-open: exactly one trial call goes through; success closes it, failure re-opens it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Literal

State = Literal["closed", "open", "half_open"]


class CircuitBreaker:
    def __init__(
        self,
        failures: int = 5,
        seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failures = failures
        self.seconds = seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._consecutive = 0
        self._opened_at: float | None = None
        self._trial_in_flight = False

    @property
    def state(self) -> State:
        with self._lock:
            return self._state()

    def _state(self) -> State:
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at >= self.seconds:
            return "half_open"
        return "open"

    def allow(self) -> bool:
        """May a call go out now? In half-open, only the first caller gets the trial."""
        with self._lock:
            state = self._state()
            if state == "closed":
                return True
            if state == "half_open" and not self._trial_in_flight:
                self._trial_in_flight = True
                return True
            return False

    def retry_in(self) -> float:
        """Seconds until the next trial is allowed (0 when closed or half-open)."""
        with self._lock:
            if self._opened_at is None:
                return 0.0
            return max(0.0, self.seconds - (self._clock() - self._opened_at))

    def record_success(self) -> None:
        with self._lock:
            self._consecutive = 0
            self._opened_at = None
            self._trial_in_flight = False

    def record_failure(self) -> None:
        with self._lock:
            self._consecutive += 1
            was_trial = self._trial_in_flight
            self._trial_in_flight = False
            if was_trial or self._consecutive >= self.failures:
                self._opened_at = self._clock()

    def release(self) -> None:
        """A call ended in a way that says nothing about the service's health; free the trial."""
        with self._lock:
            self._trial_in_flight = False

    def reset(self) -> None:
        self.record_success()


_registry: dict[tuple[str, str, int, float], CircuitBreaker] = {}
_registry_lock = threading.Lock()


def breaker_for(base_url: str, model: str, failures: int, seconds: float) -> CircuitBreaker:
    """The process-wide breaker for one endpoint and model (shared by every parser instance)."""
    key = (base_url, model, failures, seconds)
    with _registry_lock:
        breaker = _registry.get(key)
        if breaker is None:
            breaker = _registry[key] = CircuitBreaker(failures, seconds)
        return breaker


def reset_breakers() -> None:
    """Forget all breakers (tests, or after an admin changes the LLM settings)."""
    with _registry_lock:
        _registry.clear()
