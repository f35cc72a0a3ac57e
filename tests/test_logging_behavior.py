"""LoggingBehavior: one structured line per dispatch, slow ones as warnings, nothing when off."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from asgiref.sync import async_to_sync
from django.test import override_settings

from django_functionalkit import (
    Command,
    Failure,
    Messenger,
    Notification,
    Query,
    Result,
    Success,
    set_actor,
)
from django_functionalkit.behaviors import logging as logging_behavior
from django_functionalkit.behaviors.logging import LoggingBehavior
from django_functionalkit.context import MessageContext, use_context
from django_functionalkit.errors import Error, Forbidden, NotFoundError
from django_functionalkit.registry import Registry, make_spec

LOGGER = "django_functionalkit"
FIELDS = (
    "message_kind",
    "message_type",
    "outcome",
    "error_code",
    "exception_type",
    "slow",
    "request_id",
)


@dataclass(frozen=True)
class GetUserById(Query[Result[str, Error]]):
    user_id: int


@dataclass(frozen=True)
class ChangePassword(Command[Result[None, Error]]):
    """Its fields hold secrets: they must never reach a log line."""

    user_id: int
    password: str


@dataclass(frozen=True)
class CountUsers(Query[int]):
    raises: Exception | None = None
    sleep: float = 0.0


@dataclass(frozen=True)
class PasswordChanged(Notification):
    user_id: int


class Touchy(Query[str]):
    """A message that must never be formatted: repr and str count their calls and raise."""

    formatted: ClassVar[int] = 0

    def __repr__(self) -> str:
        type(self).formatted += 1
        raise AssertionError("the message was formatted")

    __str__ = __repr__


class Handlers:
    def __init__(self) -> None:
        self.registry = Registry()
        for target in self._targets():
            self.registry.register(make_spec(target))

    def _targets(self) -> list[Callable[..., object]]:
        def get_user_by_id(query: GetUserById) -> Result[str, Error]:
            return Success("ada") if query.user_id == 1 else Failure(Forbidden("No peeking"))

        async def change_password(command: ChangePassword) -> Result[None, Error]:
            await asyncio.sleep(0)
            if command.user_id == 2:
                return Failure("hunter2 is too weak")  # type: ignore[arg-type]
            return Success(None)

        def count_users(query: CountUsers) -> int:
            time.sleep(query.sleep)
            if query.raises is not None:
                raise query.raises
            return 2

        def on_password_changed(event: PasswordChanged) -> None:
            pass

        def touchy(query: Touchy) -> str:
            return "ok"

        return [get_user_by_id, change_password, count_users, on_password_changed, touchy]

    def messenger(self) -> Messenger:
        return Messenger(self.registry, behaviors=[LoggingBehavior()])


Dispatch = Callable[[Any], Any]


@pytest.fixture(params=["sync", "async"])
def dispatch(request: pytest.FixtureRequest) -> Dispatch:
    bus = Handlers().messenger()
    methods = {"query": bus.query, "command": bus.send, "notification": bus.publish}
    amethods = {"query": bus.aquery, "command": bus.asend, "notification": bus.apublish}
    if request.param == "sync":
        return lambda message: methods[message.kind](message)

    async def adispatch(message: Any) -> Any:
        return await amethods[message.kind](message)

    return async_to_sync(adispatch)


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """The captured lines of this logger; read ``.records`` after dispatching."""
    caplog.set_level(logging.INFO, logger=LOGGER)
    return caplog


def fields(record: logging.LogRecord) -> dict[str, object]:
    return {name: getattr(record, name) for name in FIELDS}


# -- what a line says ----------------------------------------------------------------------------


def test_it_applies_to_every_message() -> None:
    behavior = LoggingBehavior()
    assert all(behavior.applies_to(t) for t in (GetUserById, ChangePassword, PasswordChanged))


def test_a_success_is_one_info_line_with_kind_type_outcome_and_duration(
    dispatch: Dispatch, logged: pytest.LogCaptureFixture
) -> None:
    assert dispatch(GetUserById(1)) == Success("ada")
    [record] = logged.records
    assert record.levelno == logging.INFO
    assert record.msg.startswith("%s %s succeeded in %.1f ms")  # type: ignore[union-attr]
    assert record.getMessage().startswith("query GetUserById succeeded in ")
    assert fields(record) == {
        "message_kind": "query",
        "message_type": f"{__name__}.GetUserById",
        "outcome": "success",
        "error_code": None,
        "exception_type": None,
        "slow": False,
        "request_id": None,
    }
    duration: Any = record.duration_ms  # type: ignore[attr-defined]
    assert isinstance(duration, float)
    assert 0 <= duration < 1000


def test_a_failure_names_its_error_code(
    dispatch: Dispatch, logged: pytest.LogCaptureFixture
) -> None:
    assert dispatch(GetUserById(2)) == Failure(Forbidden("No peeking"))
    [record] = logged.records
    assert record.levelno == logging.INFO
    assert record.getMessage().startswith("query GetUserById failed (forbidden) in ")
    assert (record.outcome, record.error_code) == ("failure", "forbidden")  # type: ignore[attr-defined]


def test_a_failure_that_is_not_an_error_value_is_named_by_its_type_only(
    dispatch: Dispatch, logged: pytest.LogCaptureFixture
) -> None:
    dispatch(ChangePassword(2, "hunter2"))
    [record] = logged.records
    assert record.getMessage().startswith("command ChangePassword failed (str) in ")
    assert "hunter2" not in json.dumps({k: str(v) for k, v in vars(record).items()})


def test_an_exception_is_an_error_line_with_its_type(
    dispatch: Dispatch, logged: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(ValueError, match="secret"):
        dispatch(CountUsers(raises=ValueError("secret")))
    [record] = logged.records
    assert record.levelno == logging.ERROR
    assert record.getMessage().startswith("query CountUsers raised ValueError in ")
    assert (record.outcome, record.exception_type) == ("exception", "ValueError")  # type: ignore[attr-defined]
    assert "secret" not in record.getMessage()


def test_a_raised_library_error_is_a_warning_with_its_code(
    dispatch: Dispatch, logged: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(NotFoundError):
        dispatch(CountUsers(raises=NotFoundError("No users")))
    [record] = logged.records
    assert record.levelno == logging.WARNING
    assert record.getMessage().startswith("query CountUsers raised NotFoundError (not_found) in ")
    assert record.error_code == "not_found"  # type: ignore[attr-defined]


def test_commands_and_notifications_are_logged_too(
    dispatch: Dispatch, logged: pytest.LogCaptureFixture
) -> None:
    dispatch(ChangePassword(1, "correct horse battery staple"))
    dispatch(PasswordChanged(1))
    assert [(r.message_kind, r.outcome) for r in logged.records] == [  # type: ignore[attr-defined]
        ("command", "success"),
        ("notification", "success"),
    ]


def test_the_request_id_comes_from_the_context(
    dispatch: Dispatch, logged: pytest.LogCaptureFixture
) -> None:
    with use_context(MessageContext(request_id="req-7")):
        dispatch(GetUserById(1))
    assert logged.records[0].request_id == "req-7"  # type: ignore[attr-defined]


def test_secrets_in_message_fields_never_reach_the_record(
    dispatch: Dispatch, logged: pytest.LogCaptureFixture
) -> None:
    with set_actor("ada"):
        dispatch(ChangePassword(1, "correct horse battery staple"))
    [record] = logged.records
    everything = json.dumps({k: str(v) for k, v in vars(record).items()})
    assert "correct horse" not in everything


class JsonFormatter(logging.Formatter):
    """What a JSON log formatter does: the record's extra attributes become keys."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps({"message": record.getMessage(), **fields(record)})


