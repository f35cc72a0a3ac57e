"""``CacheBehavior``: ``Cacheable`` queries come from Django's cache; ``InvalidatesCache`` commands
drop entries once they succeeded and committed.

Every key lives under ``<CACHE_KEY_PREFIX>:<CACHE_VERSION>`` (``ns``; the cache alias adds its own
``KEY_PREFIX`` and ``VERSION`` around the whole key)::

    ns:q:<cache_key>                 a query's entry, the same for every actor
    ns:u:<actor>:q:<cache_key>       one actor's entry (cache_per_user): user:<model>:<pk>, ...
    ns:key:<cache_key>               the generation of a key, shared by the entries of all actors
    ns:tag:<tag>                     the generation of a tag
    ns:lock:<entry>                  held while one process computes a missed entry

An entry holds ``(stamp, value)``: the generations of its key and tags taken before the handler
ran. A hit reads the entry and the current generations in one ``get_many`` and counts only if
they match, so a command invalidates a key (for every actor) or a tag with one ``incr`` on any
backend, and an entry computed while a command committed is never served. A missing generation
(never set, expired, evicted) matches no stamp; it is created with a fresh ``time_ns()`` value,
so a recreated generation never repeats an old one.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Final, Protocol
from urllib.parse import quote

from asgiref.sync import sync_to_async
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache

from django_functionalkit import conf
from django_functionalkit.behaviors.base import Behavior
from django_functionalkit.commit import defer_until_commit, in_transaction, transaction_depth
from django_functionalkit.context import current_context
from django_functionalkit.markers import Cacheable, InvalidatesCache
from django_functionalkit.messages import Command, Message, Query
from django_functionalkit.results import Failure

__all__ = ["CacheBehavior"]

logger = logging.getLogger("django_functionalkit")

Next = Callable[[Any], Any]
AsyncNext = Callable[[Any], Awaitable[Any]]

_MISS: Final = object()
_LOCK_POLL_SECONDS: Final = 0.01  # how often a waiting miss asks whether the lock is free
_LONGEST_PART: Final = 200  # longer key parts are hashed: memcached refuses keys over 250


class CacheBehavior(Behavior):
    """Serves ``Cacheable`` queries from the cache and runs ``InvalidatesCache`` invalidations.

    A ``Failure`` is never cached, any other result is (``None`` included); a command
    invalidates only when it succeeded, after its transaction commits. A cache that fails
    (Redis down) is logged as a warning and the handler runs as if nothing were cached.
    """

    def applies_to(self, message_type: type[Message]) -> bool:
        """Queries marked ``Cacheable`` and commands marked ``InvalidatesCache``."""
        if issubclass(message_type, Query):
            return issubclass(message_type, Cacheable)
        return issubclass(message_type, Command) and issubclass(message_type, InvalidatesCache)

    def handle(self, message: Any, call_next: Next) -> Any:
        """The sync path: a cached query, or a command followed by its invalidation."""
        if message.kind == "command":
            return _send(message, call_next)
        return _query(message, call_next)

    async def ahandle(self, message: Any, call_next: AsyncNext) -> Any:
        """The async path: the same, through the cache's async API and worker threads."""
        if message.kind == "command":
            return await _asend(message, call_next)
        return await _aquery(message, call_next)


# -- keys -------------------------------------------------------------------------------------


@functools.cache
def _namespace() -> str:
    return f"{conf.fk_settings.CACHE_KEY_PREFIX}:{conf.fk_settings.CACHE_VERSION}"


conf.on_change(_namespace.cache_clear)


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


class _Entry:
    """Where one query's result lives: its key, the generations that stamp it, its lifetime."""

    __slots__ = ("alias", "generations", "key", "lock_key", "lookup", "name", "timeout")

    def __init__(self, query: Any, actor: str | None) -> None:
        ns = _namespace()
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
        """The value ``found`` holds for this entry if its stamp is current, else ``_MISS``."""
        stored = found.get(self.key)
        if stored is None:
            return _MISS
        try:
            stamp, value = stored
        except (TypeError, ValueError):  # not an entry of ours
            return _MISS
        # tuple(): JSON and msgpack serializers give the stored tuple back as a list.
        if tuple(stamp) != tuple(map(found.get, self.generations)):
            return _MISS
        return value

    def missing_generations(self, found: dict[str, Any]) -> dict[str, int]:
        """Fresh values for the generations ``found`` lacks (``time_ns`` never repeats one)."""
        fresh = time.time_ns()
        return {key: fresh for key in self.generations if key not in found}

    def stamp(self, generations: dict[str, Any]) -> tuple[Any, ...]:
        """The generations to store with a value computed now."""
        return tuple(generations[key] for key in self.generations)


