"""messenger.query / send / publish and their async forms: dispatch, bridging, errors."""

from __future__ import annotations

import asyncio
import gc
import threading
import traceback
import typing
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.core.exceptions import SynchronousOnlyOperation
from django.test import override_settings

from django_functionalkit import (
    Command,
    CommandHandler,
    Failure,
    Messenger,
    Notification,
    Query,
    QueryHandler,
    Success,
    messenger,
)
from django_functionalkit.registry import HandlerNotFoundError, Registry, make_spec
from tests.testapp import store
from tests.testapp.messages import (
    CancelOrder,
    CountItems,
    GetGreeting,
    OrderCancelled,
    OrderPlaced,
    PlaceOrder,
)

# -- messages and handlers of this module ----------------------------------------------------------


@dataclass(frozen=True)
class Echo(Query[str]):
    text: str


@dataclass(frozen=True)
class Shout(Command[str]):
    text: str


@dataclass(frozen=True)
class Said(Notification):
    text: str


@dataclass(frozen=True)
class Fail(Query[str]):
    pass


@dataclass(frozen=True)
class Nested(Query[str]):
    pass


@dataclass(frozen=True)
class WhereAmI(Query[int]):
    pass


@dataclass(frozen=True)
class Orphan(Query[str]):
    """Nothing handles it."""


@dataclass(frozen=True)
class OrphanCommand(Command[str]):
    pass


def echo(query: Echo) -> str:
    return query.text


async def shout(command: Shout) -> str:
    await asyncio.sleep(0)
    return command.text.upper()


class EchoHandler(QueryHandler[Echo, str]):
    def handle(self, query: Echo) -> str:
        return f"class: {query.text}"


class ShoutHandler(CommandHandler[Shout, str]):
    async def handle(self, command: Shout) -> str:
        await asyncio.sleep(0)
        return f"class: {command.text.upper()}"


def messenger_with(*targets: Callable[..., object]) -> Messenger:
    """A messenger of its own, on a registry holding only ``targets``."""
    handlers = Registry()
    for target in targets:
        handlers.register(make_spec(target))
    return Messenger(handlers)


@pytest.fixture
def no_async_unsafe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)


def test_a_messenger_nobody_references_is_freed() -> None:
    """Bug: every Messenger subscribes ``self.reset`` to its registry and to the module-level
    ``conf._on_change`` list and never unsubscribes, so no Messenger is ever freed, and every
    settings change or registration calls ``reset`` on all that were ever made (a
    ``Messenger(behaviors=[...])`` per request or per test grows without bound)."""
    bus = Messenger(Registry(), behaviors=[])
    freed = weakref.ref(bus)
    del bus
    gc.collect()
    assert freed() is None


# -- the six methods on the test app's handlers ----------------------------------------------------


def test_query_returns_what_the_handler_returns() -> None:
    assert messenger.query(GetGreeting("Ada")) == "Hello, Ada!"


def test_send_runs_a_class_handler_that_publishes(shop: None) -> None:
    assert messenger.send(PlaceOrder("tea", 2)) == Success(1)
    assert messenger.send(PlaceOrder("tea", 0)) == Failure("quantity must be positive, got 0")
    assert store.orders == ["tea"]
    assert store.event_store == [OrderPlaced(1, "tea")]
    assert store.outbox == ["order 1: tea"]


def test_publish_reaches_every_handler(shop: None) -> None:
    messenger.publish(OrderPlaced(7, "cake"))
    messenger.publish(OrderCancelled(7))
    assert store.event_store == [OrderPlaced(7, "cake"), OrderCancelled(7)]
    assert store.outbox == ["order 7: cake"]


async def test_aquery_asend_apublish_on_the_test_app(shop: None) -> None:
    assert await messenger.aquery(GetGreeting("Grace")) == "Hello, Grace!"
    assert await messenger.aquery(CountItems(["a", "b", "c"])) == 3
    assert await messenger.asend(PlaceOrder("jam", 1)) == Success(1)
    await messenger.asend(CancelOrder(1))
    await messenger.apublish(OrderPlaced(2, "bread"))
    assert store.event_store == [OrderPlaced(1, "jam"), OrderCancelled(1), OrderPlaced(2, "bread")]
    assert store.outbox == ["order 1: jam", "order 2: bread"]


