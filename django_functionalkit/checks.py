"""System checks, run by ``manage.py check`` and at start-up, each with a hint.

=====================  ==========================================================
functionalkit.E001     two different handlers for one query or command
functionalkit.E002     a handler cannot be called with just its message
functionalkit.E003     a behavior cannot be imported or is not a Behavior
functionalkit.E004     the FUNCTIONALKIT setting is invalid
functionalkit.E005     a behavior defines one of handle() and ahandle() but not the other
functionalkit.E006     AUDIT_DATABASE names an alias that is not in DATABASES
functionalkit.E007     a message declares a marker option as a dataclass field
functionalkit.W001     a query or command in an installed app has no handler
functionalkit.W002     AuditBehavior is listed inside TransactionBehavior
functionalkit.W003     the AUDIT_DATABASE alias has ATOMIC_REQUESTS on
functionalkit.W004     CacheBehavior is listed outside AuthorizationBehavior
=====================  ==========================================================
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Sequence
from typing import Any

from django.apps import AppConfig, apps
from django.core import checks
from django.core.checks import CheckMessage
from django.core.exceptions import ImproperlyConfigured

from .messages import Command, Message, Query
from .registry import HandlerSpec, registry

__all__ = [
    "check_behaviors",
    "check_handlers",
    "check_marker_fields",
    "check_settings",
    "check_unhandled",
]


@checks.register("functionalkit")
def check_settings(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """E004: the FUNCTIONALKIT setting has known keys and valid values."""
    from . import conf

    try:
        conf.get_config()
    except ImproperlyConfigured as exc:
        return [_error(4, str(exc), "Fix the FUNCTIONALKIT setting; see the settings reference.")]
    errors: list[CheckMessage] = []
    try:
        from .messenger import _load_factory

        _load_factory()
    except ImproperlyConfigured as exc:
        errors.append(_error(4, str(exc), "Give a dotted path to a callable that takes a class."))
    return errors


@checks.register("functionalkit")
def check_behaviors(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """E003: every entry of BEHAVIORS imports and is a Behavior."""
    from . import conf
    from .messenger import _load_behavior

    try:
        entries = conf.get_config()["BEHAVIORS"]
    except ImproperlyConfigured:
        return []  # reported by check_settings
    errors: list[CheckMessage] = []
    for entry in entries:
        try:
            behavior = _load_behavior(entry)
        except ImproperlyConfigured as exc:
            errors.append(
                _error(
                    3,
                    str(exc),
                    "List dotted paths of django_functionalkit.behaviors.Behavior subclasses.",
                )
            )
            continue
        for is_async, missing in ((False, "handle"), (True, "ahandle")):
            if not behavior.has_path(is_async=is_async):
                errors.append(
                    _error(
                        5,
                        f"Behavior {behavior!r} does not define {missing}(): on the "
                        f"{'async' if is_async else 'sync'} path it would do nothing.",
                        "A behavior runs on both paths: define handle() and ahandle().",
                    )
                )
    return errors


@checks.register("functionalkit")
def check_audit(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """E006, W002, W003: where and in which order audit entries are written."""
    from django.conf import settings

    from . import conf
    from .messenger import _load_behavior

    try:
        config = conf.get_config()
    except ImproperlyConfigured:
        return []  # reported by check_settings
    found: list[CheckMessage] = []
    alias = config["AUDIT_DATABASE"]
    if alias is not None and alias not in settings.DATABASES:
        found.append(
            _error(
                6,
                f'FUNCTIONALKIT["AUDIT_DATABASE"] is {alias!r}, which is not in DATABASES.',
                "Add a second alias with the same database settings, or set it to None.",
            )
        )
    elif alias is not None and settings.DATABASES[alias].get("ATOMIC_REQUESTS"):
        found.append(
            checks.Warning(
                f"The AUDIT_DATABASE alias {alias!r} has ATOMIC_REQUESTS on: its audit entries "
                "join the request's transaction and go with its rollback.",
                hint="Turn ATOMIC_REQUESTS off for the audit alias.",
                id="functionalkit.W003",
            )
        )
    loaded = []
    for entry in config["BEHAVIORS"]:
        try:
            loaded.append(_load_behavior(entry))
        except ImproperlyConfigured:
            continue  # reported by check_behaviors
    found.extend(_order_warnings(loaded))
    return found


@checks.register("functionalkit")
def check_handlers(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """E001 and E002: one handler per query and command, each callable with its message."""
    errors: list[CheckMessage] = []
    for message_type, specs in registry.duplicates().items():
        names = ", ".join(s.name for s in specs)
        errors.append(
            _error(
                1,
                f"{_qualname(message_type)} has {len(specs)} handlers: {names}.",
                "A query or command has exactly one handler: remove the others, or give each "
                "its own message type.",
                obj=_qualname(message_type),
            )
        )
    for spec in registry.specs():
        problem = _signature_problem(spec)
        if problem:
            errors.append(
                _error(
                    2,
                    f"Handler {spec.name} cannot handle {_qualname(spec.message_type)}: {problem}.",
                    "A handler takes the message as its only required argument "
                    "(after self, for a class).",
                    obj=spec.name,
                )
            )
    return errors


@checks.register("functionalkit")
def check_unhandled(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """W001: queries and commands defined in installed apps that nothing handles."""
    configs = app_configs if app_configs is not None else apps.get_app_configs()
    labels = {config.label for config in configs}
    warnings: list[CheckMessage] = []
    for message_type in _concrete_messages():
        config = apps.get_containing_app_config(message_type.__module__)
        if config is None or config.label not in labels or config.name == "django_functionalkit":
            continue
        if not registry.has_handler(message_type):
            warnings.append(
                checks.Warning(
                    f"{message_type.kind.title()} {_qualname(message_type)} has no handler.",
                    hint=f"Write one with @handler in {config.name}.handlers (or another "
                    'module listed in FUNCTIONALKIT["HANDLER_MODULES"]).',
                    obj=_qualname(message_type),
                    id="functionalkit.W001",
                )
            )
    return warnings


@checks.register("functionalkit")
def check_marker_fields(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """E007: marker options (``required_permissions``, ``cache_key``, ...) are no fields."""
    import dataclasses

    from .markers import marker_options

    errors: list[CheckMessage] = []
    for message_type in sorted({s.message_type for s in registry.specs()}, key=_qualname):
        options = marker_options(message_type)
        try:
            declared = dataclasses.fields(message_type)  # type: ignore[arg-type]
        except TypeError:  # not a dataclass: nothing is a field
            continue
        fields = [f.name for f in declared if f.name in options]
        if fields:
            errors.append(
                _error(
                    7,
                    f"{_qualname(message_type)} declares the marker option "
                    f"{', '.join(fields)} as a dataclass field: a constructor argument that "
                    "a caller could set (message views leave it out of the request's input).",
                    "Declare a marker option unannotated (required_permissions = (...)), as a "
                    "ClassVar, or as a property.",
                    obj=_qualname(message_type),
                )
            )
    return errors


def _order_warnings(behaviors: list[Any]) -> list[CheckMessage]:
    """W002 and W004: behaviors listed in an order that defeats them."""
    from .behaviors import AuditBehavior, AuthorizationBehavior, CacheBehavior, TransactionBehavior

    def first(kind: type) -> int | None:
        return next((i for i, b in enumerate(behaviors) if isinstance(b, kind)), None)

    found: list[CheckMessage] = []
    audit, transaction = first(AuditBehavior), first(TransactionBehavior)
    if audit is not None and transaction is not None and audit > transaction:
        found.append(
            checks.Warning(
                "AuditBehavior is listed after TransactionBehavior: the audit entry of a "
                "failed command is written inside its transaction and rolled back with it.",
                hint="List AuditBehavior before TransactionBehavior (outermost first).",
                id="functionalkit.W002",
            )
        )
    cache, authorization = first(CacheBehavior), first(AuthorizationBehavior)
    if cache is not None and authorization is not None and cache < authorization:
        found.append(
            checks.Warning(
                "CacheBehavior is listed before AuthorizationBehavior: a cached result would be "
                "served before the actor's permissions are checked.",
                hint="List AuthorizationBehavior before CacheBehavior (outermost first).",
                id="functionalkit.W004",
            )
        )
    return found


def _signature_problem(spec: HandlerSpec) -> str:
    function = getattr(spec.target, "handle") if spec.is_class else spec.target  # noqa: B009
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return ""  # builtins and C callables: nothing to check
    params = list(signature.parameters.values())
    if spec.is_class and params:
        params = params[1:]  # self
    try:
        inspect.Signature(params).bind(object())
    except TypeError as exc:
        return str(exc)
    return ""


def _concrete_messages() -> Iterator[type[Message]]:
    """Query and command classes that nothing subclasses (bases are not dispatched)."""
    seen: set[type] = set()
    stack: list[type] = [Query, Command]
    while stack:
        cls = stack.pop()
        subclasses = [s for s in cls.__subclasses__() if s not in seen]
        seen.update(subclasses)
        stack.extend(subclasses)
        if not cls.__subclasses__() and cls not in (Query, Command):
            yield cls


def _qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _error(number: int, msg: str, hint: str, obj: Any = None) -> checks.Error:
    return checks.Error(msg, hint=hint, obj=obj, id=f"functionalkit.E{number:03d}")
