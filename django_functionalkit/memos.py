"""Values worked out once per key and kept until the settings or the registrations change.

A memo is a plain dict, emptied whenever ``FUNCTIONALKIT`` changes (``override_settings``) or a
handler is registered or removed (``override_handler``), as the messenger's pipelines are: what
it remembers (a message's serializer, whether its handler returns a ``Result``) may be built
from either. Every module-level cache of the package is one, so none outlives what it read.
"""

from __future__ import annotations

from typing import TypeVar

from . import conf
from .registry import registry

__all__ = ["memo"]

K = TypeVar("K")
V = TypeVar("V")


def memo() -> dict[K, V]:  # the annotation of the name it is bound to picks K and V
    """An empty dict that forgets its entries when settings or registrations change."""
    found: dict[K, V] = {}
    conf.on_change(found.clear)
    registry.on_change(found.clear)
    return found
