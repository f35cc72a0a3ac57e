"""django_functionalkit.testing: capture_notifications, override_handler and their fixtures.

The fixtures are loaded by ``pytest_plugins`` in tests/conftest.py, as a user's conftest does.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from django_functionalkit import Messenger, Notification, Success, handler, messenger, unit
from django_functionalkit import testing as fk_testing
from django_functionalkit.messages import Message
from django_functionalkit.registry import Registry, make_spec, registry
from tests.testapp import store
from tests.testapp.messages import (
    CancelOrder,
    CountItems,
    GetGreeting,
    OrderCancelled,
    OrderPlaced,
    PlaceOrder,
)

OverrideHandler = Callable[[type[Message], Callable[..., Any]], None]
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Tick(Notification):
    n: int


def raise_inside_block() -> None:
    raise ZeroDivisionError


def fake_greeting(query: GetGreeting) -> str:
    return "fake"


# -- capture_notifications -------------------------------------------------------------------------


def test_capture_collects_what_is_published_and_the_handlers_do_not_run(shop: None) -> None:
    with fk_testing.capture_notifications() as published:
        assert messenger.send(PlaceOrder("tea", 1)) == Success(1)
        messenger.send(CancelOrder(1))
    assert published == [OrderPlaced(1, "tea"), OrderCancelled(1)]
    assert store.event_store == []
    assert store.outbox == []
    assert store.orders == ["tea"]  # the command itself ran


def test_capture_with_deliver_runs_the_handlers_too(shop: None) -> None:
    with fk_testing.capture_notifications(deliver=True) as published:
        messenger.send(PlaceOrder("tea", 1))
    assert published == [OrderPlaced(1, "tea")]
    assert store.event_store == [OrderPlaced(1, "tea")]
    assert store.outbox == ["order 1: tea"]


async def test_capture_collects_async_publishes(shop: None) -> None:
    with fk_testing.capture_notifications() as published:
        await messenger.asend(PlaceOrder("jam", 2))
        await messenger.apublish(OrderCancelled(9))
    assert published == [OrderPlaced(1, "jam"), OrderCancelled(9)]
    assert store.event_store == []


async def test_capture_with_deliver_runs_async_publishes(shop: None) -> None:
    with fk_testing.capture_notifications(deliver=True) as published:
        await messenger.apublish(OrderCancelled(9))
    assert published == [OrderCancelled(9)]
    assert store.event_store == [OrderCancelled(9)]


def test_after_the_block_publishing_is_real_again(shop: None) -> None:
    with fk_testing.capture_notifications() as published:
        messenger.publish(OrderCancelled(1))
    messenger.publish(OrderCancelled(2))
    assert published == [OrderCancelled(1)]
    assert store.event_store == [OrderCancelled(2)]


def test_capture_is_undone_when_the_block_raises(shop: None) -> None:
    with fk_testing.capture_notifications():
        messenger.publish(OrderCancelled(1))
        with pytest.raises(ZeroDivisionError):
            raise_inside_block()
    messenger.publish(OrderCancelled(2))
    assert store.event_store == [OrderCancelled(2)]


def test_capture_on_a_messenger_of_ones_own() -> None:
    heard: list[Tick] = []
    handlers = Registry()

    def on_tick(event: Tick) -> None:
        heard.append(event)

    handlers.register(make_spec(on_tick))
    bus = Messenger(handlers)
    with fk_testing.capture_notifications(messenger=bus) as published:
        bus.publish(Tick(1))
    bus.publish(Tick(2))
    assert published == [Tick(1)]
    assert heard == [Tick(2)]


def test_nested_captures_each_see_what_was_published_inside_them(shop: None) -> None:
    """Bug: leaving the inner block deletes the patched methods, and with them the outer capture.

    Between the inner and the outer exit publishing is real again (the handlers run, the outer
    list stops growing); then leaving the outer block raises AttributeError ('Messenger' object
    has no attribute 'publish'). The same happens to the ``published_notifications`` fixture's
    teardown when a test uses ``capture_notifications(deliver=True)`` inside it.
    """
    with fk_testing.capture_notifications() as outer:
        with fk_testing.capture_notifications() as inner:
            messenger.publish(OrderCancelled(1))
        messenger.publish(OrderCancelled(2))
    assert inner == [OrderCancelled(1)]
    assert outer[-1:] == [OrderCancelled(2)]
    assert store.event_store == []


def test_capture_still_refuses_a_message_that_is_not_a_notification(shop: None) -> None:
    """Bug: inside capture_notifications(), ``messenger.publish(a_query)`` is recorded silently.

    Outside the block it is a TypeError, so a test can pass while the code it tests fails.
    (Django's locmem mail backend renders each message for the same reason.)
    """
    with fk_testing.capture_notifications() as published, pytest.raises(TypeError):
        messenger.publish(GetGreeting("Ada"))  # type: ignore[arg-type]
    assert published == []


async def test_capture_still_refuses_the_sync_publish_in_an_event_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Bug: the same bypass lets ``publish`` (not ``apublish``) pass in async code."""
    from django.core.exceptions import SynchronousOnlyOperation

    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    with fk_testing.capture_notifications(), pytest.raises(SynchronousOnlyOperation):
        messenger.publish(OrderCancelled(1))


# -- override_handler ------------------------------------------------------------------------------


def test_override_handler_routes_a_query_to_the_fake_inside_the_block_only() -> None:
    with fk_testing.override_handler(GetGreeting, lambda query: f"fake {query.name}"):
        assert messenger.query(GetGreeting("Ada")) == "fake Ada"
    assert messenger.query(GetGreeting("Ada")) == "Hello, Ada!"


async def test_override_handler_with_an_async_fake_on_both_paths() -> None:
    async def fake(query: CountItems) -> int:
        await asyncio.sleep(0)
        return -1

    with fk_testing.override_handler(CountItems, fake):
        assert await messenger.aquery(CountItems(["a"])) == -1
        assert await asyncio.to_thread(messenger.query, CountItems(["a"])) == -1
    assert await messenger.aquery(CountItems(["a"])) == 1


def test_override_handler_of_a_command_with_a_class_handler(shop: None) -> None:
    with fk_testing.override_handler(PlaceOrder, lambda command: Success(42)):
        assert messenger.send(PlaceOrder("tea", 1)) == Success(42)
    assert store.orders == []
    assert messenger.send(PlaceOrder("tea", 1)) == Success(1)


def test_override_handler_of_a_notification_replaces_its_handlers(shop: None) -> None:
    heard: list[OrderPlaced] = []
    with fk_testing.override_handler(OrderPlaced, heard.append):
        messenger.publish(OrderPlaced(1, "tea"))
    assert heard == [OrderPlaced(1, "tea")]
    assert store.outbox == []  # email_customer, registered for OrderPlaced, did not run


def test_override_handler_is_undone_when_the_block_raises() -> None:
    with pytest.raises(ZeroDivisionError), fk_testing.override_handler(GetGreeting, fake_greeting):
        raise_inside_block()
    assert messenger.query(GetGreeting("Ada")) == "Hello, Ada!"


def test_nested_overrides_unwind_in_order() -> None:
    with fk_testing.override_handler(GetGreeting, lambda query: "outer"):
        with fk_testing.override_handler(GetGreeting, lambda query: "inner"):
            assert messenger.query(GetGreeting("Ada")) == "inner"
        assert messenger.query(GetGreeting("Ada")) == "outer"
    assert messenger.query(GetGreeting("Ada")) == "Hello, Ada!"


# -- isolated_handlers -----------------------------------------------------------------------------


def test_isolated_handlers_forgets_what_was_registered_inside() -> None:
    heard: list[Tick] = []
    before = registry.specs()
    with fk_testing.isolated_handlers():

        @handler
        def on_tick(event: Tick) -> None:
            heard.append(event)

        messenger.publish(Tick(1))
    messenger.publish(Tick(2))
    assert heard == [Tick(1)]
    assert registry.specs() == before


# -- the pytest fixtures ---------------------------------------------------------------------------


def test_published_notifications_fixture(published_notifications: list[Notification]) -> None:
    store.reset()
    assert messenger.send(CancelOrder(5)) is unit
    assert published_notifications == [OrderCancelled(5)]
    assert store.event_store == []


def test_override_handler_fixture(override_handler: OverrideHandler) -> None:
    override_handler(GetGreeting, lambda query: "fake greeting")
    override_handler(CountItems, lambda query: 99)
    assert messenger.query(GetGreeting("Ada")) == "fake greeting"
    assert messenger.query(CountItems([])) == 99


def test_fixtures_are_undone_after_each_test_in_a_users_project(tmp_path: Path) -> None:
    """A user's own test session: the fixtures are loaded by a root conftest.py."""
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nDJANGO_SETTINGS_MODULE = tests.settings\nfilterwarnings = error\n"
        "asyncio_default_fixture_loop_scope = function\n"
    )
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["django_functionalkit.testing"]\n')
    (tmp_path / "test_users_project.py").write_text(
        textwrap.dedent(
            """
            from django_functionalkit import messenger
            from tests.testapp import store
            from tests.testapp.messages import GetGreeting, OrderCancelled


            def test_with_a_fake(override_handler):
                override_handler(GetGreeting, lambda query: "fake")
                assert messenger.query(GetGreeting("Ada")) == "fake"


            def test_capturing(published_notifications):
                messenger.publish(OrderCancelled(1))
                assert published_notifications == [OrderCancelled(1)]
                assert store.event_store == []


            def test_everything_is_real_again():
                assert messenger.query(GetGreeting("Ada")) == "Hello, Ada!"
                messenger.publish(OrderCancelled(2))
                assert store.event_store == [OrderCancelled(2)]
            """
        )
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    run = subprocess.run(  # noqa: S603 - our own interpreter and test files
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 passed" in run.stdout