# -- sync and async, both ways ---------------------------------------------------------------------


def test_an_async_handler_works_from_a_sync_caller() -> None:
    assert messenger.query(CountItems(["a", "b"])) == 2
    assert messenger_with(shout).send(Shout("hi")) == "HI"


async def test_a_sync_handler_works_from_an_async_caller() -> None:
    assert await messenger_with(echo).aquery(Echo("hi")) == "hi"


async def test_an_async_handler_works_from_an_async_caller() -> None:
    assert await messenger_with(shout).asend(Shout("hi")) == "HI"


def test_sync_and_async_class_handlers_work_from_sync_callers() -> None:
    bus = messenger_with(EchoHandler, ShoutHandler)
    assert bus.query(Echo("hi")) == "class: hi"
    assert bus.send(Shout("hi")) == "class: HI"


async def test_sync_and_async_class_handlers_work_from_async_callers() -> None:
    bus = messenger_with(EchoHandler, ShoutHandler)
    assert await bus.aquery(Echo("hi")) == "class: hi"
    assert await bus.asend(Shout("hi")) == "class: HI"


async def test_a_sync_handler_called_from_async_code_runs_off_the_event_loop() -> None:
    """So it may use the ORM or dispatch synchronously itself."""
    handlers = Registry()
    bus = Messenger(handlers)

    def nested(query: Nested) -> str:
        return bus.query(Echo("from inside a sync handler"))

    def where_am_i(query: WhereAmI) -> int:
        return threading.get_ident()

    for target in (echo, nested, where_am_i):
        handlers.register(make_spec(target))
    assert await bus.aquery(Nested()) == "from inside a sync handler"
    assert await bus.aquery(WhereAmI()) != threading.get_ident()


# -- calling the wrong method ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "message", "right"),
    [
        ("send", Echo("x"), "messenger.query"),
        ("publish", Echo("x"), "messenger.query"),
        ("query", Shout("x"), "messenger.send"),
        ("publish", Shout("x"), "messenger.send"),
        ("query", Said("x"), "messenger.publish"),
        ("send", Said("x"), "messenger.publish"),
    ],
)
def test_the_wrong_method_is_a_type_error_naming_the_right_one(
    method: str, message: object, right: str
) -> None:
    bus = messenger_with(echo, shout)
    with pytest.raises(TypeError) as excinfo:
        getattr(bus, method)(message)
    assert f"{right}(" in str(excinfo.value)
    assert type(message).__qualname__ in str(excinfo.value)


@pytest.mark.parametrize(
    ("method", "message", "right"),
    [
        ("asend", Echo("x"), "messenger.aquery"),
        ("apublish", Echo("x"), "messenger.aquery"),
        ("aquery", Shout("x"), "messenger.asend"),
        ("apublish", Shout("x"), "messenger.asend"),
        ("aquery", Said("x"), "messenger.apublish"),
        ("asend", Said("x"), "messenger.apublish"),
    ],
)
async def test_the_wrong_async_method_is_a_type_error_naming_the_right_one(
    method: str, message: object, right: str
) -> None:
    bus = messenger_with(echo, shout)
    with pytest.raises(TypeError, match=rf"{right}\("):
        await getattr(bus, method)(message)


def test_the_right_method_still_works_after_a_wrong_call() -> None:
    bus = messenger_with(echo)
    with pytest.raises(TypeError):
        bus.send(Echo("x"))  # type: ignore[arg-type]
    assert bus.query(Echo("x")) == "x"


@pytest.mark.parametrize("not_a_message", ["GetGreeting", 42, GetGreeting])
def test_something_that_is_not_a_message_is_a_type_error(not_a_message: object) -> None:
    with pytest.raises(TypeError, match="not a Query, Command or Notification"):
        messenger.query(not_a_message)  # type: ignore[arg-type]


# -- no handler ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "message"), [("query", Orphan()), ("send", OrphanCommand())])
def test_no_handler_is_handler_not_found_naming_the_type(method: str, message: object) -> None:
    with pytest.raises(HandlerNotFoundError) as excinfo:
        getattr(messenger, method)(message)
    assert f"{__name__}.{type(message).__qualname__}" in str(excinfo.value)
    assert isinstance(excinfo.value, LookupError)


