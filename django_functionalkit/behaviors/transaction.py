"""``TransactionBehavior``: every command runs in ``transaction.atomic``; a ``Failure`` rolls back.

A command inside another (a handler sending a command, or a request under
``ATOMIC_REQUESTS``) runs in a savepoint of the outer transaction: its failure undoes its own
writes, and the outer code decides about the rest.

On the async path (``asend``), Django runs database work on one thread per request (the
thread-sensitive executor of ``sync_to_async``), sync handlers and the async ORM alike. The
atomic block is opened and closed on that thread, so the handler's queries run inside it. Code
that does database work on another thread of its own is outside the transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from asgiref.sync import sync_to_async
from django.db import DEFAULT_DB_ALIAS, transaction

from django_functionalkit.commit import async_transaction_depth
from django_functionalkit.messages import Command
from django_functionalkit.results import Failure

from .base import Behavior

__all__ = ["TransactionBehavior"]


class TransactionBehavior(Behavior):
    """Runs commands atomically on ``using`` (the default database by default)."""

    message_types: ClassVar[tuple[type, ...]] = (Command,)
    using: ClassVar[str] = DEFAULT_DB_ALIAS

    def handle(self, message: Any, call_next: Callable[[Any], Any]) -> Any:
        with transaction.atomic(using=self.using):
            result = call_next(message)
            if isinstance(result, Failure):
                transaction.set_rollback(True, using=self.using)
        return result

    async def ahandle(self, message: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
        atomic = transaction.atomic(using=self.using)
        await _on_db_thread(atomic.__enter__)
        token = async_transaction_depth.set(async_transaction_depth.get() + 1)
        try:
            result = await call_next(message)
        except BaseException as exc:
            async_transaction_depth.reset(token)
            await _on_db_thread(atomic.__exit__, type(exc), exc, exc.__traceback__)
            raise
        async_transaction_depth.reset(token)
        if isinstance(result, Failure):
            await _on_db_thread(transaction.set_rollback, True, using=self.using)
        await _on_db_thread(atomic.__exit__, None, None, None)
        return result


async def _on_db_thread(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run ``fn`` on the thread Django's async ORM and sync handlers use for this context."""
    return await sync_to_async(fn, thread_sensitive=True)(*args, **kwargs)
