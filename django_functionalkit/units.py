"""``Unit``: the result of a command that returns nothing worth reading. ``unit`` is its value."""

from __future__ import annotations

from typing import Any, Final

__all__ = ["Unit", "unit"]


class Unit:
    """The one value of a command that only does something; ``Unit()`` is ``unit``."""

    __slots__ = ()
    _instance: Unit | None = None

    def __new__(cls) -> Unit:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "unit"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Unit, ())


unit: Final = Unit()