def test_no_handler_names_the_modules_searched_in_the_project_apps() -> None:
    """The user looks for the module to write the handler in: their own apps must be named."""
    with pytest.raises(HandlerNotFoundError) as excinfo:
        messenger.query(Orphan())
    message = str(excinfo.value)
    assert "django_functionalkit.handlers" in message
    assert "example_project.users.handlers" in message
    assert "tests.testapp.handlers" in message
    assert "tests.testapp_pkg.handlers" in message


def test_no_handler_names_the_configured_module_names() -> None:
    with (
        override_settings(FUNCTIONALKIT={"HANDLER_MODULES": ["commands_and_queries"]}),
        pytest.raises(HandlerNotFoundError) as excinfo,
    ):
        messenger.query(Orphan())
    assert "django.contrib.admin.commands_and_queries" in str(excinfo.value)
    assert ".handlers" not in str(excinfo.value)


async def test_no_handler_on_the_async_path_is_handler_not_found_too() -> None:
    with pytest.raises(HandlerNotFoundError, match="Orphan"):
        await messenger.aquery(Orphan())


# -- handler exceptions reach the caller unchanged -------------------------------------------------


class Boom(Exception):
    pass


RAISED: list[Exception] = []


def failing_sync(query: Fail) -> str:
    error = Boom("sync handler failed")
    RAISED.append(error)
    raise error


async def failing_async(query: Fail) -> str:
    await asyncio.sleep(0)
    error = Boom("async handler failed")
    RAISED.append(error)
    raise error


class FailingHandler(QueryHandler[Fail, str]):
    def handle(self, query: Fail) -> str:
        error = Boom("class handler failed")
        RAISED.append(error)
        raise error


class FailingAsyncHandler(QueryHandler[Fail, str]):
    async def handle(self, query: Fail) -> str:
        error = Boom("async class handler failed")
        RAISED.append(error)
        raise error


@pytest.fixture
def raised() -> Iterator[list[Exception]]:
    RAISED.clear()
    yield RAISED
    RAISED.clear()


def frames(error: BaseException) -> list[str]:
    return [frame.name for frame in traceback.extract_tb(error.__traceback__)]


HANDLERS_THAT_FAIL = [
    (failing_sync, "failing_sync"),
    (failing_async, "failing_async"),
    (FailingHandler, "handle"),
    (FailingAsyncHandler, "handle"),
]


@pytest.mark.parametrize(("target", "frame"), HANDLERS_THAT_FAIL)
def test_a_handler_exception_reaches_a_sync_caller_unchanged_with_its_traceback(
    target: Callable[..., object], frame: str, raised: list[Exception]
) -> None:
    with pytest.raises(Boom) as excinfo:
        messenger_with(target).query(Fail())
    assert excinfo.value is raised[0]
    assert frame in frames(excinfo.value)


@pytest.mark.parametrize(("target", "frame"), HANDLERS_THAT_FAIL)
async def test_a_handler_exception_reaches_an_async_caller_unchanged_with_its_traceback(
    target: Callable[..., object], frame: str, raised: list[Exception]
) -> None:
    with pytest.raises(Boom) as excinfo:
        await messenger_with(target).aquery(Fail())
    assert excinfo.value is raised[0]
    assert frame in frames(excinfo.value)


# -- the sync API inside a running event loop ------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "message", "pointer"),
    [
        ("query", GetGreeting("Ada"), "await messenger.aquery("),
        ("send", CancelOrder(1), "await messenger.asend("),
        ("publish", OrderCancelled(1), "await messenger.apublish("),
    ],
)
async def test_the_sync_api_in_a_running_event_loop_points_to_the_async_method(
    method: str, message: object, pointer: str, no_async_unsafe: None, shop: None
) -> None:
    with pytest.raises(SynchronousOnlyOperation) as excinfo:
        getattr(messenger, method)(message)
    assert pointer in str(excinfo.value)
    assert store.event_store == []  # refused before anything ran


async def test_the_sync_api_works_in_a_thread_of_async_code() -> None:
    result = await asyncio.to_thread(messenger.query, GetGreeting("Ada"))
    assert result == "Hello, Ada!"


# -- HANDLER_FACTORY: class handlers built by a DI container ---------------------------------------


class Clock:
    def now(self) -> str:
        raise NotImplementedError


class FrozenClock(Clock):
    def now(self) -> str:
        return "2024-05-01T12:00"


