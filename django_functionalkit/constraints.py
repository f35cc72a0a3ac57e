"""Field constraints declared once, in a message's type, with annotated-types' vocabulary::

    from typing import Annotated
    from annotated_types import Ge, Le, MaxLen
    from django_functionalkit import Pattern

    @dataclass(frozen=True)
    class ListBooks(Query[PagedResult[BookDto]]):
        page: Annotated[int, Ge(1)] = 1
        page_size: Annotated[int, Ge(1), Le(100)] = 20
        isbn: Annotated[str, Pattern(r"^\\d{13}$")] | None = None
        tags: Annotated[list[Annotated[str, MaxLen(20)]], MaxLen(5)] = field(default_factory=list)

``Ge``, ``Gt``, ``Le``, ``Lt`` (and ``Interval``) bound numbers; ``MinLen``, ``MaxLen`` (and
``Len``) bound the length of text and lists; ``Pattern`` is this library's, as annotated-types
has no pattern. The message serializers enforce them and the OpenAPI schema publishes them.
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass
from typing import Any, TypeAlias

from annotated_types import BaseMetadata, Ge, GroupedMetadata, Gt, Le, Lt, MaxLen, MinLen

__all__ = ["Constraint", "Pattern", "constraints_of"]


@dataclass(frozen=True, slots=True)
class Pattern:
    """Text that contains a match of ``pattern`` (JSON Schema's ``pattern``, searched, not
    matched: anchor it with ``^...$`` to constrain the whole value)."""

    pattern: str

    def __post_init__(self) -> None:
        re.compile(self.pattern)  # a typo fails where the message is declared


Constraint: TypeAlias = Ge | Gt | Le | Lt | MinLen | MaxLen | Pattern
_KNOWN = (Ge, Gt, Le, Lt, MinLen, MaxLen, Pattern)
_UNIONS = (typing.Union, types.UnionType)


def constraints_of(hint: Any) -> tuple[Any, tuple[Constraint, ...]]:
    """The type under ``Annotated`` (``None`` removed from an optional) and its constraints.

    ``hint`` is read with ``typing.get_type_hints(..., include_extras=True)``. Other metadata
    (a string, a ``Doc``) is left alone; an annotated-types constraint the library cannot
    enforce is a ``TypeError``, so no declared constraint is silently ignored.
    """
    hint = _without_none(hint)
    found: list[Constraint] = []
    while typing.get_origin(hint) is typing.Annotated:
        for meta in hint.__metadata__:
            found.extend(_flattened(meta))
        hint = _without_none(hint.__origin__)
    return hint, tuple(found)


def _flattened(meta: Any) -> list[Constraint]:
    if isinstance(meta, _KNOWN):
        return [meta]
    if isinstance(meta, GroupedMetadata):  # Interval, Len: their parts
        return [c for part in meta for c in _flattened(part)]
    if isinstance(meta, BaseMetadata):
        raise TypeError(
            f"{meta!r} is not enforced by django-functionalkit: use Ge, Gt, Le, Lt, MinLen, "
            "MaxLen or Pattern, or check it in the message's validate()."
        )
    return []


def _without_none(hint: Any) -> Any:
    """``X`` for ``X | None``; any other hint as it is."""
    if typing.get_origin(hint) in _UNIONS:
        present = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if len(present) == 1:
            return present[0]
    return hint