def test_a_json_formatter_gets_the_fields_as_keys(
    dispatch: Dispatch, logged: pytest.LogCaptureFixture
) -> None:
    dispatch(GetUserById(2))
    line = json.loads(JsonFormatter().format(logged.records[0]))
    assert line["outcome"] == "failure"
    assert line["error_code"] == "forbidden"
    assert line["message_type"].endswith(".GetUserById")


# -- slow dispatches -----------------------------------------------------------------------------


def test_a_dispatch_slower_than_the_setting_is_a_warning(
    dispatch: Dispatch, logged: pytest.LogCaptureFixture
) -> None:
    with override_settings(FUNCTIONALKIT={"SLOW_DISPATCH_SECONDS": 0.01}):
        assert dispatch(CountUsers(sleep=0.02)) == 2
        assert dispatch(CountUsers()) == 2
    slow, fast = logged.records
    assert slow.levelno == logging.WARNING
    assert slow.slow is True  # type: ignore[attr-defined]
    assert slow.duration_ms >= 20  # type: ignore[attr-defined]
    assert slow.getMessage().endswith(" ms (slow: over 0.01 s)")
    assert (fast.levelno, fast.slow) == (logging.INFO, False)  # type: ignore[attr-defined]


def test_a_slow_exception_stays_an_error(
    dispatch: Dispatch, logged: pytest.LogCaptureFixture
) -> None:
    with (
        override_settings(FUNCTIONALKIT={"SLOW_DISPATCH_SECONDS": 0}),
        pytest.raises(ValueError, match="bad"),
    ):
        dispatch(CountUsers(raises=ValueError("bad"), sleep=0.001))
    [record] = logged.records
    assert record.levelno == logging.ERROR
    assert record.slow is True  # type: ignore[attr-defined]