class PriceList:
    def __init__(self, prices: dict[str, int]) -> None:
        self.prices = prices


# The container: a provider per dependency type, and how many handlers it built.
PROVIDERS: dict[type, Callable[[], object]] = {
    Clock: FrozenClock,
    PriceList: lambda: PriceList({"tea": 3, "cake": 5}),
}
BUILT: list[type] = []


def build_from_container(handler_class: type) -> object:
    """Build a handler class, giving each ``__init__`` parameter its provider's value."""
    hints = typing.get_type_hints(handler_class.__init__)
    hints.pop("return", None)
    BUILT.append(handler_class)
    return handler_class(**{name: PROVIDERS[dependency]() for name, dependency in hints.items()})


@dataclass(frozen=True)
class QuotePrice(Query[int]):
    product: str
    quantity: int


@dataclass(frozen=True)
class StampOrder(Command[str]):
    order_id: int


class QuotePriceHandler(QueryHandler[QuotePrice, int]):
    def __init__(self, prices: PriceList) -> None:
        self.prices = prices

    def handle(self, query: QuotePrice) -> int:
        return self.prices.prices[query.product] * query.quantity


class StampOrderHandler(CommandHandler[StampOrder, str]):
    def __init__(self, clock: Clock, prices: PriceList) -> None:
        self.clock = clock
        self.prices = prices

    async def handle(self, command: StampOrder) -> str:
        await asyncio.sleep(0)
        return f"order {command.order_id} at {self.clock.now()}"


@pytest.fixture
def built() -> Iterator[list[type]]:
    BUILT.clear()
    yield BUILT
    BUILT.clear()


def test_class_handlers_are_built_by_the_configured_factory(built: list[type]) -> None:
    bus = messenger_with(QuotePriceHandler, StampOrderHandler)
    with override_settings(
        FUNCTIONALKIT={"HANDLER_FACTORY": build_from_container, "BEHAVIORS": []}
    ):
        assert bus.query(QuotePrice("tea", 2)) == 6
        assert bus.send(StampOrder(4)) == "order 4 at 2024-05-01T12:00"
    assert built == [QuotePriceHandler, StampOrderHandler]


def test_the_factory_may_be_a_dotted_path(built: list[type]) -> None:
    bus = messenger_with(QuotePriceHandler)
    with override_settings(FUNCTIONALKIT={"HANDLER_FACTORY": f"{__name__}.build_from_container"}):
        assert bus.query(QuotePrice("cake", 1)) == 5
    assert built == [QuotePriceHandler]


async def test_the_factory_builds_handlers_on_the_async_path_too(built: list[type]) -> None:
    bus = messenger_with(QuotePriceHandler, StampOrderHandler)
    with override_settings(
        FUNCTIONALKIT={"HANDLER_FACTORY": build_from_container, "BEHAVIORS": []}
    ):
        assert await bus.aquery(QuotePrice("tea", 1)) == 3
        assert await bus.asend(StampOrder(5)) == "order 5 at 2024-05-01T12:00"
    assert built == [QuotePriceHandler, StampOrderHandler]


def test_the_factory_builds_a_handler_for_each_dispatch(built: list[type]) -> None:
    bus = messenger_with(QuotePriceHandler)
    with override_settings(
        FUNCTIONALKIT={"HANDLER_FACTORY": build_from_container, "BEHAVIORS": []}
    ):
        for _ in range(3):
            bus.query(QuotePrice("tea", 1))
    assert built == [QuotePriceHandler] * 3


def test_the_default_factory_calls_the_class_with_no_arguments() -> None:
    bus = messenger_with(QuotePriceHandler, EchoHandler)
    assert bus.query(Echo("x")) == "class: x"
    with pytest.raises(TypeError, match="prices"):
        bus.query(QuotePrice("tea", 1))


def test_the_pipelines_built_with_a_factory_are_dropped_with_the_setting(
    built: list[type],
) -> None:
    bus = messenger_with(QuotePriceHandler)
    with override_settings(
        FUNCTIONALKIT={"HANDLER_FACTORY": build_from_container, "BEHAVIORS": []}
    ):
        assert bus.query(QuotePrice("tea", 1)) == 3
    with pytest.raises(TypeError, match="prices"):
        bus.query(QuotePrice("tea", 1))
