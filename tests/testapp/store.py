"""What the shop's handlers change, in memory, so tests can look at it."""

from __future__ import annotations

from typing import Any

orders: list[str] = []
event_store: list[Any] = []
outbox: list[str] = []


def reset() -> None:
    """Forget every order, stored event and sent e-mail."""
    orders.clear()
    event_store.clear()
    outbox.clear()
