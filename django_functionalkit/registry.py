"""Which handler handles which message: ``@handler``, discovery, and overrides for tests.

``@handler`` registers a function by the annotation of its first parameter, or a handler class
by the annotation of its ``handle`` method. Queries and commands have exactly one handler;
notifications any number, and a handler of a base class hears every subclass.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

from asgiref.sync import iscoroutinefunction

from .delivery.policy import RetryPolicy
from .errors import DuplicateHandlerError, HandlerNotFoundError, HandlerRegistrationError
from .introspection import dotted_name
from .listeners import notify, weak_callback
from .markers import Stored
from .messages import Message, kind_of

__all__ = [
    "DuplicateHandlerError",
    "HandlerNotFoundError",
    "HandlerRegistrationError",
    "HandlerSpec",
    "Registry",
    "autodiscover",
    "default_factory",
    "handler",
    "registry",
]

H = TypeVar("H", bound=Callable[..., Any])

# The options ``@handler(...)`` accepts, kept in ``HandlerSpec.options``: ``background`` (a
# stored notification's handler run later by a worker, see docs/background-handlers.md) and its
# ``retry`` policy. Any other option is a TypeError that names the known ones.
HANDLER_OPTIONS: frozenset[str] = frozenset({"background", "retry"})


@dataclass(frozen=True, eq=False)
class HandlerSpec:
    """One registered handler: what it is, what it handles, and how to call it."""

    target: Callable[..., Any]
    message_type: type[Message]
    is_async: bool
    is_class: bool
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """``module.qualname`` of the function or class."""
        return dotted_name(self.target)

    @property
    def background(self) -> bool:
        """Whether publish leaves this handler to a worker (``@handler(background=True)``)."""
        return bool(self.options.get("background"))


_State = tuple[
    dict[type[Message], HandlerSpec], list[HandlerSpec], dict[type[Message], list[HandlerSpec]]
]


def default_factory(handler_class: type[Any]) -> Any:
    """Build a handler class with no arguments (the default ``HANDLER_FACTORY``)."""
    return handler_class()


class Registry:
    """Handlers by message type. ``registry`` is the one the messenger uses."""

    def __init__(self) -> None:
        self._single: dict[type[Message], HandlerSpec] = {}
        self._notifications: list[HandlerSpec] = []
        self._duplicates: dict[type[Message], list[HandlerSpec]] = {}
        self._listeners: list[Callable[[], Callable[[], None] | None]] = []

    # -- registering -------------------------------------------------------------------------

    def register(self, spec: HandlerSpec) -> None:
        """Add a handler; registering the same one again is harmless."""
        message_type = spec.message_type
        if message_type.kind == "notification":
            if any(
                s.target is spec.target and s.message_type is message_type
                for s in self._notifications
            ):
                return
            self._notifications.append(spec)
        else:
            existing = self._single.get(message_type)
            if existing is not None:
                if existing.target is spec.target:
                    return
                # Kept, not raised: `manage.py check` lists every clash at once, and
                # dispatching this message raises DuplicateHandlerError naming both.
                others = self._duplicates.setdefault(message_type, [])
                if all(o.target is not spec.target for o in others):
                    others.append(spec)
            else:
                self._single[message_type] = spec
        self._changed()

    def on_change(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` whenever registrations change (the messenger drops its pipelines).

        A bound method is held weakly, so a messenger nobody uses any more is freed.
        """
        self._listeners.append(weak_callback(callback))

    def _changed(self) -> None:
        self._listeners = notify(self._listeners)

    def snapshot(self) -> _State:
        """The registrations as they are now, for ``restore``."""
        return (
            dict(self._single),
            list(self._notifications),
            {k: list(v) for k, v in self._duplicates.items()},
        )

    def restore(self, state: _State) -> None:
        """Put the registrations back as ``snapshot`` saw them."""
        self._single, self._notifications, self._duplicates = state
        self._changed()

    @contextmanager
    def isolated(self) -> Iterator[Registry]:
        """Registrations made inside the block are forgotten after it (tests, doc samples)."""
        state = self.snapshot()
        try:
            yield self
        finally:
            self.restore(state)

    @contextmanager
    def override(self, message_type: type[Message], target: Callable[..., Any]) -> Iterator[None]:
        """Replace the handlers of ``message_type`` with ``target`` inside the block (tests)."""
        spec = make_spec(target, message_type=message_type)
        with self.isolated():
            self._duplicates.pop(message_type, None)
            if message_type.kind == "notification":
                self._notifications = [
                    s for s in self._notifications if s.message_type is not message_type
                ]
                self._notifications.append(spec)
            else:
                self._single[message_type] = spec
            self._changed()
            yield

    # -- reading ---------------------------------------------------------------------------------

    def handler_for(self, message_type: type[Message]) -> HandlerSpec | None:
        """The handler of a query or command, or ``None``; raises if two are registered."""
        spec = self._single.get(message_type)
        if spec is not None and message_type in self._duplicates:
            names = ", ".join(s.name for s in [spec, *self._duplicates[message_type]])
            raise DuplicateHandlerError(
                f"{message_type.__qualname__} has more than one handler: {names}. "
                "A query or command has exactly one; remove or rename the others."
            )
        return spec

    def has_handler(self, message_type: type[Message]) -> bool:
        """Whether a query or command has a handler (without raising on duplicates)."""
        return message_type in self._single

    def notification_handlers(self, message_type: type[Message]) -> list[HandlerSpec]:
        """Every handler that hears ``message_type``, its base classes' included, in order."""
        seen: set[int] = set()
        found = []
        for spec in self._notifications:
            if issubclass(message_type, spec.message_type) and id(spec.target) not in seen:
                seen.add(id(spec.target))
                found.append(spec)
        return found

    def handlers_of(self, message_type: type[Message]) -> list[HandlerSpec]:
        """Every handler of ``message_type``, duplicates of a query or command included."""
        if message_type.kind == "notification":
            return self.notification_handlers(message_type)
        first = self._single.get(message_type)
        return [first, *self._duplicates.get(message_type, [])] if first else []

    def specs(self) -> list[HandlerSpec]:
        """Every registered handler, queries and commands first, in registration order."""
        return [*self._single.values(), *self._notifications]

    def duplicates(self) -> dict[type[Message], list[HandlerSpec]]:
        """Queries and commands with more than one handler: the first one and the others."""
        return {t: [self._single[t], *others] for t, others in self._duplicates.items()}