def _entry(query: Any, actor: Any) -> _Entry | None:
    """The entry of ``query`` as ``actor`` asks it; ``None`` when it must not be cached."""
    if not query.cache_per_user:
        return _Entry(query, None)
    part = _actor_part(actor)
    if part is None:
        logger.warning(
            "%s is cached per user, but the actor %r has no pk: not caching it.",
            type(query).__qualname__,
            actor,
        )
        return None
    return _Entry(query, part)


# -- queries: the sync path -------------------------------------------------------------------


def _query(query: Any, call_next: Next) -> Any:
    if in_transaction():
        # Inside a transaction the handler may see rows nobody else sees yet (and that may
        # roll back), and the cache may not yet know of this transaction's own changes:
        # neither read nor write it here.
        return call_next(query)
    entry = _entry(query, current_context().actor)
    if entry is None:
        return call_next(query)
    cache = caches[entry.alias]
    found = _read(cache, entry)
    if found is None:
        return call_next(query)
    value = entry.cached(found)
    if value is not _MISS:
        return value
    return _compute(cache, entry, found, query, call_next)


def _compute(
    cache: BaseCache, entry: _Entry, found: dict[str, Any], query: Any, call_next: Next
) -> Any:
    """A miss: computed once for all concurrent misses where the backend locks, else here."""
    lock = _lock(cache, entry)
    if lock is None or not _acquire(lock, entry):
        return _fill(cache, entry, found, query, call_next)
    try:
        # Whoever held the lock before may have filled the entry: read it again.
        again = _read(cache, entry)
        if again is None:
            return call_next(query)
        value = entry.cached(again)
        return value if value is not _MISS else _fill(cache, entry, again, query, call_next)
    finally:
        _release(lock, entry)


def _read(cache: BaseCache, entry: _Entry) -> dict[str, Any] | None:
    try:
        return cache.get_many(entry.lookup)
    except Exception as exc:
        _failed(exc, entry.alias, "reading", entry.name)
        return None


def _fill(
    cache: BaseCache, entry: _Entry, found: dict[str, Any], query: Any, call_next: Next
) -> Any:
    """Run the handler and store what it returns, stamped with generations taken before."""
    missing = entry.missing_generations(found)
    if missing:
        try:
            cache.set_many(missing, entry.timeout)
        except Exception as exc:
            _failed(exc, entry.alias, "stamping", entry.name)
            return call_next(query)
    value = call_next(query)
    if not isinstance(value, Failure):
        try:
            cache.set(entry.key, (entry.stamp({**found, **missing}), value), entry.timeout)
        except Exception as exc:
            _failed(exc, entry.alias, "writing", entry.name)
    return value


# -- queries: the async path ------------------------------------------------------------------


async def _aquery(query: Any, call_next: AsyncNext) -> Any:
    if transaction_depth.get():  # inside a command's transaction: see _query
        return await call_next(query)
    context = current_context()
    # A lazy request.user would query the database from the event loop when read: load it.
    actor = await context.aactor() if query.cache_per_user else context.actor
    entry = _entry(query, actor)
    if entry is None:
        return await call_next(query)
    cache = caches[entry.alias]
    found = await _aread(cache, entry)
    if found is None:
        return await call_next(query)
    value = entry.cached(found)
    if value is not _MISS:
        return value
    return await _acompute(cache, entry, found, query, call_next)


