"""ExceptionBehavior: what handlers raise becomes a Failure for Result messages, and is logged."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from django_functionalkit import (
    Command,
    Failure,
    Messenger,
    Notification,
    Query,
    Result,
    Success,
)
from django_functionalkit.behaviors.exceptions import UNEXPECTED, ExceptionBehavior
from django_functionalkit.context import MessageContext, use_context
from django_functionalkit.errors import (
    Conflict,
    Error,
    InvalidInput,
    NotFound,
    NotFoundError,
)
from django_functionalkit.registry import Registry, make_spec
from tests.dispatching import Dispatch, dispatcher

LOGGER = "django_functionalkit"


@dataclass(frozen=True)
class GetProduct(Query[Result[str, Error]]):
    """Raises what it is told to: a product id that says how the handler fails."""

    product_id: int
    raises: BaseException | None = None


@dataclass(frozen=True)
class ImportProducts(Command[Result[int, Error]]):
    database_password: str  # never logged.records, never in a failure
    raises: BaseException | None = None


@dataclass(frozen=True)
class CountProducts(Query[int]):
    """Returns a plain value: what its handler raises propagates unchanged."""

    raises: BaseException | None = None


@dataclass(frozen=True)
class ProductsImported(Notification):
    pass


def raise_or(message: Any, value: object) -> Any:
    if message.raises is not None:
        raise message.raises
    return value


class Handlers:
    def __init__(self) -> None:
        self.calls: list[str] = []
        self.registry = Registry()
        for target in self._targets():
            self.registry.register(make_spec(target))

    def _targets(self) -> list[Callable[..., object]]:
        def get_product(query: GetProduct) -> Result[str, Error]:
            self.calls.append("get_product")
            return raise_or(query, Success(f"product {query.product_id}"))  # type: ignore[no-any-return]

        async def import_products(command: ImportProducts) -> Result[int, Error]:
            self.calls.append("import_products")
            await asyncio.sleep(0)
            return raise_or(command, Success(3))  # type: ignore[no-any-return]

        def count_products(query: CountProducts) -> int:
            self.calls.append("count_products")
            return raise_or(query, 3)  # type: ignore[no-any-return]

        def on_imported(event: ProductsImported) -> None:
            raise RuntimeError("notification handlers fail through publish")

        return [get_product, import_products, count_products, on_imported]

    def messenger(self) -> Messenger:
        return Messenger(self.registry, behaviors=[ExceptionBehavior()])


@pytest.fixture
def handlers() -> Handlers:
    return Handlers()


@pytest.fixture(params=["sync", "async"])
def dispatch(request: pytest.FixtureRequest, handlers: Handlers) -> Dispatch:
    return dispatcher(handlers.messenger(), request.param)


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """The captured lines of this logger; read ``.records`` after dispatching."""
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    return caplog


# -- which messages ------------------------------------------------------------------------------


def test_it_applies_to_queries_and_commands_not_notifications(handlers: Handlers) -> None:
    behavior = ExceptionBehavior()
    assert behavior.applies_to(GetProduct)
    assert behavior.applies_to(ImportProducts)
    assert not behavior.applies_to(ProductsImported)
    bus = handlers.messenger()
    with pytest.raises(ExceptionGroup):  # publish reports failed handlers its own way
        bus.publish(ProductsImported())


# -- Result messages -----------------------------------------------------------------------------


def test_what_succeeds_or_fails_as_a_value_passes_untouched(
    dispatch: Dispatch, logged: pytest.LogCaptureFixture
) -> None:
    assert dispatch(GetProduct(1)) == Success("product 1")
    assert logged.records == []


@pytest.mark.parametrize(
    "exc",
    [
        NotFoundError("Product 7 not found"),
        InvalidInput.of(["Bad"]).exception(),
        Conflict("Stale version", code="stale").exception(),
    ],
    ids=["not found", "invalid input", "conflict with its own code"],
)
def test_a_raised_library_error_becomes_its_error_value_with_a_warning_not_an_error_log(
    exc: Exception, dispatch: Dispatch, logged: pytest.LogCaptureFixture
) -> None:
    assert dispatch(GetProduct(7, raises=exc)) == Failure(exc.error)  # type: ignore[attr-defined]
    assert [r.levelno for r in logged.records] == [logging.WARNING]
    record = logged.records[0]
    assert record.getMessage() == (
        f"Query GetProduct raised {type(exc).__name__} ({exc.error.code})"  # type: ignore[attr-defined]
    )
    assert record.exc_info is None
    assert record.message_type == f"{__name__}.GetProduct"  # type: ignore[attr-defined]


def test_an_unexpected_exception_becomes_a_failure_without_internals_and_is_logged(
    dispatch: Dispatch, logged: pytest.LogCaptureFixture
) -> None:
    boom = ConnectionError("could not connect to db.internal:5432 as admin/hunter2")
    result = dispatch(ImportProducts("hunter2", raises=boom))
    assert result == Failure(Error("An unexpected error occurred", code="unexpected"))
    assert result == Failure(UNEXPECTED)
    assert "hunter2" not in repr(result)
    [record] = logged.records
    assert record.levelno == logging.ERROR
    assert record.getMessage() == "Unhandled exception in command ImportProducts"
    assert record.exc_info is not None
    assert record.exc_info[1] is boom  # the traceback is in the log, not in the value
    assert "hunter2" not in record.getMessage()  # the message's fields are not logged.records
    fields = {k: getattr(record, k) for k in ("message_kind", "exception_type", "error_code")}
    assert fields == {
        "message_kind": "command",
        "exception_type": "ConnectionError",
        "error_code": "unexpected",
    }


def test_the_log_line_carries_the_request_id(
    dispatch: Dispatch, logged: pytest.LogCaptureFixture
) -> None:
    with use_context(MessageContext(request_id="req-42")):
        dispatch(GetProduct(1, raises=ValueError("bad")))
    assert logged.records[0].request_id == "req-42"  # type: ignore[attr-defined]


# -- other messages: re-raised unchanged ---------------------------------------------------------


@pytest.mark.parametrize(
    "exc", [ValueError("bad"), NotFoundError("none")], ids=["unexpected", "library error"]
)
def test_a_message_not_returning_a_result_gets_the_same_exception_back(
    exc: Exception, dispatch: Dispatch, logged: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(type(exc)) as raised:
        dispatch(CountProducts(raises=exc))
    assert raised.value is exc
    assert type(raised.value) is type(exc)
    expected_level = logging.WARNING if isinstance(exc, NotFoundError) else logging.ERROR
    assert [r.levelno for r in logged.records] == [expected_level]


def test_the_re_raised_traceback_still_points_at_the_handler(handlers: Handlers) -> None:
    bus = handlers.messenger()
    with pytest.raises(ValueError, match="bad") as raised:
        bus.query(CountProducts(raises=ValueError("bad")))
    frames = [entry.name for entry in raised.traceback]
    assert "raise_or" in frames


# -- never swallowed -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "exc", [KeyboardInterrupt(), SystemExit(3), asyncio.CancelledError()], ids=type
)
def test_base_exceptions_are_never_swallowed_nor_logged(
    exc: BaseException, handlers: Handlers, logged: pytest.LogCaptureFixture
) -> None:
    bus = handlers.messenger()
    with pytest.raises(type(exc)) as raised:
        bus.query(GetProduct(1, raises=exc))
    assert raised.value is exc
    assert logged.records == []


async def test_cancellation_propagates_on_the_async_path(
    handlers: Handlers, logged: pytest.LogCaptureFixture
) -> None:
    bus = handlers.messenger()
    with pytest.raises(asyncio.CancelledError):
        await bus.asend(ImportProducts("x", raises=asyncio.CancelledError()))
    assert logged.records == []


async def test_a_cancelled_task_stays_cancelled(
    handlers: Handlers, logged: pytest.LogCaptureFixture
) -> None:
    started = asyncio.Event()
    registry = Registry()

    async def slow_import(command: ImportProducts) -> Result[int, Error]:
        started.set()
        await asyncio.sleep(60)
        return Success(1)

    registry.register(make_spec(slow_import))
    bus = Messenger(registry, behaviors=[ExceptionBehavior()])
    task = asyncio.create_task(bus.asend(ImportProducts("x")))  # type: ignore[arg-type]
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled()
    assert logged.records == []


async def test_the_async_path_turns_exceptions_into_failures(
    handlers: Handlers, logged: pytest.LogCaptureFixture
) -> None:
    bus = handlers.messenger()
    assert await bus.asend(ImportProducts("x", raises=OSError("disk"))) == Failure(UNEXPECTED)
    assert await bus.aquery(GetProduct(2, raises=NotFoundError("gone"))) == Failure(
        NotFound("gone")
    )
    assert [r.levelno for r in logged.records] == [logging.ERROR, logging.WARNING]
