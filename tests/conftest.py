"""Shared fixtures; loads the library's own pytest plugin (``published_notifications``, ...)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from django_functionalkit.messenger import messenger
from django_functionalkit.registry import registry
from tests import behaviors
from tests.testapp import store

pytest_plugins = ["django_functionalkit.testing"]


@pytest.fixture
def restore_registry() -> Iterator[None]:
    """Let a test register on the global registry; every registration is undone after it."""
    saved_single = dict(registry._single)
    saved_notifications = list(registry._notifications)
    saved_duplicates = {k: list(v) for k, v in registry._duplicates.items()}
    try:
        yield
    finally:
        registry._single = saved_single
        registry._notifications = saved_notifications
        registry._duplicates = saved_duplicates
        messenger.reset()


@pytest.fixture
def shop() -> Iterator[None]:
    """The test app's in-memory orders, event store and outbox, empty before and after."""
    store.reset()
    yield
    store.reset()


@pytest.fixture
def behavior_log() -> Iterator[list[tuple[str, str, str, object]]]:
    """What the behaviors in ``tests.behaviors`` recorded during the test."""
    behaviors.reset()
    yield behaviors.LOG
    behaviors.reset()
