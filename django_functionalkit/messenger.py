"""The messenger: ``query``, ``send`` and ``publish``, and their async forms ``aquery``, ...

Each message type gets a pipeline, built the first time it is dispatched and cached: the
behaviors that apply to it, outermost first, around its handler (or, for a notification, around
all its handlers). Dispatch is then a dict lookup and a call. The caches are dropped when the
``FUNCTIONALKIT`` setting or the registrations change.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from functools import partial
from typing import Any, Literal, TypeVar, cast

from asgiref.sync import async_to_sync, markcoroutinefunction, sync_to_async
from django.core.exceptions import ImproperlyConfigured, SynchronousOnlyOperation
from django.utils.module_loading import import_string

from . import conf
from .behaviors.base import Behavior
from .commit import defer_until_commit, in_transaction
from .compat import running_loop
from .delivery import events
from .introspection import dotted_name
from .markers import Stored
from .messages import Command, Message, Notification, Query, kind_of
from .registry import HandlerNotFoundError, HandlerSpec, Registry, registry

__all__ = ["Messenger", "messenger"]

logger = logging.getLogger("django_functionalkit")

R = TypeVar("R")
Method = Literal["query", "send", "publish"]
Pipeline = Callable[[Any], Any]

_KIND_OF_METHOD: dict[str, str] = {"query": "query", "send": "command", "publish": "notification"}
_METHOD_OF_KIND: dict[str, str] = {v: k for k, v in _KIND_OF_METHOD.items()}

# An open capture() block: what it collects, and whether the handlers run too.
Capture = tuple[list[Notification], bool]


class Messenger:
    """Dispatches messages to their handlers through the configured behaviors."""

    def __init__(
        self, registry: Registry = registry, behaviors: Sequence[Any] | None = None
    ) -> None:
        """``registry``: where the handlers are found (the one ``@handler`` fills by default);
        ``behaviors``, when given, replaces ``FUNCTIONALKIT["BEHAVIORS"]`` for this messenger."""
        self.registry = registry
        self._configured_behaviors = None if behaviors is None else list(behaviors)
        # One cache per method and path: a message of the wrong kind misses and gets a TypeError.
        self._sync: dict[str, dict[type, Pipeline]] = {m: {} for m in _KIND_OF_METHOD}
        self._async: dict[str, dict[type, Pipeline]] = {m: {} for m in _KIND_OF_METHOD}
        self._behaviors: list[Behavior] | None = None
        self._applying: dict[type, list[Behavior]] = {}  # decided once per message type
        self._background: dict[type, list[HandlerSpec]] = {}  # the same, for every publish
        # The capture() blocks open in the current context (thread, task), innermost last. A
        # context variable: a block in one thread or task never sees another's publishes.
        self._captures: ContextVar[tuple[Capture, ...]] = ContextVar(
            f"functionalkit_captures_{id(self):x}", default=()
        )
        self._open_captures = self._captures.get  # read on every publish
        # The ids of the lists of the blocks not yet left: a task or thread started in a block
        # copies its context, and must not record into the block once it is over.
        self._unended: set[int] = set()
        # Notification pipelines whose core records into the captures (see _recorder).
        self._recording: dict[tuple[type, bool], Pipeline] = {}
        registry.on_change(self.reset)
        conf.on_change(self.reset)

    def reset(self) -> None:
        """Drop every built pipeline; the next dispatch of each type builds it again."""
        for cache in (*self._sync.values(), *self._async.values()):
            cache.clear()
        self._recording.clear()
        self._behaviors = None
        self._applying.clear()
        self._background.clear()

    # -- the API --------------------------------------------------------------------------------
    # The six methods repeat one shape on purpose: inlined, a dispatch is a dict lookup and a
    # call; a shared helper would add a call to every dispatch (see docs/performance.md).

    def query(self, query: Query[R]) -> R:
        """Run ``query`` through its pipeline and return what its handler returns."""
        if running_loop() is not None:
            _refuse_in_event_loop("query")
        try:
            pipeline = self._sync["query"][query.__class__]
        except KeyError:
            pipeline = self._build("query", query.__class__, is_async=False)
        result: R = pipeline(query)
        return result

    def send(self, command: Command[R]) -> R:
        """Run ``command`` through its pipeline and return what its handler returns."""
        if running_loop() is not None:
            _refuse_in_event_loop("send")
        try:
            pipeline = self._sync["send"][command.__class__]
        except KeyError:
            pipeline = self._build("send", command.__class__, is_async=False)
        result: R = pipeline(command)
        return result

    def publish(self, notification: Notification) -> None:
        """Run every handler of ``notification`` in order, even when some fail.

        Inside a transaction, the handlers run after it commits, and never if it rolls back.
        A ``Stored`` notification's event is written at once, in that transaction.
        """
        if running_loop() is not None:
            _refuse_in_event_loop("publish")
        try:
            pipeline = self._sync["publish"][notification.__class__]
        except KeyError:
            pipeline = self._build("publish", notification.__class__, is_async=False)
        captures = self._open_captures()
        if captures and (captures := self._unended_of(captures)):
            # Recorded where it would be delivered: after the commit, if any.
            pipeline = self._captured(notification.__class__, captures, is_async=False)
        if isinstance(notification, Stored):
            events.store(notification, self.background_handlers(notification.__class__))
        if in_transaction():
            defer_until_commit(partial(_deliver_committed, pipeline, notification))
        else:
            pipeline(notification)

    def aquery(self, query: Query[R]) -> Awaitable[R]:
        """``query`` for async code: ``await messenger.aquery(GetUserById(1))``."""
        try:
            pipeline = self._async["query"][query.__class__]
        except KeyError:
            pipeline = self._build("query", query.__class__, is_async=True)
        awaitable: Awaitable[R] = pipeline(query)
        return awaitable

    def asend(self, command: Command[R]) -> Awaitable[R]:
        """``send`` for async code: ``await messenger.asend(CreateUser(...))``."""
        try:
            pipeline = self._async["send"][command.__class__]
        except KeyError:
            pipeline = self._build("send", command.__class__, is_async=True)
        awaitable: Awaitable[R] = pipeline(command)
        return awaitable

    def apublish(self, notification: Notification) -> Awaitable[None]:
        """``publish`` for async code; the handlers run concurrently.

        Inside the transaction of an async command (see TransactionBehavior), the handlers run
        after it commits, and never if it rolls back.
        """
        try:
            pipeline = self._async["publish"][notification.__class__]
        except KeyError:
            pipeline = self._build("publish", notification.__class__, is_async=True)
        captures = self._open_captures()
        if captures and (captures := self._unended_of(captures)):
            pipeline = self._captured(notification.__class__, captures, is_async=True)
        if isinstance(notification, Stored):
            background = self.background_handlers(notification.__class__)
            return _astore_then_publish(pipeline, notification, background)
        if in_transaction():
            return _apublish_after_commit(pipeline, notification)
        awaitable: Awaitable[None] = pipeline(notification)
        return awaitable

    @contextmanager
    def capture(self, *, deliver: bool = False) -> Iterator[list[Notification]]:
        """Collect the notifications published inside the block, in this context (see ``testing``).

        A notification is collected where it would be delivered: at once, or when the
        transaction it was published in commits, and never if that rolls back. Publishing is
        checked as always (kind, event loop, behaviors); only the handlers are skipped, unless
        ``deliver`` is true. Other threads, and tasks started outside the block, are not captured;
        those started inside are, until the block ends.
        """
        published: list[Notification] = []
        token = self._captures.set((*self._captures.get(), (published, deliver)))
        self._unended.add(id(published))
        try:
            yield published
        finally:
            self._unended.discard(id(published))
            try:
                self._captures.reset(token)
            except ValueError:  # left in another context than it was opened in
                self._captures.set(tuple(c for c in self._captures.get() if c[0] is not published))

    def _unended_of(self, captures: tuple[Capture, ...]) -> tuple[Capture, ...]:
        """The captures whose block is not over (a context copied inside one keeps it)."""
        return tuple(c for c in captures if id(c[0]) in self._unended)

    def _captured(
        self, message_type: type, captures: tuple[Capture, ...], *, is_async: bool
    ) -> Pipeline:
        """The pipeline of ``message_type`` whose core records into ``captures``."""
        pipeline = self._recording.get((message_type, is_async))
        if pipeline is None:
            pipeline = self._build("publish", message_type, is_async=is_async, recording=True)
        return partial(_ain_captures if is_async else _in_captures, captures, pipeline)

    # -- building pipelines -----------------------------------------------------------------------

    def behaviors(self) -> list[Behavior]:
        """The configured behaviors, built once per configuration, outermost first."""
        if self._behaviors is None:
            entries = self._configured_behaviors
            if entries is None:
                entries = conf.fk_settings.BEHAVIORS
            self._behaviors = [_load_behavior(entry) for entry in entries]
        return self._behaviors

    def behaviors_for(self, message_type: type[Message]) -> list[Behavior]:
        """The behaviors that apply to ``message_type``, outermost first (decided once)."""
        applying = self._applying.get(message_type)
        if applying is None:
            applying = [b for b in self.behaviors() if b.applies_to(message_type)]
            self._applying[message_type] = applying
        return applying

    def _build(
        self, method: Method, message_type: type, *, is_async: bool, recording: bool = False
    ) -> Pipeline:
        kind = kind_of(message_type)
        name = ("a" if is_async else "") + method
        if kind is None:
            raise TypeError(
                f"messenger.{name}() takes a {_KIND_OF_METHOD[method].title()}, got "
                f"{message_type.__qualname__}, which is not a Query, Command or Notification."
            )
        if kind != _KIND_OF_METHOD[method]:
            right = ("a" if is_async else "") + _METHOD_OF_KIND[kind]
            raise TypeError(
                f"{message_type.__qualname__} is a {kind}: call messenger.{right}(...), "
                f"not messenger.{name}(...)."
            )
        if kind == "notification":
            # Background handlers run from their delivery rows (delivery.runner), never here.
            heard = self.registry.notification_handlers(message_type)
            specs = [s for s in heard if not s.background]
            core = (_fan_out_async if is_async else _fan_out)(
                message_type, [(s, self.handler_call(s, is_async=is_async)) for s in specs]
            )
            if recording:
                core = _recorder(core, is_async)
        else:
            spec = self.registry.handler_for(message_type)
            if spec is None:
                raise HandlerNotFoundError(_no_handler_message(message_type, kind))
            core = self.handler_call(spec, is_async=is_async)
        pipeline = core
        for behavior in reversed(self.behaviors_for(message_type)):
            if not behavior.has_path(is_async=is_async):
                raise ImproperlyConfigured(
                    f"{behavior!r} applies to {message_type.__qualname__} but overrides only "
                    f"{'handle' if is_async else 'ahandle'}(): define "
                    f"{'ahandle' if is_async else 'handle'}() too, or it would be skipped on the "
                    f"{'async' if is_async else 'sync'} path."
                )
            pipeline = _wrap(behavior.ahandle if is_async else behavior.handle, pipeline)
        if recording:
            self._recording[message_type, is_async] = pipeline
        else:
            (self._async if is_async else self._sync)[method][message_type] = pipeline
        return pipeline

    def background_handlers(self, message_type: type[Message]) -> list[HandlerSpec]:
        """The handlers of a notification that workers run from delivery rows (decided once)."""
        found = self._background.get(message_type)
        if found is None:
            heard = self.registry.notification_handlers(message_type)
            found = self._background[message_type] = [s for s in heard if s.background]
        return found

    def handler_call(self, spec: HandlerSpec, *, is_async: bool = False) -> Pipeline:
        """How the messenger calls one handler, without behaviors: on the sync or the async
        path, bridging the two, a class handler built by ``HANDLER_FACTORY`` for each call."""
        if spec.is_class:
            factory = _load_factory()
            handler_class = cast("type[Any]", spec.target)
            if spec.is_async:

                async def call_async_class(message: Any) -> Any:
                    return await factory(handler_class).handle(message)

                return call_async_class if is_async else async_to_sync(call_async_class)

            def call_class(message: Any) -> Any:
                return factory(handler_class).handle(message)

            return sync_to_async(call_class) if is_async else call_class
        if spec.is_async == is_async:
            return spec.target
        return async_to_sync(spec.target) if spec.is_async else sync_to_async(spec.target)


async def _astore_then_publish(
    pipeline: Pipeline, notification: Notification, background: list[HandlerSpec]
) -> None:
    await events.astore(notification, background)
    if in_transaction():
        await _apublish_after_commit(pipeline, notification)
    else:
        await pipeline(notification)


async def _apublish_after_commit(pipeline: Pipeline, notification: Notification) -> None:
    deliver = partial(_deliver_committed, async_to_sync(pipeline), notification)
    # The transaction lives on Django's database thread: its on_commit callbacks too.
    await sync_to_async(defer_until_commit, thread_sensitive=True)(deliver)


def _deliver_committed(pipeline: Pipeline, notification: Notification) -> None:
    """Deliver ``notification`` after the commit, where nobody can act on a failure any more."""
    # Each failure was logged with its handler's name (_record_failure): not once more.
    with suppress(_HandlersFailed):
        pipeline(notification)


def _wrap(handle: Callable[[Any, Pipeline], Any], call_next: Pipeline) -> Pipeline:
    return lambda message: handle(message, call_next)


# The captures a recording pipeline's core records into: set around one delivery by publish,
# which read them in the publishing context, so a delivery deferred to the commit (run by
# Django in whatever context commits) records into the blocks that saw it published.
_delivering_to: ContextVar[tuple[Capture, ...]] = ContextVar("functionalkit_delivering_to")


def _in_captures(captures: tuple[Capture, ...], pipeline: Pipeline, message: Any) -> Any:
    token = _delivering_to.set(captures)
    try:
        return pipeline(message)
    finally:
        _delivering_to.reset(token)


async def _ain_captures(captures: tuple[Capture, ...], pipeline: Pipeline, message: Any) -> Any:
    token = _delivering_to.set(captures)
    try:
        return await pipeline(message)
    finally:
        _delivering_to.reset(token)


def _record(message: Notification) -> bool:
    """Append ``message`` to every capture it is delivered to; whether its handlers run."""
    captures = _delivering_to.get()
    for published, _ in captures:
        published.append(message)
    return captures[-1][1]  # the innermost block decides


def _recorder(deliver_to: Pipeline, is_async: bool) -> Pipeline:
    if is_async:

        async def arecord(message: Notification) -> None:
            if _record(message):
                await deliver_to(message)

        return arecord

    def record(message: Notification) -> None:
        if _record(message):
            deliver_to(message)

    return record


def _fan_out(message_type: type, handlers: list[tuple[HandlerSpec, Pipeline]]) -> Pipeline:
    raise_errors = _publish_errors() == "raise"

    def publish(message: Any) -> None:
        failures: list[Exception] = []
        for spec, call in handlers:
            try:
                call(message)
            except Exception as exc:
                failures.append(_record_failure(spec, message, exc))
        if failures and raise_errors:
            raise _failed(message_type, failures, len(handlers))

    return publish


def _fan_out_async(message_type: type, handlers: list[tuple[HandlerSpec, Pipeline]]) -> Pipeline:
    raise_errors = _publish_errors() == "raise"

    async def apublish(message: Any) -> None:
        outcomes = await asyncio.gather(
            *(call(message) for _, call in handlers), return_exceptions=True
        )
        failures: list[Exception] = []
        for (spec, _), outcome in zip(handlers, outcomes, strict=True):
            if isinstance(outcome, Exception):
                failures.append(_record_failure(spec, message, outcome))
            elif isinstance(outcome, BaseException):  # cancellation and exits are not failures
                raise outcome
        if failures and raise_errors:
            raise _failed(message_type, failures, len(handlers))

    return apublish


def _record_failure(spec: HandlerSpec, message: Any, exc: Exception) -> Exception:
    logger.error(
        "Notification handler %s failed for %s",
        spec.name,
        type(message).__qualname__,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    exc.add_note(f"raised by notification handler {spec.name}")
    return exc


class _HandlersFailed(ExceptionGroup[Exception]):
    """What ``publish`` raises for failed handlers, each already logged with its name."""


def _failed(message_type: type, failures: list[Exception], total: int) -> ExceptionGroup[Exception]:
    return _HandlersFailed(
        f"{len(failures)} of {total} handlers of {message_type.__qualname__} failed", failures
    )


def _publish_errors() -> str:
    return conf.fk_settings.PUBLISH_ERRORS  # validated by conf.get_config()


def _load_behavior(entry: Any) -> Behavior:
    where = f'FUNCTIONALKIT["BEHAVIORS"] entry {entry!r}'
    try:
        loaded = import_string(entry) if isinstance(entry, str) else entry
    except ImportError as exc:
        raise ImproperlyConfigured(f"{where} cannot be imported: {exc}") from exc
    behavior = loaded() if isinstance(loaded, type) else loaded
    if not isinstance(behavior, Behavior):
        raise ImproperlyConfigured(
            f"{where} is not a Behavior: subclass django_functionalkit.behaviors.Behavior."
        )
    return behavior


def _load_factory() -> Callable[[type], Any]:
    entry = conf.fk_settings.HANDLER_FACTORY
    try:
        factory = import_string(entry) if isinstance(entry, str) else entry
    except ImportError as exc:
        raise ImproperlyConfigured(
            f'FUNCTIONALKIT["HANDLER_FACTORY"] cannot be imported: {exc}'
        ) from exc
    if not callable(factory):
        raise ImproperlyConfigured(f'FUNCTIONALKIT["HANDLER_FACTORY"] is not callable: {factory!r}')
    return cast("Callable[[type], Any]", factory)


def _no_handler_message(message_type: type, kind: str) -> str:
    from django.apps import apps

    modules = conf.fk_settings.HANDLER_MODULES
    # The project's own apps first: that is where a missing handler usually belongs.
    names = sorted(
        (app.name for app in apps.get_app_configs()), key=lambda n: n.startswith("django.")
    )
    searched = ", ".join(f"{name}.{module}" for name in names for module in modules) or "none"
    return (
        f"No handler for {kind} {dotted_name(message_type)}. "
        f"Register one with @handler in one of the modules searched: {searched}; "
        "or check that its app is in INSTALLED_APPS."
    )


def _refuse_in_event_loop(method: str) -> None:
    if os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE"):
        return
    raise SynchronousOnlyOperation(
        f"messenger.{method}() was called from a running event loop (an async view or task): "
        f"use `await messenger.a{method}(...)` instead."
    )


# aquery/asend/apublish return awaitables without a coroutine frame of their own (one less
# layer per dispatch); marked, asgiref and Django treat them as the coroutine functions they are
# to callers (``async_to_sync(messenger.aquery)`` and the like).
for _name in ("aquery", "asend", "apublish"):
    markcoroutinefunction(getattr(Messenger, _name))

messenger = Messenger()
