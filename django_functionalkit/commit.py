"""Publishing inside a transaction: delivered after it commits, never after a rollback.

``messenger.publish`` asks ``in_transaction()`` on every call, so the check is one thread-local
read and one attribute. A test's own transaction (Django's ``TestCase``, pytest-django's ``db``)
does not count: there, notifications are delivered at once, as the code under test would see
them outside a test.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

__all__ = ["defer_until_commit", "in_transaction", "transaction_depth"]

_local = threading.local()

# How many commands' transactions are open around the current code (TransactionBehavior sets
# it on both paths). Async code cannot ask the connection (it lives on Django's database
# thread), and async code called through async_to_sync from inside a sync command sees it too.
transaction_depth: ContextVar[int] = ContextVar("functionalkit_transaction_depth", default=0)


def _connection() -> Any:
    try:
        return _local.connection
    except AttributeError:
        _local.connection = connections[DEFAULT_DB_ALIAS]
        return _local.connection


def in_transaction() -> bool:
    """Whether code on this thread runs inside a transaction of its own (tests' excluded)."""
    connection = _connection()
    if not connection.in_atomic_block:
        return False
    return not all(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def defer_until_commit(deliver: Callable[[], None]) -> None:
    """Run ``deliver`` when the current transaction commits; a failure there is logged."""

    def deliver_after_commit() -> None:
        deliver()

    # Django names the callback when it logs a failure: a functools.partial has no name, and
    # the logging itself would then fail, after the commit, into the caller's response.
    name = getattr(deliver, "__qualname__", None) or getattr(
        getattr(deliver, "func", None), "__qualname__", "notification delivery"
    )
    deliver_after_commit.__qualname__ = deliver_after_commit.__name__ = str(name)
    transaction.on_commit(deliver_after_commit, robust=True)
