"""How a background handler retries: ``RetryPolicy`` and the full-jitter backoff it schedules."""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["PermanentError", "RetryPolicy"]


class PermanentError(Exception):
    """Raised by a background handler whose failure no retry can mend: its delivery is dead."""


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` runs at most, waiting a random 0 to ``min(backoff_cap, backoff_base * 2**n)``
    seconds after the n-th failure (full jitter, so retries of one outage spread out)."""

    attempts: int = 5
    backoff_base: float = 1.0
    backoff_cap: float = 300.0

    def __post_init__(self) -> None:
        if isinstance(self.attempts, bool) or not isinstance(self.attempts, int):
            raise TypeError(f"RetryPolicy.attempts is a whole number, got {self.attempts!r}")
        if self.attempts < 1:
            raise ValueError(f"RetryPolicy.attempts is at least 1, got {self.attempts}")
        for name in ("backoff_base", "backoff_cap"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"RetryPolicy.{name} is a number of seconds >= 0, got {value!r}")

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1 for the first run)."""
        return random.uniform(0, min(self.backoff_cap, self.backoff_base * 2**attempt))  # noqa: S311 - jitter, not secrets