registry = Registry()


# -- @handler -----------------------------------------------------------------------------------


@overload
def handler(target: H, /) -> H: ...


@overload
def handler(*, background: bool = ..., retry: RetryPolicy | None = ...) -> Callable[[H], H]: ...


def handler(target: Any = None, /, **options: Any) -> Any:
    """Register a handler function or class by the message its first parameter is annotated with.

    ``@handler`` or ``@handler()``; the function or class is returned unchanged.
    ``@handler(background=True, retry=RetryPolicy(...))``: a stored notification's handler that
    a worker runs from its delivery row (docs/background-handlers.md). Another option is a
    ``TypeError`` naming the known ones (for type checkers, a call no overload matches).
    """
    unknown = sorted(set(options) - HANDLER_OPTIONS)
    if unknown:
        known = ", ".join(sorted(HANDLER_OPTIONS))
        raise TypeError(f"@handler got unknown option(s) {', '.join(unknown)}; known: {known}")
    _check_options(options)

    def register(target: H) -> H:
        spec = make_spec(target, options=options)
        _check_background(spec)
        registry.register(spec)
        return target

    return register if target is None else register(target)


def _check_options(options: dict[str, Any]) -> None:
    background = options.get("background", False)
    if not isinstance(background, bool):
        raise TypeError(f"@handler(background=...) is True or False, got {background!r}")
    retry = options.get("retry")
    if retry is not None and not isinstance(retry, RetryPolicy):
        raise TypeError(f"@handler(retry=...) is a RetryPolicy, got {retry!r}")
    if retry is not None and not background:
        raise TypeError("@handler(retry=...) applies to background handlers: add background=True.")


