"""A cache that fails (Redis down) is a warning, never an error: the handler runs without it."""

from __future__ import annotations

import logging
from typing import Final

__all__ = ["failed"]

logger = logging.getLogger("django_functionalkit")

_THEN: Final = {
    "reading": "calling the handler without the cache",
    "stamping": "calling the handler without the cache",
    "writing": "its result is not cached",
    "locking": "computing it without the lock",
}


def failed(exc: Exception, alias: str, doing: str, name: str) -> None:
    """Warn that cache ``alias`` failed while ``doing`` something for ``name``, and what follows."""
    logger.warning(
        "Cache %r failed while %s %s (%s: %s); %s.",
        alias,
        doing,
        name,
        type(exc).__name__,
        exc,
        _THEN[doing],
    )
