"""What Python tells of classes and functions, as the library names and walks them.

One spelling of a name (``module.QualName``) in errors, logs, checks, audit entries, the admin
and ``list_handlers``, and one walk of a class's subclasses.
"""

from __future__ import annotations

from typing import Any, TypeVar

__all__ = ["dotted_name", "subclasses"]

T = TypeVar("T")


def dotted_name(value: Any) -> str:
    """``module.QualName`` of a class or function; of its type for anything else."""
    module = getattr(value, "__module__", None) or "?"
    return f"{module}.{getattr(value, '__qualname__', type(value).__qualname__)}"


def subclasses(cls: type[T]) -> list[type[T]]:
    """Every subclass of ``cls`` at any depth, each once, parents before their children."""
    found: dict[type[T], None] = {}
    stack = list(reversed(cls.__subclasses__()))
    while stack:
        sub = stack.pop()
        if sub not in found:
            found[sub] = None
            stack.extend(reversed(sub.__subclasses__()))
    return list(found)