async def _acompute(
    cache: BaseCache, entry: _Entry, found: dict[str, Any], query: Any, call_next: AsyncNext
) -> Any:
    lock = _lock(cache, entry)
    if lock is None or not await _aacquire(lock, entry):
        return await _afill(cache, entry, found, query, call_next)
    try:
        again = await _aread(cache, entry)
        if again is None:
            return await call_next(query)
        value = entry.cached(again)
        if value is not _MISS:
            return value
        return await _afill(cache, entry, again, query, call_next)
    finally:
        await sync_to_async(_release, thread_sensitive=True)(lock, entry)


async def _aread(cache: BaseCache, entry: _Entry) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = await _async_call(cache, "get_many", entry.lookup)
    except Exception as exc:
        _failed(exc, entry.alias, "reading", entry.name)
        return None
    return found


async def _afill(
    cache: BaseCache, entry: _Entry, found: dict[str, Any], query: Any, call_next: AsyncNext
) -> Any:
    missing = entry.missing_generations(found)
    if missing:
        try:
            await _async_call(cache, "set_many", missing, entry.timeout)
        except Exception as exc:
            _failed(exc, entry.alias, "stamping", entry.name)
            return await call_next(query)
    value = await call_next(query)
    if not isinstance(value, Failure):
        stored = (entry.stamp({**found, **missing}), value)
        try:
            await _async_call(cache, "set", entry.key, stored, entry.timeout)
        except Exception as exc:
            _failed(exc, entry.alias, "writing", entry.name)
    return value


_NATIVE_ASYNC: dict[tuple[type, str], bool] = {}


def _async_call(cache: BaseCache, name: str, *args: Any) -> Awaitable[Any]:
    """``cache.a<name>(*args)`` where the backend implements it, else one hop to ``<name>``.

    Django's fallback ``aget_many`` and ``aset_many`` hop to a thread once per key; one hop for
    the whole call keeps a hit to one thread switch on backends without native async methods.
    """
    native = _NATIVE_ASYNC.get((type(cache), name))
    if native is None:
        native = getattr(type(cache), f"a{name}") is not getattr(BaseCache, f"a{name}")
        _NATIVE_ASYNC[type(cache), name] = native
    if native:
        awaitable: Awaitable[Any] = getattr(cache, f"a{name}")(*args)
        return awaitable
    return sync_to_async(getattr(cache, name), thread_sensitive=True)(*args)


# -- the lock ---------------------------------------------------------------------------------


class _Lock(Protocol):
    def acquire(self, *, blocking: bool) -> bool: ...

    def release(self) -> None: ...


def _lock(cache: BaseCache, entry: _Entry) -> _Lock | None:
    """A lock on ``entry`` where the backend has them (django-redis), else ``None``."""
    make = getattr(cache, "lock", None)
    if make is None:
        return None
    seconds = conf.fk_settings.CACHE_LOCK_TIMEOUT
    try:
        lock: _Lock = make(
            entry.lock_key,
            timeout=seconds,  # a crashed holder frees the key after this long
            blocking_timeout=seconds,
            sleep=_LOCK_POLL_SECONDS,
            thread_local=False,  # the async path may acquire and release on two threads
        )
    except Exception as exc:
        _failed(exc, entry.alias, "locking", entry.name)
        return None
    return lock


def _try_lock(lock: _Lock, entry: _Entry, *, blocking: bool) -> bool | None:
    """Whether ``lock`` was acquired; ``None`` when the cache failed (logged)."""
    try:
        return bool(lock.acquire(blocking=blocking))
    except Exception as exc:
        _failed(exc, entry.alias, "locking", entry.name)
        return None


def _acquire(lock: _Lock, entry: _Entry) -> bool:
    """Wait up to CACHE_LOCK_TIMEOUT for ``lock``; ``False``: compute without it."""
    acquired = _try_lock(lock, entry, blocking=True)
    if acquired is False:
        _waited_too_long(entry)
    return bool(acquired)


async def _aacquire(lock: _Lock, entry: _Entry) -> bool:
    """``_acquire`` for the event loop: it waits in ``asyncio.sleep``, never in a thread.

    Each attempt is a non-blocking acquire in Django's sync thread; a blocking one would park a
    worker thread per waiting query, and enough of them would starve the release they wait for.
    """
    deadline = time.monotonic() + conf.fk_settings.CACHE_LOCK_TIMEOUT
    attempt = sync_to_async(_try_lock, thread_sensitive=True)
    while True:
        acquired = await attempt(lock, entry, blocking=False)
        if acquired is not False:
            return bool(acquired)
        if time.monotonic() >= deadline:
            _waited_too_long(entry)
            return False
        await asyncio.sleep(_LOCK_POLL_SECONDS)


