"""The page fields of a message that returns pages: bounded where the request is read.

A list action whose message returns a ``PagedResult`` and has ``page`` / ``page_size`` int
fields gets them checked by its serializer (page >= 1, 1 <= page_size <= ``MAX_PAGE_SIZE``), so
a bad page is a 400 with field errors before the handler runs, and the schema publishes the
bounds. ``PagedResult.of`` checks the same in the handler, for messages sent without a view.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from typing import Any

from django_functionalkit.conf import fk_settings
from django_functionalkit.declarations import declared_result, is_result
from django_functionalkit.messages import Message
from django_functionalkit.paging import PAGE_TOO_LOW, SIZE_TOO_HIGH, SIZE_TOO_LOW, PagedResult

__all__ = ["page_field_kwargs", "returns_pages"]


def returns_pages(message_type: type[Message]) -> bool:
    """Whether the message declares a ``PagedResult``, maybe inside a ``Result``."""
    return _pages(declared_result(message_type))


def _pages(result: Any) -> bool:
    origin = typing.get_origin(result) or result
    if isinstance(origin, type) and issubclass(origin, PagedResult):
        return True
    return is_result(result) and any(_pages(arg) for arg in typing.get_args(result)[:1])


def page_field_kwargs(
    message_type: type[Message], hints: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """Serializer kwargs bounding the plain ``int`` page fields of a message that returns
    pages; a field whose metadata sets a bound of its own keeps it."""
    if not returns_pages(message_type):
        return {}
    size_messages = {"min_value": SIZE_TOO_LOW, "max_value": SIZE_TOO_HIGH}
    bounds: dict[str, dict[str, Any]] = {
        "page": {"min_value": 1, "error_messages": {"min_value": PAGE_TOO_LOW}},
        "page_size": {
            "min_value": 1,
            "max_value": int(fk_settings.MAX_PAGE_SIZE),
            "error_messages": size_messages,
        },
    }
    found = {}
    for f in dataclasses.fields(message_type):  # type: ignore[arg-type]
        if f.name in bounds and hints.get(f.name) is int:
            given = f.metadata.get("serializer_kwargs", {})
            found[f.name] = {k: v for k, v in bounds[f.name].items() if k not in given}
    return found
