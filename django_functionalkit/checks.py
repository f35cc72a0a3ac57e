"""System checks, run by ``manage.py check`` and at start-up, each with a hint.

=====================  ==========================================================
functionalkit.E001     two different handlers for one query or command
functionalkit.E002     a handler cannot be called with just its message
functionalkit.E003     a behavior cannot be imported or is not a Behavior
functionalkit.E004     the FUNCTIONALKIT setting is invalid
functionalkit.E005     a behavior defines one of handle() and ahandle() but not the other
functionalkit.E006     AUDIT_DATABASE names an alias that is not in DATABASES
functionalkit.E007     a message declares a marker option as a dataclass field
functionalkit.E008     a Cacheable query does not define cache_key
functionalkit.E009     a messages entry of a routed message view that no route reaches
functionalkit.E010     a stored notification type cannot round-trip through its JSON
functionalkit.E011     a routed message declares a field constraint its serializer cannot enforce
functionalkit.W001     a query or command in an installed app has no handler
functionalkit.W002     AuditBehavior is listed inside TransactionBehavior
functionalkit.W003     the AUDIT_DATABASE alias has ATOMIC_REQUESTS on
functionalkit.W004     CacheBehavior is listed outside AuthorizationBehavior
functionalkit.W005     CacheBehavior over a database with AUTOCOMMIT off
functionalkit.W006     TransactionBehavior over SQLite without transaction_mode IMMEDIATE
functionalkit.W007     authorized or audited messages, but no FunctionalKitMiddleware
functionalkit.W008     a required permission that does not exist (``check --database``)
functionalkit.W009     a required permission that is not written "app_label.codename"
functionalkit.W010     cached queries under ATOMIC_REQUESTS on a database that reads snapshots
=====================  ==========================================================

Messages and hints are English and not marked for translation, as Django's own checks: they
are for the developer, quote code and setting names, and are searched for by their text.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Sequence
from typing import Any

from django.apps import AppConfig, apps
from django.core import checks
from django.core.checks import CheckMessage
from django.core.exceptions import ImproperlyConfigured

from .introspection import dotted_name, subclasses
from .messages import Command, Message, Query
from .registry import HandlerSpec, registry

__all__ = [
    "check_audit",
    "check_behaviors",
    "check_cache_keys",
    "check_handlers",
    "check_marker_fields",
    "check_middleware",
    "check_permission_names",
    "check_permissions_exist",
    "check_routes",
    "check_settings",
    "check_stored_events",
    "check_transactions",
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
    from django.db import connections

    from . import conf

    try:
        config = conf.get_config()
    except ImproperlyConfigured:
        return []  # reported by check_settings
    found: list[CheckMessage] = []
    alias = config["AUDIT_DATABASE"]
    problem = conf.audit_database_problem(alias)
    if problem is not None:
        found.append(_error(6, *problem))
    elif alias is not None and connections.settings[alias].get("ATOMIC_REQUESTS"):
        found.append(
            checks.Warning(
                f"The AUDIT_DATABASE alias {alias!r} has ATOMIC_REQUESTS on: its audit entries "
                "join the request's transaction and go with its rollback.",
                hint="Turn ATOMIC_REQUESTS off for the audit alias.",
                id="functionalkit.W003",
            )
        )
    found.extend(_order_warnings(_loaded_behaviors()))  # the others: E003
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
                f"{dotted_name(message_type)} has {len(specs)} handlers: {names}.",
                "A query or command has exactly one handler: remove the others, or give each "
                "its own message type.",
                obj=dotted_name(message_type),
            )
        )
    for spec in registry.specs():
        problem = _signature_problem(spec)
        if problem:
            errors.append(
                _error(
                    2,
                    f"Handler {spec.name} cannot handle {dotted_name(spec.message_type)}: "
                    f"{problem}.",
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
    if _settings_invalid():
        return []  # discovery did not run (apps.py): every message would look unhandled
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
                    f"{message_type.kind.title()} {dotted_name(message_type)} has no handler.",
                    hint=f"Write one with @handler in {config.name}.handlers (or another "
                    'module listed in FUNCTIONALKIT["HANDLER_MODULES"]).',
                    obj=dotted_name(message_type),
                    id="functionalkit.W001",
                )
            )
    return warnings


# -- wiring a user can get wrong: E008, E009, W007, W008, W009 ---------------------------------


@checks.register("functionalkit")
def check_cache_keys(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """E008: every ``Cacheable`` query defines ``cache_key`` (else its first dispatch raises)."""
    from .markers import Cacheable

    if _settings_invalid():
        return []
    inherited = inspect.getattr_static(Cacheable, "cache_key")
    return [
        _error(
            8,
            f"{dotted_name(query)} is Cacheable but does not define cache_key: its first "
            "dispatch through CacheBehavior raises NotImplementedError.",
            "Add a cache_key property built from the query's fields, or a ClassVar string.",
            obj=dotted_name(query),
        )
        for query in _checked_messages(app_configs)
        if issubclass(query, Query)
        and issubclass(query, Cacheable)
        and inspect.getattr_static(query, "cache_key") is inherited
    ]


@checks.register("functionalkit")
def check_middleware(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """W007: authorized or audited messages are registered, but no middleware sets the actor."""
    from .behaviors import AuditBehavior, AuthorizationBehavior

    if _settings_invalid() or _has_middleware():
        return []
    needing = [
        b for b in _loaded_behaviors() if isinstance(b, AuthorizationBehavior | AuditBehavior)
    ]
    names = sorted(
        {
            dotted_name(spec.message_type)
            for spec in registry.specs()
            if any(b.applies_to(spec.message_type) for b in needing)
        }
    )
    if not names:
        return []
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return [
        checks.Warning(
            "FunctionalKitMiddleware is not in MIDDLEWARE, yet messages are authorized or "
            f"audited ({shown}): outside DRF views their actor is None, so every authorized "
            "one is refused and audit entries name no user.",
            hint='Add "django_functionalkit.middleware.FunctionalKitMiddleware" to MIDDLEWARE, '
            "after AuthenticationMiddleware (set_actor() for work outside requests).",
            id="functionalkit.W007",
        )
    ]


@checks.register("functionalkit")
def check_permission_names(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """W009: every ``required_permissions`` entry is written ``"app_label.codename"``."""
    if _settings_invalid():
        return []
    return [
        checks.Warning(
            f"{dotted_name(message_type)} requires the permission {name!r}, which is not "
            '"app_label.codename": no user but a superuser has it, so everyone else is refused.',
            hint='Write permissions as Django names them: "app_label.codename", '
            'such as "loans.borrow_book".',
            obj=dotted_name(message_type),
            id="functionalkit.W009",
        )
        for message_type, name in _required_permissions(app_configs)
        if not _permission_key(name)
    ]


@checks.register("functionalkit", checks.Tags.database)
def check_permissions_exist(
    app_configs: Sequence[AppConfig] | None = None,
    databases: Sequence[str] | None = None,
    **kwargs: Any,
) -> list[CheckMessage]:
    """W008 (``check --database default``): every required permission exists."""
    if not databases or _settings_invalid() or not apps.is_installed("django.contrib.auth"):
        return []
    required = [
        (t, n, key) for t, n in _required_permissions(app_configs) if (key := _permission_key(n))
    ]
    found: dict[tuple[str, str], CheckMessage] = {}
    for alias in databases:
        existing = _existing_permissions(alias)
        if existing is None:
            continue
        for message_type, name, key in required:
            if key not in existing and (dotted_name(message_type), name) not in found:
                found[dotted_name(message_type), name] = checks.Warning(
                    f"{dotted_name(message_type)} requires the permission {name!r}, which does "
                    f"not exist in the database {alias!r}: nobody but a superuser has it, so "
                    "everyone else is refused.",
                    hint="Check its spelling against the model's permissions "
                    "(add_, change_, delete_, view_<model>, and Meta.permissions).",
                    obj=dotted_name(message_type),
                    id="functionalkit.W008",
                )
    return list(found.values())


@checks.register("functionalkit", checks.Tags.urls)
def check_routes(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """E009 and E011: every ``messages`` entry of a routed message view is an action a route
    reaches, whose message a request can fill."""
    from django.conf import settings

    if not getattr(settings, "ROOT_URLCONF", None):
        return []  # a project without URLs (workers): nothing is routed
    try:
        from .rest.views import MessageAPIView
    except ImportError:  # DRF is not installed: there are no message views
        return []
    errors: list[CheckMessage] = []
    served: dict[type[Message], type] = {}
    for view, reached in _routed_message_views().items():
        for action, message_type in view.messages.items():
            if action in reached:
                served.setdefault(message_type, view)
                continue
            if issubclass(view, MessageAPIView):
                hint = "Key messages by the HTTP method: get, post, put, patch or delete."
            else:
                hint = (
                    "Name a standard action (list, create, retrieve, update, partial_update, "
                    "destroy) or an @action of the viewset, or route the action."
                )
            errors.append(
                _error(
                    9,
                    f"{dotted_name(view)}.messages maps {action!r} to {dotted_name(message_type)}, "
                    f"but no route reaches that action (routed: {', '.join(sorted(reached))}).",
                    hint,
                    obj=dotted_name(view),
                )
            )
    return errors + _unbuildable_inputs(served)


def _unbuildable_inputs(served: dict[type[Message], type]) -> list[CheckMessage]:
    """E011: a routed message whose fields declare what its serializer cannot enforce."""
    from .rest.serializers import message_serializer_class

    if _settings_invalid():
        return []  # a serializer reads the settings: reported by check_settings
    errors: list[CheckMessage] = []
    for message_type, view in served.items():
        try:
            message_serializer_class(message_type)
        except TypeError as exc:
            errors.append(
                _error(
                    11,
                    f"{dotted_name(message_type)}, served by {dotted_name(view)}, cannot be "
                    f"read from a request: {exc} Every request to it would fail.",
                    "Declare only the constraints the library enforces (Ge, Gt, Le, Lt, "
                    "Interval, MinLen, MaxLen, Len, Pattern), each on a type it applies to.",
                    obj=dotted_name(message_type),
                )
            )
    return errors


@checks.register("functionalkit")
def check_marker_fields(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """E007: marker options (``required_permissions``, ``cache_key``, ...) are no fields."""
    import dataclasses

    from .markers import marker_options

    errors: list[CheckMessage] = []
    for message_type in sorted({s.message_type for s in registry.specs()}, key=dotted_name):
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
                    f"{dotted_name(message_type)} declares the marker option "
                    f"{', '.join(fields)} as a dataclass field: a constructor argument that "
                    "a caller could set (message views leave it out of the request's input).",
                    "Declare a marker option unannotated (required_permissions = (...)), as a "
                    "ClassVar, or as a property.",
                    obj=dotted_name(message_type),
                )
            )
    return errors


@checks.register("functionalkit")
def check_transactions(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """W005, W006, W010: databases configured in a way that defeats the cache or the behavior."""
    from django.conf import settings

    from .behaviors import CacheBehavior, TransactionBehavior
    from .behaviors.caching.isolation import reads_a_snapshot

    if _settings_invalid():
        return []  # reported by check_settings
    behaviors = _loaded_behaviors()  # the others: E003
    found: list[CheckMessage] = []
    if any(isinstance(b, CacheBehavior) for b in behaviors):
        found.extend(
            checks.Warning(
                f"Database {alias!r} has AUTOCOMMIT off: nothing tells when its transactions "
                "commit, so cached queries may store rows that are never committed, and "
                "invalidations (and notifications) run before the commit.",
                hint="Leave AUTOCOMMIT on and use transaction.atomic or ATOMIC_REQUESTS.",
                id="functionalkit.W005",
            )
            for alias, database in settings.DATABASES.items()
            if database.get("AUTOCOMMIT", True) is False
        )
        found.extend(
            checks.Warning(
                f"Database {alias!r} has ATOMIC_REQUESTS on and its transactions read a snapshot "
                "(REPEATABLE READ, SERIALIZABLE or SQLite's WAL mode): a cached query that "
                "misses inside a request is computed but never stored, since what it read may "
                "be older than the cache's generations.",
                hint="Use READ COMMITTED for this database, or turn ATOMIC_REQUESTS off (the "
                "transaction behavior makes each command atomic).",
                id="functionalkit.W010",
            )
            for alias, database in settings.DATABASES.items()
            if database.get("ATOMIC_REQUESTS") and reads_a_snapshot(database)
        )
    for alias in dict.fromkeys(b.using for b in behaviors if isinstance(b, TransactionBehavior)):
        database: dict[str, Any] = settings.DATABASES.get(alias, {})
        options: dict[str, Any] = database.get("OPTIONS") or {}
        mode = str(options.get("transaction_mode") or "DEFERRED")
        if database.get("ENGINE") == "django.db.backends.sqlite3" and mode.upper() not in (
            "IMMEDIATE",
            "EXCLUSIVE",
        ):
            found.append(
                checks.Warning(
                    f"TransactionBehavior runs commands on SQLite database {alias!r} without "
                    '"transaction_mode": "IMMEDIATE": concurrent commands then fail with '
                    '"database is locked" instead of waiting for each other.',
                    hint=f'Add "OPTIONS": {{"transaction_mode": "IMMEDIATE"}} to '
                    f"DATABASES[{alias!r}] (see the transactions page of the docs).",
                    id="functionalkit.W006",
                )
            )
    return found


@checks.register("functionalkit")
def check_stored_events(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """E010: stored notification types round-trip through JSON, each under a name of its own.

    Checked: the stored types defined in installed apps, and those a registered handler hears.
    """
    from .delivery import events, serialization

    if _settings_invalid():
        return []
    heard = {s.message_type for s in registry.specs() if s.message_type.kind == "notification"}
    errors: list[CheckMessage] = []
    for name, classes in sorted(events.stored_types().items()):
        for cls in classes:
            if not (
                issubclass(cls, tuple(heard))
                or apps.get_containing_app_config(cls.__module__) is not None
            ):
                continue
            if len(classes) > 1:
                others = ", ".join(dotted_name(c) for c in classes if c is not cls)
                errors.append(
                    _error(
                        10,
                        f"{dotted_name(cls)} is stored under the type name {name!r}, as {others} "
                        "is: its events could not be told apart when read.",
                        "Give one of them another event_type.",
                        obj=dotted_name(cls),
                    )
                )
            errors.extend(
                _error(
                    10,
                    f"{dotted_name(cls)} is stored, but cannot be read back as it was: {problem}.",
                    "Declare its fields with the types stored events hold (docs/events.md), or "
                    "do not mark it Stored.",
                    obj=dotted_name(cls),
                )
                for problem in serialization.problems(cls)
            )
    errors.extend(_alias_errors())
    return errors


def _alias_errors() -> list[CheckMessage]:
    """E010: every EVENT_TYPE_ALIASES entry names a class that reads the old rows (and E004:
    EVENT_DATABASE is an alias in DATABASES)."""
    from django.db import connections

    from .conf import fk_settings
    from .delivery.events import type_named

    errors: list[CheckMessage] = []
    alias = fk_settings.EVENT_DATABASE
    if alias is not None and alias not in connections.settings:
        errors.append(
            _error(
                4,
                f'FUNCTIONALKIT["EVENT_DATABASE"] is {alias!r}, which is not in DATABASES.',
                "Name the alias of the database your commands write to, or remove the setting.",
            )
        )
    for old in sorted(fk_settings.EVENT_TYPE_ALIASES):
        try:
            type_named(old)
        except LookupError as exc:
            errors.append(
                _error(
                    10,
                    str(exc),
                    "Map the old name to the dotted path or event_type of the class.",
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
    for cls in (*subclasses(Query), *subclasses(Command)):
        if not subclasses(cls):
            yield cls


def _error(number: int, msg: str, hint: str, obj: Any = None) -> checks.Error:
    return checks.Error(msg, hint=hint, obj=obj, id=f"functionalkit.E{number:03d}")


def _settings_invalid() -> bool:
    """Whether FUNCTIONALKIT is invalid (E004): then discovery did not run, and checks of the
    registry or of behaviors stand down rather than report its consequences."""
    from . import conf

    try:
        conf.get_config()
    except ImproperlyConfigured:
        return True
    return False


def _loaded_behaviors() -> list[Any]:
    """The configured behaviors that load (the others are E003)."""
    from . import conf
    from .messenger import _load_behavior

    loaded = []
    for entry in conf.get_config()["BEHAVIORS"]:
        try:
            loaded.append(_load_behavior(entry))
        except ImproperlyConfigured:
            continue
    return loaded


def _checked_messages(app_configs: Sequence[AppConfig] | None) -> list[type[Message]]:
    """Queries and commands of the apps checked, and every registered message for a whole
    project check (a message may live outside any app, next to its handler)."""
    labels = None if app_configs is None else {config.label for config in app_configs}
    found: dict[type[Message], None] = {}
    for message_type in _concrete_messages():
        config = apps.get_containing_app_config(message_type.__module__)
        if config is not None and (labels is None or config.label in labels):
            found[message_type] = None
    if labels is None:
        found.update((spec.message_type, None) for spec in registry.specs())
    return list(found)


def _has_middleware() -> bool:
    from django.conf import settings
    from django.utils.module_loading import import_string

    from .middleware import FunctionalKitMiddleware

    for path in settings.MIDDLEWARE:
        try:
            middleware = import_string(path)
        except ImportError:
            continue  # Django reports it at start-up
        if isinstance(middleware, type) and issubclass(middleware, FunctionalKitMiddleware):
            return True
    return False


def _required_permissions(
    app_configs: Sequence[AppConfig] | None,
) -> Iterator[tuple[type[Message], str]]:
    """``(message type, permission)`` for each permission a message class declares; one that
    depends on the message (a property) cannot be known here and is skipped."""
    from .markers import RequiresAuthorization

    for message_type in _checked_messages(app_configs):
        if not issubclass(message_type, RequiresAuthorization):
            continue
        names = inspect.getattr_static(message_type, "required_permissions", ())
        if isinstance(names, str):
            names = (names,)  # as the behavior reads it: one name
        if isinstance(names, list | tuple | set | frozenset):
            yield from ((message_type, name) for name in names)


def _permission_key(name: object) -> tuple[str, str] | None:
    """``("app_label", "codename")`` of ``"app_label.codename"``; ``None`` if malformed."""
    if not isinstance(name, str):
        return None
    app_label, dot, codename = name.partition(".")
    return (app_label, codename) if dot and app_label and codename else None


def _existing_permissions(alias: str) -> set[tuple[str, str]] | None:
    """The permissions in database ``alias``; ``None`` where that cannot be told yet: the
    table is elsewhere, or migrations are pending (``post_migrate`` creates permissions)."""
    from django.contrib.auth.models import Permission
    from django.db import DatabaseError, connections, router
    from django.db.migrations.executor import MigrationExecutor

    if not router.allow_migrate_model(alias, Permission):
        return None
    try:
        executor = MigrationExecutor(connections[alias])
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            return None
        rows = Permission.objects.using(alias).values_list("content_type__app_label", "codename")
        return set(rows)
    except DatabaseError:  # not migrated at all: `migrate` runs this check before it starts
        return None


def _routed_message_views() -> dict[type[Any], set[str]]:
    """Message views the URLconf routes, each with the actions (or methods) its routes reach."""
    from django.urls import URLResolver, get_resolver

    from .rest.views import MessageMixin

    reached: dict[type[Any], set[str]] = {}
    resolvers = [get_resolver()]
    while resolvers:
        try:
            patterns = resolvers.pop().url_patterns
        except ImproperlyConfigured:
            continue  # a URLconf without urlpatterns: Django's own URL checks report it
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                resolvers.append(pattern)
                continue
            view = getattr(pattern.callback, "cls", None)
            if not (isinstance(view, type) and issubclass(view, MessageMixin)):
                continue
            actions = getattr(pattern.callback, "actions", None)  # a viewset's {method: action}
            names = actions.values() if actions else _methods(view)
            reached.setdefault(view, set()).update(names)
    return reached


def _methods(view: type[Any]) -> list[str]:
    return [m for m in view.http_method_names if m != "options" and hasattr(view, m)]
