"""Helpers for your own tests: capture published notifications, replace a handler.

::

    from django_functionalkit.testing import capture_notifications, override_handler

    def test_create_user_announces_it():
        with capture_notifications() as published:
            messenger.send(CreateUser("Ada", "ada@example.com", "s3cret!"))
        assert [type(n) for n in published] == [UserCreated]

With pytest, the fixtures ``published_notifications`` and ``override_handler`` do the same
(``-p django_functionalkit.testing`` or ``pytest_plugins = ["django_functionalkit.testing"]``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

from .messages import Message, Notification
from .messenger import Messenger, messenger
from .registry import Registry

__all__ = [
    "capture_notifications",
    "isolated_handlers",
    "override_handler",
    "published_notifications",
]


def capture_notifications(
    *, deliver: bool = False, messenger: Messenger = messenger
) -> AbstractContextManager[list[Notification]]:
    """Collect every notification published inside the block, like ``mail.outbox``.

    By default the handlers do not run (the block tests who publishes what); ``deliver=True``
    runs them as well. A notification is recorded when it would be delivered: published in a
    transaction, when that commits, and never if it rolls back. The block sees the publishes of
    its own thread or task (and of the tasks and threads it starts), not those of others. Blocks
    nest: each sees what was published inside it.
    """
    return messenger.capture(deliver=deliver)


def isolated_handlers(*, messenger: Messenger = messenger) -> AbstractContextManager[Registry]:
    """Handlers registered inside the block (``@handler`` included) are gone after it."""
    return messenger.registry.isolated()


def override_handler(
    message_type: type[Message], handler: Callable[..., Any], *, messenger: Messenger = messenger
) -> AbstractContextManager[None]:
    """Handle ``message_type`` with ``handler`` inside the block (a fake, a stub, a spy)."""
    return messenger.registry.override(message_type, handler)


try:  # pytest fixtures, when pytest is there
    import pytest
except ImportError:  # pragma: no cover - pytest is a test dependency only
    pass
else:

    @pytest.fixture(name="published_notifications")
    def published_notifications() -> Iterator[list[Notification]]:
        """The notifications published during the test and delivered (their handlers do not run)."""
        with capture_notifications() as published:
            yield published

    @pytest.fixture(name="override_handler")
    def override_handler_fixture() -> Iterator[Callable[[type[Message], Callable[..., Any]], None]]:
        """``override_handler(MessageType, fake)``: replaced until the end of the test."""
        with _Overrides() as overrides:
            yield overrides.add


class _Overrides:
    def __init__(self) -> None:
        self._active: list[AbstractContextManager[None]] = []

    def __enter__(self) -> _Overrides:
        return self

    def add(self, message_type: type[Message], handler: Callable[..., Any]) -> None:
        override = override_handler(message_type, handler)
        override.__enter__()
        self._active.append(override)

    def __exit__(self, *exc: object) -> None:
        while self._active:
            self._active.pop().__exit__(None, None, None)