def _check_background(spec: HandlerSpec) -> None:
    """A background handler hears a stored notification: its delivery is read from the event."""
    if not spec.background:
        return
    if spec.message_type.kind != "notification":
        raise TypeError(
            f"{spec.name} handles the {spec.message_type.kind} "
            f"{spec.message_type.__qualname__}: only notification handlers run in the "
            "background; remove background=True."
        )
    if not issubclass(spec.message_type, Stored):
        raise TypeError(
            f"{spec.name} runs in the background, so {spec.message_type.__qualname__} must be "
            "stored (its delivery is rebuilt from the event row): make it a DomainEvent, or mix "
            "in Stored."
        )


def make_spec(
    target: Callable[..., Any],
    *,
    message_type: type[Message] | None = None,
    options: dict[str, Any] | None = None,
) -> HandlerSpec:
    """Describe ``target`` as a handler; the message type is read from its annotation."""
    is_class = inspect.isclass(target)
    if is_class:
        handle = getattr(target, "handle", None)
        if handle is None or not callable(handle):
            raise HandlerRegistrationError(
                f"{dotted_name(target)} is registered as a handler class but has no handle() "
                "method."
            )
        function, skip = handle, 1
    else:
        if not callable(target):
            raise HandlerRegistrationError(f"@handler takes a function or a class, got {target!r}")
        function, skip = target, 0
    if message_type is None:
        message_type = _annotated_message_type(target, function, skip)
    return HandlerSpec(
        target=target,
        message_type=message_type,
        is_async=iscoroutinefunction(function),
        is_class=is_class,
        options=dict(options or {}),
    )


def _annotated_message_type(target: Any, function: Callable[..., Any], skip: int) -> type[Message]:
    expected = "a Query, Command or Notification subclass"
    params = [
        p
        for p in inspect.signature(function).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ][skip:]
    if not params:
        raise HandlerRegistrationError(
            f"{dotted_name(target)} takes no message: its first parameter must be annotated with "
            f"{expected}, as in `def handle(query: GetUserById)`."
        )
    first = params[0]
    try:
        hints = typing.get_type_hints(function)
    except NameError as exc:
        raise HandlerRegistrationError(
            f"The annotations of {dotted_name(target)} cannot be resolved ({exc}). Define the "
            "message class at module level, or import it, before the handler."
        ) from exc
    annotation = hints.get(first.name)
    if annotation is None:
        raise HandlerRegistrationError(
            f"{dotted_name(target)}: annotate its first parameter `{first.name}` with {expected}, "
            f"so @handler knows which message it handles."
        )
    message_type = typing.get_origin(annotation) or annotation
    if kind_of(message_type) is None:
        raise HandlerRegistrationError(
            f"{dotted_name(target)}: its first parameter `{first.name}` is annotated with "
            f"{getattr(annotation, '__qualname__', annotation)!s}, which is not {expected}."
        )
    return typing.cast("type[Message]", message_type)


# -- discovery ----------------------------------------------------------------------------------


def autodiscover() -> None:
    """Import ``<app>.<module>`` for every installed app and every ``HANDLER_MODULES`` name.

    A missing module is skipped; a module that fails to import raises its own error, and the
    handlers it registered before failing are forgotten, so that importing it again (the
    development server's reload) does not find them twice. Importing twice is harmless:
    modules are imported once, and registering a handler again changes nothing.
    """
    from importlib import import_module

    from django.apps import apps
    from django.utils.module_loading import module_has_submodule

    from .conf import fk_settings

    for app_config in apps.get_app_configs():
        for module_name in fk_settings.HANDLER_MODULES:
            if not module_has_submodule(app_config.module, module_name):
                continue
            before = registry.snapshot()
            try:
                import_module(f"{app_config.name}.{module_name}")
            except BaseException:
                registry.restore(before)
                raise
