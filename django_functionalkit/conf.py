"""The ``FUNCTIONALKIT`` setting, merged with its defaults and re-read when settings change.

``fk_settings.BEHAVIORS`` and friends read the merged value; tests that use
``override_settings(FUNCTIONALKIT=...)`` see their values at once, and the messenger rebuilds
its pipelines (see ``messenger.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import connections
from django.dispatch import receiver

from .listeners import notify, weak_callback

__all__ = ["DEFAULTS", "fk_settings", "get_config"]

DEFAULTS: dict[str, Any] = {
    # Behaviors around every handler, outermost first, as dotted paths or classes. Each applies
    # only to the messages it is meant for; docs/behaviors.md gives the reason for each place.
    "BEHAVIORS": [
        "django_functionalkit.behaviors.AuditBehavior",
        "django_functionalkit.behaviors.AuthorizationBehavior",
        "django_functionalkit.behaviors.ValidationBehavior",
        "django_functionalkit.behaviors.CacheBehavior",
        "django_functionalkit.behaviors.TransactionBehavior",
    ],
    # Module names imported from every installed app at start-up, like the admin's admin.py.
    "HANDLER_MODULES": ["handlers"],
    # Builds class handlers: a callable taking the class (dotted path or callable).
    "HANDLER_FACTORY": "django_functionalkit.registry.default_factory",
    # What publish does when handlers fail: "raise" an ExceptionGroup after all ran, or "log".
    "PUBLISH_ERRORS": "raise",
    # -- caching (behaviors.caching) --
    # Prefix and version of every key the cache behavior writes.
    "CACHE_KEY_PREFIX": "functionalkit",
    "CACHE_VERSION": 1,
    # How long concurrent misses of one key wait for the one computing it (backends with locks).
    "CACHE_LOCK_TIMEOUT": 10,
    # -- audit (behaviors.audit) --
    # Database alias the audit log is written through; None: the default database. Point it at a
    # second alias of the same database so entries of rolled-back commands survive.
    "AUDIT_DATABASE": None,
    # Audit every query too, not only those marked Audited.
    "AUDIT_QUERIES": False,
    # Key names redacted at any depth, as parts of keys, besides the built-in ones
    # (audit_payload.SECRET_KEYS and SECRET_WHOLE_KEYS, listed in docs/audit.md#redaction).
    "AUDIT_REDACT": [],
    # Longest request data or outcome stored, in characters of JSON.
    "AUDIT_MAX_PAYLOAD": 10_000,
    # -- stored events (delivery.events) --
    # Database alias event rows are written through, in the publishing transaction on it;
    # None: the router's choice for StoredEvent (the default database).
    "EVENT_DATABASE": None,
    # Old stored type names -> the class that reads them now (a dotted path or an event_type).
    "EVENT_TYPE_ALIASES": {},
    # -- background handlers (delivery.runner) --
    # How long a worker holds a delivery it claimed; past it, another may run it again.
    "DELIVERY_LEASE_SECONDS": 300,
    # The retry policy of a background handler that declares none (RetryPolicy's fields).
    "DELIVERY_RETRY": {"attempts": 5, "backoff_base": 1.0, "backoff_cap": 300.0},
    # The TASKS alias new deliveries are enqueued on after the commit (a wake-up: the delivery
    # table stays the truth); None: no tasks, the sweeper alone runs deliveries.
    "DELIVERY_TASK_BACKEND": "default",
    # The queue of that backend the wake-up tasks go to.
    "DELIVERY_QUEUE": "default",
    # -- logging (behaviors.logging) --
    # Dispatches slower than this many seconds are logged as warnings.
    "SLOW_DISPATCH_SECONDS": 1.0,
    # -- paging (paging.py, rest) --
    # The largest page_size PagedResult.of and the list actions of message views accept.
    "MAX_PAGE_SIZE": 100,
}

_on_change: list[Callable[[], Callable[[], None] | None]] = []


def get_config() -> dict[str, Any]:
    """``FUNCTIONALKIT`` over the defaults; a wrong key or value raises ImproperlyConfigured."""
    user = getattr(settings, "FUNCTIONALKIT", None) or {}
    if not isinstance(user, dict):
        raise ImproperlyConfigured(f"FUNCTIONALKIT must be a dict, got {type(user).__name__}.")
    unknown = sorted(set(user) - set(DEFAULTS))
    if unknown:
        raise ImproperlyConfigured(
            f"Unknown FUNCTIONALKIT setting(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(DEFAULTS))}."
        )
    config = {**DEFAULTS, **user}
    for key in ("BEHAVIORS", "HANDLER_MODULES"):
        if isinstance(config[key], str) or not isinstance(config[key], (list, tuple)):
            raise ImproperlyConfigured(
                f'FUNCTIONALKIT["{key}"] must be a list, got {config[key]!r}; '
                f"for one entry write [{config[key]!r}]."
            )
    if not all(isinstance(name, str) and name for name in config["HANDLER_MODULES"]):
        raise ImproperlyConfigured('FUNCTIONALKIT["HANDLER_MODULES"] lists module names (strings).')
    if config["PUBLISH_ERRORS"] not in ("raise", "log"):
        mode = config["PUBLISH_ERRORS"]
        raise ImproperlyConfigured(
            f'FUNCTIONALKIT["PUBLISH_ERRORS"] is "raise" or "log", not {mode!r}.'
        )
    prefix = config["CACHE_KEY_PREFIX"]
    if not isinstance(prefix, str) or not prefix or any(c.isspace() for c in prefix):
        raise ImproperlyConfigured('FUNCTIONALKIT["CACHE_KEY_PREFIX"] is a word without spaces.')
    if isinstance(config["CACHE_VERSION"], bool) or not isinstance(
        config["CACHE_VERSION"], int | str
    ):
        raise ImproperlyConfigured('FUNCTIONALKIT["CACHE_VERSION"] is a number or a string.')
    lock = config["CACHE_LOCK_TIMEOUT"]
    if isinstance(lock, bool) or not isinstance(lock, int | float) or lock <= 0:
        raise ImproperlyConfigured(
            'FUNCTIONALKIT["CACHE_LOCK_TIMEOUT"] is a number of seconds > 0.'
        )
    redact = config["AUDIT_REDACT"]
    if isinstance(redact, str) or not all(isinstance(k, str) for k in redact):
        raise ImproperlyConfigured('FUNCTIONALKIT["AUDIT_REDACT"] is a list of field names.')
    cap = config["AUDIT_MAX_PAYLOAD"]
    if isinstance(cap, bool) or not isinstance(cap, int) or cap < 0:
        raise ImproperlyConfigured('FUNCTIONALKIT["AUDIT_MAX_PAYLOAD"] is a whole number >= 0.')
    slow = config["SLOW_DISPATCH_SECONDS"]
    if slow is not None and (
        isinstance(slow, bool) or not isinstance(slow, int | float) or slow < 0
    ):
        raise ImproperlyConfigured(
            'FUNCTIONALKIT["SLOW_DISPATCH_SECONDS"] is a number of seconds >= 0, or None.'
        )
    _check_paging(config)
    _check_events(config)
    _check_deliveries(config)
    return config


def _check_deliveries(config: dict[str, Any]) -> None:
    from .delivery.policy import RetryPolicy

    lease = config["DELIVERY_LEASE_SECONDS"]
    if isinstance(lease, bool) or not isinstance(lease, int | float) or lease <= 0:
        raise ImproperlyConfigured(
            'FUNCTIONALKIT["DELIVERY_LEASE_SECONDS"] is a number of seconds > 0.'
        )
    backend = config["DELIVERY_TASK_BACKEND"]
    if backend is not None and (not isinstance(backend, str) or not backend):
        raise ImproperlyConfigured(
            'FUNCTIONALKIT["DELIVERY_TASK_BACKEND"] is an alias of TASKS, or None.'
        )
    queue = config["DELIVERY_QUEUE"]
    if not isinstance(queue, str) or not queue:
        raise ImproperlyConfigured('FUNCTIONALKIT["DELIVERY_QUEUE"] is a queue name.')
    retry = config["DELIVERY_RETRY"]
    try:
        RetryPolicy(**retry)
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(
            'FUNCTIONALKIT["DELIVERY_RETRY"] is a dict of RetryPolicy fields (attempts, '
            f"backoff_base, backoff_cap): {exc}"
        ) from exc


def _check_events(config: dict[str, Any]) -> None:
    alias = config["EVENT_DATABASE"]
    if alias is not None and (not isinstance(alias, str) or not alias):
        raise ImproperlyConfigured('FUNCTIONALKIT["EVENT_DATABASE"] is a database alias or None.')
    aliases = config["EVENT_TYPE_ALIASES"]
    if not isinstance(aliases, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in aliases.items()
    ):
        raise ImproperlyConfigured(
            'FUNCTIONALKIT["EVENT_TYPE_ALIASES"] maps old type names to dotted paths (strings).'
        )


def _check_paging(config: dict[str, Any]) -> None:
    size = config["MAX_PAGE_SIZE"]
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ImproperlyConfigured('FUNCTIONALKIT["MAX_PAGE_SIZE"] is a whole number >= 1.')


class _Settings:
    """Typed access to the merged configuration, read once and cached until it changes."""

    def __init__(self) -> None:
        self._config: dict[str, Any] | None = None

    def _get(self, name: str) -> Any:
        if self._config is None:
            self._config = get_config()
        return self._config[name]

    @property
    def BEHAVIORS(self) -> list[str | type]:  # noqa: N802 - named as the setting
        return list(self._get("BEHAVIORS"))

    @property
    def HANDLER_MODULES(self) -> list[str]:  # noqa: N802
        return list(self._get("HANDLER_MODULES"))

    @property
    def HANDLER_FACTORY(self) -> str | Callable[[type], object]:  # noqa: N802
        factory: str | Callable[[type], object] = self._get("HANDLER_FACTORY")
        return factory

    @property
    def PUBLISH_ERRORS(self) -> str:  # noqa: N802
        mode: str = self._get("PUBLISH_ERRORS")
        return mode

    def __getattr__(self, name: str) -> Any:
        """Any other key of the setting, by name (``fk_settings.CACHE_VERSION``)."""
        if name.isupper() and name in DEFAULTS:
            return self._get(name)
        raise AttributeError(f"Unknown FUNCTIONALKIT setting: {name}")

    def reload(self) -> None:
        """Forget the cached configuration and tell whoever built something from it."""
        self._config = None
        _on_change[:] = notify(_on_change)


fk_settings = _Settings()


def on_change(callback: Callable[[], None]) -> None:
    """Call ``callback`` whenever the configuration changes (pipelines rebuild this way).

    A bound method is held weakly, so a messenger nobody uses any more is freed.
    """
    _on_change.append(weak_callback(callback))


def audit_database_problem(alias: str | None) -> tuple[str, str] | None:
    """What is wrong with ``AUDIT_DATABASE`` set to ``alias``, and the fix; ``None`` if nothing.

    The one test, for the system check (E006) and the first audited dispatch, against the
    aliases Django's connections are built from.
    """
    if alias is None or alias in connections.settings:
        return None
    known = ", ".join(connections.settings)
    return (
        f'FUNCTIONALKIT["AUDIT_DATABASE"] is {alias!r}, which is not in DATABASES ({known}).',
        "Add a second alias with the default database's settings, or remove the setting.",
    )


@receiver(setting_changed)
def _reload(*, setting: str, **kwargs: Any) -> None:
    if setting == "FUNCTIONALKIT":
        fk_settings.reload()
