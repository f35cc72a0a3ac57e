"""publish and apublish: every handler runs, failures are logged and reported after all ran."""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from django_functionalkit import Messenger, Notification
from django_functionalkit.registry import Registry, make_spec
from tests.behaviors import Recording


@dataclass(frozen=True)
class InvoicePaid(Notification):
    invoice_id: int


class HandlerFailed(Exception):
    pass


def messenger_with(*targets: Callable[..., object]) -> Messenger:
    handlers = Registry()
    for target in targets:
        handlers.register(make_spec(target))
    return Messenger(handlers)


class Handlers:
    """Named notification handlers that record their calls; some of them fail."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.errors: dict[str, HandlerFailed] = {}

    def ok(self, name: str) -> Callable[[InvoicePaid], None]:
        def handler(event: InvoicePaid) -> None:
            self.calls.append(name)

        handler.__qualname__ = handler.__name__ = name
        return handler

    def failing(self, name: str) -> Callable[[InvoicePaid], None]:
        def handler(event: InvoicePaid) -> None:
            self.calls.append(name)
            self.errors[name] = HandlerFailed(f"{name} failed")
            raise self.errors[name]

        handler.__qualname__ = handler.__name__ = name
        return handler

    def ok_async(self, name: str) -> Callable[[InvoicePaid], object]:
        async def handler(event: InvoicePaid) -> None:
            await asyncio.sleep(0)
            self.calls.append(name)

        handler.__qualname__ = handler.__name__ = name
        return handler

    def failing_async(self, name: str) -> Callable[[InvoicePaid], object]:
        async def handler(event: InvoicePaid) -> None:
            await asyncio.sleep(0)
            self.calls.append(name)
            self.errors[name] = HandlerFailed(f"{name} failed")
            raise self.errors[name]

        handler.__qualname__ = handler.__name__ = name
        return handler


def failure_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r for r in caplog.records if r.name == "django_functionalkit" and r.levelno >= logging.ERROR
    ]


# -- sync publish ----------------------------------------------------------------------------------


def test_sync_publish_runs_handlers_in_registration_order_async_ones_included() -> None:
    h = Handlers()
    bus = messenger_with(h.ok("first"), h.ok_async("second"), h.ok("third"), h.ok_async("fourth"))
    bus.publish(InvoicePaid(1))
    assert h.calls == ["first", "second", "third", "fourth"]


def test_sync_publish_runs_every_handler_and_then_raises_the_failures_as_a_group(
    caplog: pytest.LogCaptureFixture,
) -> None:
    h = Handlers()
    bus = messenger_with(
        h.ok("audit"), h.failing("email"), h.ok("stats"), h.failing_async("search_index")
    )
    with pytest.raises(ExceptionGroup) as excinfo:
        bus.publish(InvoicePaid(1))
    assert h.calls == ["audit", "email", "stats", "search_index"]
    group = excinfo.value
    assert group.exceptions == (h.errors["email"], h.errors["search_index"])
    assert "2 of 4 handlers of InvoicePaid failed" in str(group)
    # Each failure keeps its own traceback, down to the handler's frame.
    for error in group.exceptions:
        assert "handler" in [f.name for f in traceback.extract_tb(error.__traceback__)]


def test_each_failure_is_logged_with_the_handler_name_and_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    h = Handlers()
    bus = messenger_with(h.failing("email"), h.ok("audit"), h.failing("sms"))
    with pytest.raises(ExceptionGroup):
        bus.publish(InvoicePaid(1))
    records = failure_records(caplog)
    assert len(records) == 2
    email, sms = records
    assert f"{__name__}.email" in email.getMessage()
    assert "InvoicePaid" in email.getMessage()
    assert email.exc_info is not None
    assert email.exc_info[1] is h.errors["email"]
    assert f"{__name__}.sms" in sms.getMessage()
    assert sms.exc_info is not None
    assert sms.exc_info[1] is h.errors["sms"]
    assert "Traceback (most recent call last)" in caplog.text
    assert "HandlerFailed: email failed" in caplog.text
    assert "in handler\n    raise self.errors[name]" in caplog.text  # the handler's frame


def test_a_failure_names_its_handler_in_a_note(caplog: pytest.LogCaptureFixture) -> None:
    h = Handlers()
    with pytest.raises(ExceptionGroup) as excinfo:
        messenger_with(h.failing("email")).publish(InvoicePaid(1))
    (error,) = excinfo.value.exceptions
    assert any(f"{__name__}.email" in note for note in error.__notes__)


def test_publish_errors_log_only_logs(caplog: pytest.LogCaptureFixture) -> None:
    h = Handlers()
    bus = messenger_with(h.failing("email"), h.ok("audit"))
    with override_settings(FUNCTIONALKIT={"PUBLISH_ERRORS": "log"}):
        bus.publish(InvoicePaid(1))
    assert h.calls == ["email", "audit"]
    assert [r.exc_info[1] for r in failure_records(caplog) if r.exc_info] == [h.errors["email"]]


def test_publish_errors_raise_comes_back_with_the_setting(caplog: pytest.LogCaptureFixture) -> None:
    h = Handlers()
    bus = messenger_with(h.failing("email"))
    with override_settings(FUNCTIONALKIT={"PUBLISH_ERRORS": "log"}):
        bus.publish(InvoicePaid(1))
    with pytest.raises(ExceptionGroup):
        bus.publish(InvoicePaid(2))


def test_a_bad_publish_errors_value_is_improperly_configured() -> None:
    h = Handlers()
    bus = messenger_with(h.ok("audit"))
    with (
        override_settings(FUNCTIONALKIT={"PUBLISH_ERRORS": "ignore"}),
        pytest.raises(ImproperlyConfigured, match="ignore"),
    ):
        bus.publish(InvoicePaid(1))


def test_nothing_is_logged_when_every_handler_succeeds(caplog: pytest.LogCaptureFixture) -> None:
    h = Handlers()
    messenger_with(h.ok("audit"), h.ok_async("email")).publish(InvoicePaid(1))
    assert failure_records(caplog) == []


# -- async publish ---------------------------------------------------------------------------------


async def test_async_publish_runs_handlers_concurrently() -> None:
    """Each handler waits for the other to start: run one after the other, they would hang."""
    first_started = asyncio.Event()
    second_started = asyncio.Event()

    async def first(event: InvoicePaid) -> None:
        first_started.set()
        await second_started.wait()

    async def second(event: InvoicePaid) -> None:
        second_started.set()
        await first_started.wait()

    bus = messenger_with(first, second)
    await asyncio.wait_for(bus.apublish(InvoicePaid(1)), timeout=5)
    assert first_started.is_set()
    assert second_started.is_set()


async def test_async_publish_runs_sync_and_async_handlers() -> None:
    h = Handlers()
    bus = messenger_with(h.ok("sync"), h.ok_async("async"))
    await bus.apublish(InvoicePaid(1))
    assert sorted(h.calls) == ["async", "sync"]


async def test_async_publish_runs_every_handler_and_then_raises_the_failures_as_a_group(
    caplog: pytest.LogCaptureFixture,
) -> None:
    h = Handlers()
    bus = messenger_with(
        h.failing_async("email"), h.ok_async("audit"), h.failing("sms"), h.ok("stats")
    )
    with pytest.raises(ExceptionGroup) as excinfo:
        await bus.apublish(InvoicePaid(1))
    assert sorted(h.calls) == ["audit", "email", "sms", "stats"]
    assert set(excinfo.value.exceptions) == {h.errors["email"], h.errors["sms"]}
    logged = {r.exc_info[1] for r in failure_records(caplog) if r.exc_info}
    assert logged == {h.errors["email"], h.errors["sms"]}
    assert f"{__name__}.email" in caplog.text
    assert f"{__name__}.sms" in caplog.text


async def test_a_slow_failure_does_not_cancel_the_other_handlers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    h = Handlers()
    finished = asyncio.Event()

    async def quick_failure(event: InvoicePaid) -> None:
        raise HandlerFailed("at once")

    async def slow(event: InvoicePaid) -> None:
        for _ in range(5):
            await asyncio.sleep(0)
        finished.set()

    bus = messenger_with(quick_failure, slow, h.ok("sync"))
    with pytest.raises(ExceptionGroup):
        await asyncio.wait_for(bus.apublish(InvoicePaid(1)), timeout=5)
    assert finished.is_set()
    assert h.calls == ["sync"]


async def test_async_publish_errors_log_only_logs(caplog: pytest.LogCaptureFixture) -> None:
    h = Handlers()
    bus = messenger_with(h.failing_async("email"), h.ok_async("audit"))
    with override_settings(FUNCTIONALKIT={"PUBLISH_ERRORS": "log"}):
        await bus.apublish(InvoicePaid(1))
    assert sorted(h.calls) == ["audit", "email"]
    assert [r.exc_info[1] for r in failure_records(caplog) if r.exc_info] == [h.errors["email"]]


async def test_async_publish_of_a_notification_nobody_hears_does_nothing(
    caplog: pytest.LogCaptureFixture, behavior_log: list[tuple[str, str, str, object]]
) -> None:
    """No handler is no mistake (events are published before anyone listens): no error, no
    log line; the behaviors still see the notification go by."""
    bus = Messenger(Registry(), behaviors=[Recording()])
    with caplog.at_level(logging.DEBUG, logger="django_functionalkit"):
        assert await bus.apublish(InvoicePaid(1)) is None  # type: ignore[func-returns-value]
    assert caplog.records == []
    assert [(event, kind) for _, event, kind, _ in behavior_log] == [
        ("before async", "notification"),
        ("after async", "notification"),
    ]
