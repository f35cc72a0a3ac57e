"""Where cached things live: every key is under ``ns``, ``<CACHE_KEY_PREFIX>:<CACHE_VERSION>``
(the cache alias adds its own ``KEY_PREFIX`` and ``VERSION`` around the whole key)::

    ns:q:<cache_key>                 a query's entry, the same for every actor
    ns:u:<actor>:q:<cache_key>       one actor's entry (cache_per_user): user:<model>:<pk>, ...
    ns:key:<cache_key>               the generation of a key, shared by the entries of all actors
    ns:tag:<tag>                     the generation of a tag
    ns:lock:<entry>                  held while one process computes a missed entry
"""

from __future__ import annotations

import functools
import hashlib
import logging
import time
from collections.abc import Iterable
from datetime import timedelta
from typing import Any, Final
from urllib.parse import quote

from django_functionalkit import conf

__all__ = ["MISS", "Entry", "declared_generations", "entry_for", "named_generations", "namespace"]

logger = logging.getLogger("django_functionalkit")

MISS: Final = object()
_LONGEST_PART: Final = 200  # longer key parts are hashed: memcached refuses keys over 250


@functools.cache
def namespace() -> str:
    """``<CACHE_KEY_PREFIX>:<CACHE_VERSION>``, the start of every key."""
    return f"{conf.fk_settings.CACHE_KEY_PREFIX}:{conf.fk_settings.CACHE_VERSION}"


conf.on_change(namespace.cache_clear)


def _part(text: str) -> str:
    """``text`` as a key part: itself when short and printable, else its SHA-256."""
    if len(text) <= _LONGEST_PART and text.isprintable() and " " not in text:
        return text
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _actor_part(actor: Any) -> str | None:
    """How a key names ``actor``: ``user:<model>:<pk>``, ``anonymous`` or ``actor:<name>``."""
    if actor is None or getattr(actor, "is_anonymous", False) is True:
        return "anonymous"
    pk = getattr(actor, "pk", None)
    if pk is not None:  # the model's label too: a service account 5 is not user 5
        label = getattr(getattr(actor, "_meta", None), "label_lower", type(actor).__name__)
        return f"user:{_part(label)}:{_part(quote(str(pk), safe=''))}"
    if isinstance(actor, str | int):  # set_actor("billing-worker") in scripts and workers
        return f"actor:{_part(quote(str(actor), safe=''))}"
    return None  # no identity to key on: caching it could leak between actors


def _seconds(timeout: float | timedelta | None) -> float | None:
    return timeout.total_seconds() if isinstance(timeout, timedelta) else timeout


class Entry:
    """Where one query's result lives: its key, the generations that stamp it, its lifetime.

    An entry holds ``(stamp, value)``, the stamp being the generations of its key and tags taken
    before the handler ran; it counts only while they are all current.
    """

    __slots__ = ("alias", "generations", "key", "lock_key", "lookup", "name", "timeout")

    def __init__(self, query: Any, actor: str | None) -> None:
        ns = namespace()
        base = _part(query.cache_key)
        place = f"q:{base}" if actor is None else f"u:{actor}:q:{base}"
        self.alias: str = query.cache_alias
        self.key = f"{ns}:{place}"
        self.lock_key = f"{ns}:lock:{place}"
        self.generations = (f"{ns}:key:{base}", *(f"{ns}:tag:{_part(t)}" for t in query.cache_tags))
        self.lookup = (self.key, *self.generations)
        self.timeout = _seconds(query.cache_timeout)
        self.name: str = type(query).__qualname__

    def cached(self, found: dict[str, Any]) -> Any:
        """The value ``found`` holds for this entry if its stamp is current, else ``MISS``."""
        stored = found.get(self.key)
        if stored is None:
            return MISS
        try:
            stamp, value = stored
        except (TypeError, ValueError):  # not an entry of ours
            return MISS
        # tuple(): JSON and msgpack serializers give the stored tuple back as a list.
        if tuple(stamp) != tuple(map(found.get, self.generations)):
            return MISS
        return value

    def missing_generations(self, found: dict[str, Any]) -> dict[str, int]:
        """Fresh values for the generations ``found`` lacks (never set, expired, evicted).

        A missing generation matches no stamp; ``time_ns`` never repeats an old value.
        """
        fresh = time.time_ns()
        return {key: fresh for key in self.generations if key not in found}

    def stamp(self, generations: dict[str, Any]) -> tuple[Any, ...]:
        """The generations to store with a value computed now."""
        return tuple(generations[key] for key in self.generations)


def entry_for(query: Any, actor: Any) -> Entry | None:
    """The entry of ``query`` as ``actor`` asks it; ``None`` when it must not be cached."""
    if not query.cache_per_user:
        return Entry(query, None)
    part = _actor_part(actor)
    if part is None:
        logger.warning(
            "%s is cached per user, but the actor %r has no pk: not caching it.",
            type(query).__qualname__,
            actor,
        )
        return None
    return Entry(query, part)


def declared_generations(ns: str, command: Any) -> tuple[str, ...]:
    """The generations of the keys and tags ``command`` declares; raises what they raise.

    The same names as an entry's ``generations``, which builds them inline: it runs on every hit.
    """
    return named_generations(ns, command.invalidates_keys, command.invalidates_tags)


def named_generations(ns: str, keys: Iterable[str], tags: Iterable[str]) -> tuple[str, ...]:
    """The generations of ``keys`` and ``tags``, each once; a string is one key or tag."""
    keys = (keys,) if isinstance(keys, str) else keys
    tags = (tags,) if isinstance(tags, str) else tags
    return tuple(
        dict.fromkeys(
            (
                *(f"{ns}:key:{_part(key)}" for key in keys),
                *(f"{ns}:tag:{_part(tag)}" for tag in tags),
            )
        )
    )
