"""The one place that touches private APIs of other packages (asyncio, Django, asgiref).

Each is read here only, with the reason no public API does the job, and
``tests/test_compat.py`` exercises each against the installed package: an upgrade that changes
one fails there, by name. The drf-spectacular ones are in ``rest/compat.py``: DRF is an optional
extra, and the core modules that import this one must load without it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from asgiref.sync import SyncToAsync
from django.utils.functional import LazyObject, empty

__all__ = [
    "UNLOADED",
    "commit_callbacks",
    "has_own_atomic_block",
    "lazy_wrapped",
    "load_lazy",
    "postgresql_isolation_level",
    "running_loop",
    "thread_sensitive_context",
]

# -- asyncio ------------------------------------------------------------------------------------

# The running event loop, or None outside one. asyncio.get_running_loop() raises instead, and
# publish asks on every call, mostly from sync code: a C call beats a raised RuntimeError.
# (asyncio lists it in asyncio.events.__all__, for event loop implementations.)
running_loop: Callable[[], asyncio.AbstractEventLoop | None] = asyncio._get_running_loop


# -- asgiref ------------------------------------------------------------------------------------


def thread_sensitive_context() -> object | None:
    """The context whose thread ``sync_to_async(thread_sensitive=True)`` runs code on now.

    One per request under ASGI (asgiref's ``ThreadSensitiveContext``), else ``None``: asgiref
    has no public way to read it, and the transaction behavior gives commands one turn per
    database thread.
    """
    found: object | None = SyncToAsync.thread_sensitive_context.get(None)
    return found


# -- Django: transactions -----------------------------------------------------------------------
# Django has no public way to tell a test's atomic blocks from the code's own, nor to list the
# callbacks waiting for a commit; both are plain lists on the connection since Django 3.2.


def has_own_atomic_block(connection: Any) -> bool:
    """Whether ``connection``'s atomic blocks include one that is not a test's own
    (``TestCase``, pytest-django's ``db``)."""
    return not all(getattr(b, "_from_testcase", False) for b in connection.atomic_blocks)


def commit_callbacks(connection: Any) -> list[Callable[[], None]]:
    """The callbacks waiting for ``connection``'s commit (entries: savepoint ids, fn, robust)."""
    return [entry[1] for entry in connection.run_on_commit]


# -- Django: PostgreSQL isolation levels ---------------------------------------------------------


def postgresql_isolation_level(level: int) -> str:
    """The name of PostgreSQL isolation level ``level`` as ``OPTIONS["isolation_level"]`` gives
    it (``"REPEATABLE_READ"``), or ``""`` without a PostgreSQL driver.

    The number means another level under psycopg 2 than under psycopg 3; Django's backend reads
    it through its undocumented ``psycopg_any.IsolationLevel``, which knows which one is installed.
    """
    try:
        from django.db.backends.postgresql.psycopg_any import (  # type: ignore[import-untyped]
            IsolationLevel,
        )
    except ImportError:  # no psycopg: no PostgreSQL database either
        return ""
    return str(IsolationLevel(level).name)


# -- Django: lazy objects -----------------------------------------------------------------------
# A lazy object (request.user) loads on the first attribute read: telling whether it has
# loaded, without loading it, takes its private slot.

# What lazy_wrapped gives for a lazy object that has not loaded yet.
UNLOADED: Any = empty


def lazy_wrapped(lazy: LazyObject) -> Any:
    """What ``lazy`` wraps, or ``UNLOADED``; reading it never loads it."""
    return getattr(lazy, "_wrapped", empty)


def load_lazy(lazy: LazyObject) -> Any:
    """What ``lazy`` wraps, loaded now if it was not."""
    if getattr(lazy, "_wrapped", empty) is empty:
        getattr(lazy, "_setup")()  # noqa: B009 - private to mypy
    return getattr(lazy, "_wrapped")  # noqa: B009
