"""Change callbacks held weakly, so that whoever subscribed can still be freed."""

from __future__ import annotations

import weakref
from collections.abc import Callable

__all__ = ["notify", "weak_callback"]

Ref = Callable[[], Callable[[], None] | None]


def weak_callback(callback: Callable[[], None]) -> Ref:
    """A reference to ``callback``: weak for a bound method, strong for a plain function."""
    if hasattr(callback, "__self__") and hasattr(callback, "__func__"):
        return weakref.WeakMethod(callback)
    return lambda: callback


def notify(refs: list[Ref]) -> list[Ref]:
    """Call every live callback; return the references still alive."""
    alive = []
    for ref in refs:
        callback = ref()
        if callback is not None:
            callback()
            alive.append(ref)
    return alive
