"""A handlers module that registers a handler, then fails: the registration must not stay."""

from __future__ import annotations

from django_functionalkit import handler

from .messages import OrderPlaced


@handler
def half_registered(event: OrderPlaced) -> None:
    raise AssertionError("a handler from a module that failed to import must not run")


raise RuntimeError("half_broken_handlers fails after registering")
