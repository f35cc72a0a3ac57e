"""What a test's own transaction (pytest-django's ``db``) does to notifications and the cache.

docs/testing.md states it once: a test's own transaction does not count, so what the test
publishes itself is delivered at once, and so is a command's cache invalidation (the cache
behavior runs it after the command's block closed); a notification published inside a
command waits for the commit of the command's block, which is part of the test's transaction
and never commits. These tests hold the page to what happens.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import transaction
from pytest_django import DjangoCaptureOnCommitCallbacks

from django_functionalkit import (
    Cacheable,
    Command,
    InvalidatesCache,
    Notification,
    Query,
    handler,
    messenger,
    unit,
)
from django_functionalkit.testing import capture_notifications, isolated_handlers
from django_functionalkit.units import Unit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("default_stack")]

PRICES = {"tea": 2}
HEARD: list[str] = []


@dataclass(frozen=True)
class GetPrice(Query[int], Cacheable):
    name: str

    @property
    def cache_key(self) -> str:
        return f"price:{self.name}"


@dataclass(frozen=True)
class SetPrice(Command[Unit], InvalidatesCache):
    name: str
    price: int

    @property
    def invalidates_keys(self) -> list[str]:
        return [f"price:{self.name}"]


@dataclass(frozen=True)
class PriceChanged(Notification):
    name: str


@pytest.fixture(autouse=True)
def _handlers() -> Iterator[None]:
    PRICES["tea"] = 2
    HEARD.clear()
    with isolated_handlers():

        @handler
        def get_price(query: GetPrice) -> int:
            return PRICES[query.name]

        @handler
        def set_price(command: SetPrice) -> Unit:
            PRICES[command.name] = command.price
            messenger.publish(PriceChanged(command.name))
            return unit

        @handler
        def on_price_changed(event: PriceChanged) -> None:
            HEARD.append(event.name)

        yield


def test_what_the_test_publishes_itself_is_delivered_at_once() -> None:
    with capture_notifications(deliver=True) as published:
        messenger.publish(PriceChanged("tea"))
    assert published == [PriceChanged("tea")]
    assert HEARD == ["tea"]


def test_what_a_command_publishes_waits_for_a_commit_that_never_comes() -> None:
    with capture_notifications(deliver=True) as published:
        messenger.send(SetPrice("tea", 3))
    assert published == []  # recorded when delivered, and it is not
    assert HEARD == []


def test_the_commit_callbacks_deliver_what_a_command_published(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with (
        capture_notifications(deliver=True) as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        messenger.send(SetPrice("tea", 3))
    assert published == [PriceChanged("tea")]
    assert HEARD == ["tea"]


def test_a_commands_cache_invalidation_happens_at_once() -> None:
    assert messenger.query(GetPrice("tea")) == 2  # cached
    PRICES["tea"] = 5
    assert messenger.query(GetPrice("tea")) == 2  # still the cached value
    messenger.send(SetPrice("tea", 3))
    assert messenger.query(GetPrice("tea")) == 3  # invalidated, with no commit


def test_inside_an_atomic_block_of_the_test_both_wait_for_a_commit_that_never_comes() -> None:
    assert messenger.query(GetPrice("tea")) == 2
    with capture_notifications() as published, transaction.atomic():
        messenger.send(SetPrice("tea", 3))
    # The block is a savepoint of the test's transaction: Django runs commit callbacks only
    # when the outermost transaction commits.
    assert published == []
    assert messenger.query(GetPrice("tea")) == 2  # stale: the invalidation waits as well


def test_the_commit_callbacks_run_what_waited_in_the_tests_block(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    assert messenger.query(GetPrice("tea")) == 2
    with (
        capture_notifications() as published,
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        messenger.send(SetPrice("tea", 3))
    assert published == [PriceChanged("tea")]
    assert messenger.query(GetPrice("tea")) == 3