@pytest.mark.parametrize(("seconds", "slow"), [(0.999, False), (1.0, False), (1.001, True)])
def test_the_default_threshold_is_one_second(
    dispatch: Dispatch,
    logged: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    seconds: float,
    slow: bool,
) -> None:
    # The behavior's clock reads the start, then the end `seconds` later: no waiting.
    monkeypatch.setattr(logging_behavior, "perf_counter", iter([50.0, 50.0 + seconds]).__next__)
    dispatch(CountUsers())
    [record] = logged.records
    assert record.slow is slow  # type: ignore[attr-defined]
    assert record.levelno == (logging.WARNING if slow else logging.INFO)
    assert record.getMessage().endswith(" ms (slow: over 1.0 s)" if slow else " ms")


# -- no cost when the level is off ---------------------------------------------------------------


@pytest.fixture
def log_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The levels the behavior called ``logger.log`` with: it calls nothing for a level that is
    off, so not even the record's fields are put together."""
    calls: list[int] = []
    logger = logging.getLogger(LOGGER)
    real = logger.log

    def counting(level: int, *args: Any, **kwargs: Any) -> None:
        calls.append(level)
        real(level, *args, **kwargs)

    monkeypatch.setattr(logger, "log", counting)
    return calls


def test_nothing_is_formatted_or_logged_when_info_is_off(
    dispatch: Dispatch, caplog: pytest.LogCaptureFixture, log_calls: list[int]
) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    Touchy.formatted = 0
    assert dispatch(Touchy()) == "ok"
    assert dispatch(GetUserById(2)) == Failure(Forbidden("No peeking"))
    assert caplog.records == []
    assert log_calls == []
    assert Touchy.formatted == 0


def test_the_message_is_never_formatted_even_when_logged(
    dispatch: Dispatch, logged: pytest.LogCaptureFixture, log_calls: list[int]
) -> None:
    Touchy.formatted = 0
    assert dispatch(Touchy()) == "ok"
    assert logged.records[0].getMessage().startswith("query Touchy succeeded")
    assert log_calls == [logging.INFO]
    assert Touchy.formatted == 0


def test_a_slow_dispatch_is_still_reported_when_info_is_off(
    dispatch: Dispatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    with override_settings(FUNCTIONALKIT={"SLOW_DISPATCH_SECONDS": 0}):
        dispatch(CountUsers(sleep=0.001))
    assert [r.levelno for r in caplog.records] == [logging.WARNING]


# -- the async path ------------------------------------------------------------------------------


async def test_the_async_duration_includes_awaiting(logged: pytest.LogCaptureFixture) -> None:
    registry = Registry()

    async def count_users(query: CountUsers) -> int:
        await asyncio.sleep(0.02)
        return 2

    registry.register(make_spec(count_users))
    bus = Messenger(registry, behaviors=[LoggingBehavior()])
    assert await bus.aquery(CountUsers()) == 2
    assert logged.records[0].duration_ms >= 20  # type: ignore[attr-defined]


async def test_a_cancelled_dispatch_is_logged_as_info_and_stays_cancelled(
    logged: pytest.LogCaptureFixture,
) -> None:
    registry = Registry()
    started = asyncio.Event()

    async def count_users(query: CountUsers) -> int:
        started.set()
        await asyncio.sleep(60)
        return 2

    registry.register(make_spec(count_users))
    bus = Messenger(registry, behaviors=[LoggingBehavior()])
    task = asyncio.ensure_future(bus.aquery(CountUsers()))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    [record] = logged.records
    assert (record.levelno, record.exception_type) == (logging.INFO, "CancelledError")  # type: ignore[attr-defined]