def _waited_too_long(entry: _Entry) -> None:
    logger.warning(
        "Waited CACHE_LOCK_TIMEOUT for another process to compute %s; computing it here.",
        entry.name,
    )


def _release(lock: _Lock, entry: _Entry) -> None:
    try:
        lock.release()
    except Exception as exc:  # expired: the handler took longer than CACHE_LOCK_TIMEOUT
        logger.warning("Releasing the cache lock of %s failed: %s", entry.name, exc)


# -- commands ---------------------------------------------------------------------------------


class _Invalidation:
    """The generations one successful command bumps."""

    __slots__ = ("alias", "generations", "name")

    def __init__(self, command: Any, generations: tuple[str, ...]) -> None:
        self.alias: str = command.cache_alias
        self.generations = generations
        self.name: str = type(command).__qualname__

    def run(self) -> None:
        """Bump every generation; a failing cache is logged, never raised to the sender."""
        cache = caches[self.alias]
        try:
            for key in self.generations:
                _bump(cache, key)
        except Exception as exc:
            logger.warning(
                "Cache %r failed while invalidating after %s (%s: %s); its entries stay "
                "until they expire.",
                self.alias,
                self.name,
                type(exc).__name__,
                exc,
            )


def _bump(cache: BaseCache, key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # no generation: no entry can match it anyway
        return


def _send(command: Any, call_next: Next) -> Any:
    before = _declared(command)
    result = call_next(command)
    if not isinstance(result, Failure):
        _invalidate_after_commit(command, before)
    return result


async def _asend(command: Any, call_next: AsyncNext) -> Any:
    # On Django's sync thread: invalidates_keys / invalidates_tags may read the database, and
    # an async command's transaction is open there, if any.
    before = await sync_to_async(_declared, thread_sensitive=True)(command)
    result = await call_next(command)
    if not isinstance(result, Failure):
        await sync_to_async(_invalidate_after_commit, thread_sensitive=True)(command, before)
    return result


def _declared(command: Any) -> tuple[str, ...]:
    """The generations ``command`` declares now; a failing declaration is logged, not raised.

    They are read before the handler runs and again after it: a product that moves from one
    category to another invalidates the pages of both.
    """
    ns = _namespace()
    try:
        return (
            *(f"{ns}:key:{_part(key)}" for key in command.invalidates_keys),
            *(f"{ns}:tag:{_part(tag)}" for tag in command.invalidates_tags),
        )
    except Exception as exc:
        logger.warning(
            "%s.invalidates_keys or invalidates_tags failed (%s: %s); what it would have "
            "declared is not invalidated.",
            type(command).__qualname__,
            type(exc).__name__,
            exc,
            exc_info=(type(exc), exc, exc.__traceback__),
        )
        return ()


def _invalidate_after_commit(command: Any, before: tuple[str, ...]) -> None:
    """Invalidate what ``command`` declared before and after it ran, when the transaction
    commits (never after a rollback), or now. The command succeeded: nothing here raises.

    A test's own transaction (TestCase, pytest-django's ``db``) never commits and does not
    count: there, as outside a test, the entries are invalidated at once.
    """
    generations = tuple(dict.fromkeys((*before, *_declared(command))))
    if not generations:
        return
    invalidate = _Invalidation(command, generations).run
    if in_transaction():
        defer_until_commit(invalidate)
    else:
        invalidate()


_THEN: Final = {
    "reading": "calling the handler without the cache",
    "stamping": "calling the handler without the cache",
    "writing": "its result is not cached",
    "locking": "computing it without the lock",
}


def _failed(exc: Exception, alias: str, doing: str, name: str) -> None:
    logger.warning(
        "Cache %r failed while %s %s (%s: %s); %s.",
        alias,
        doing,
        name,
        type(exc).__name__,
        exc,
        _THEN[doing],
    )
