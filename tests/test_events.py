"""Stored events: written in the publishing transaction, on both paths; read back by type,
time and id."""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.db import transaction
from django.test import override_settings

from django_functionalkit import (
    Command,
    DomainEvent,
    Failure,
    MessageContext,
    Messenger,
    Notification,
    Result,
    Stored,
    Success,
    messenger,
)
from django_functionalkit.behaviors.transaction import TransactionBehavior
from django_functionalkit.context import use_context
from django_functionalkit.delivery import events
from django_functionalkit.models import StoredEvent
from django_functionalkit.registry import Registry, make_spec

real_commits = pytest.mark.django_db(transaction=True)


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):
    order_id: int
    total: Decimal


@dataclass(frozen=True)
class RushOrderPlaced(OrderPlaced):
    deadline: datetime


@dataclass(frozen=True)
class PriceChanged(Notification, Stored):
    """A plain notification that opts into storage."""

    product_id: int
    event_type = "catalog.PriceChanged"


@dataclass(frozen=True)
class Pinged(Notification):
    """Not stored."""

    n: int


@dataclass(frozen=True)
class PlaceOrder(Command[Result[int, str]]):
    username: str
    fail_after_publish: bool = False


heard: list[Notification] = []


def remember(event: OrderPlaced) -> None:
    heard.append(event)


def place_order(command: PlaceOrder) -> Result[int, str]:
    user = User.objects.create_user(command.username)
    messenger_under_test.publish(OrderPlaced(user.pk, Decimal("9.90")))
    if command.fail_after_publish:
        return Failure("out of stock")
    return Success(user.pk)


async def aplace_order(command: APlaceOrder) -> Result[int, str]:
    user = await User.objects.acreate(username=command.username)
    await messenger_under_test.apublish(OrderPlaced(user.pk, Decimal("9.90")))
    if command.fail_after_publish:
        raise RuntimeError("the payment service is down")
    return Success(user.pk)


@dataclass(frozen=True)
class APlaceOrder(Command[Result[int, str]]):
    username: str
    fail_after_publish: bool = False


def _registry() -> Registry:
    handlers = Registry()
    for target in (remember, place_order, aplace_order):
        handlers.register(make_spec(target))
    return handlers


messenger_under_test = Messenger(_registry(), behaviors=[TransactionBehavior()])


@pytest.fixture(autouse=True)
def _nothing_heard() -> None:
    heard.clear()


def publish_then_fail(publisher: Messenger, event: Notification, using: str = "default") -> None:
    """Publish ``event`` in a transaction on ``using`` that then rolls back."""
    with transaction.atomic(using=using):
        publisher.publish(event)
        raise ZeroDivisionError


def stored() -> list[StoredEvent]:
    return list(StoredEvent.objects.all())


# -- DomainEvent -------------------------------------------------------------------------------


def test_a_domain_event_has_an_id_and_a_time_and_its_own_fields_first() -> None:
    before = datetime.now(UTC)
    event = OrderPlaced(7, Decimal("1.50"))  # positional: the base's fields are keyword-only
    assert (event.order_id, event.total) == (7, Decimal("1.50"))
    assert isinstance(event.event_id, UUID)
    assert before <= event.occurred_at <= datetime.now(UTC)
    assert event.occurred_at.tzinfo is not None
    assert OrderPlaced(7, Decimal(1)).event_id != OrderPlaced(7, Decimal(1)).event_id
    fixed = UUID(int=1)
    assert OrderPlaced(order_id=7, total=Decimal(1), event_id=fixed).event_id == fixed
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.order_id = 8  # type: ignore[misc]
    # Each subclass's own fields come first, positional; the base's stay keyword-only.
    assert str(inspect.signature(RushOrderPlaced)) == (
        "(order_id: 'int', total: 'Decimal', deadline: 'datetime', *, "
        "event_id: 'UUID' = <factory>, occurred_at: 'datetime' = <factory>) -> None"
    )
    rush = RushOrderPlaced(1, Decimal(2), datetime(2030, 1, 1, tzinfo=UTC))
    assert rush.deadline.year == 2030


# -- writing -----------------------------------------------------------------------------------


@real_commits
def test_published_in_a_committed_transaction_the_event_is_stored_with_its_context() -> None:
    ada = User.objects.create_user("ada")
    event = OrderPlaced(1, Decimal("19.99"))
    with use_context(MessageContext(actor=ada, request_id="req-7")), transaction.atomic():
        messenger_under_test.publish(event)
        assert [e.pk for e in stored()] == [event.event_id]  # written now, in the transaction
        assert heard == []  # the handlers wait for the commit, as before
    assert heard == [event]
    (row,) = stored()
    assert row.event_type == f"{__name__}.OrderPlaced"
    assert row.payload == {"order_id": 1, "total": "19.99"}
    assert row.occurred_at == event.occurred_at
    assert (row.actor_id, row.actor_name, row.request_id) == (ada.pk, "ada", "req-7")


@real_commits
def test_a_rolled_back_transaction_leaves_no_event_and_runs_no_handler() -> None:
    with pytest.raises(ZeroDivisionError):
        publish_then_fail(messenger_under_test, OrderPlaced(1, Decimal(1)))
    assert stored() == []
    assert heard == []


@real_commits
def test_published_outside_a_transaction_the_event_is_stored_at_once() -> None:
    event = PriceChanged(product_id=3)
    messenger.publish(event)
    (row,) = stored()
    assert (row.event_type, row.payload, row.actor_id, row.request_id) == (
        "catalog.PriceChanged",
        {"product_id": 3},
        None,
        "",
    )


@real_commits
def test_a_notification_that_is_not_stored_leaves_no_row() -> None:
    messenger.publish(Pinged(1))
    assert stored() == []


@real_commits
def test_the_event_commits_with_the_commands_own_writes() -> None:
    assert messenger_under_test.send(PlaceOrder("grace")) == Success(
        User.objects.get(username="grace").pk
    )
    assert [r.event_type for r in stored()] == [f"{__name__}.OrderPlaced"]
    assert len(heard) == 1


@real_commits
def test_a_failure_after_publishing_rolls_back_the_event_with_the_commands_writes() -> None:
    assert messenger_under_test.send(PlaceOrder("grace", fail_after_publish=True)) == Failure(
        "out of stock"
    )
    assert not User.objects.filter(username="grace").exists()
    assert stored() == []
    assert heard == []


@real_commits
async def test_async_publish_outside_a_transaction_stores_the_event() -> None:
    event = OrderPlaced(2, Decimal("0.01"))
    await messenger_under_test.apublish(event)
    rows = await sync_to_async(stored)()
    assert [r.pk for r in rows] == [event.event_id]
    assert heard == [event]


@real_commits
async def test_async_command_stores_its_event_in_its_transaction() -> None:
    result = await messenger_under_test.asend(APlaceOrder("alan"))
    assert isinstance(result, Success)
    rows = await sync_to_async(stored)()
    assert [r.payload["order_id"] for r in rows] == [result.value]
    assert len(heard) == 1
    with pytest.raises(RuntimeError, match="payment"):
        await messenger_under_test.asend(APlaceOrder("barbara", fail_after_publish=True))
    assert not await User.objects.filter(username="barbara").aexists()
    assert len(await sync_to_async(stored)()) == 1
    assert len(heard) == 1


@real_commits
async def test_a_sync_handler_of_an_async_command_stores_its_event_in_its_transaction() -> None:
    # The sync handler runs on Django's database thread, inside the block opened there.
    await messenger_under_test.asend(PlaceOrder("edsger"))
    assert await messenger_under_test.asend(PlaceOrder("tony", fail_after_publish=True)) == (
        Failure("out of stock")
    )
    rows = await sync_to_async(stored)()
    assert [r.payload["order_id"] for r in rows] == [
        (await User.objects.aget(username="edsger")).pk
    ]
    assert not await User.objects.filter(username="tony").aexists()
    assert len(heard) == 1


@pytest.mark.django_db(transaction=True, databases=["default", "orders"])
@override_settings(FUNCTIONALKIT={"BEHAVIORS": [], "EVENT_DATABASE": "orders"})
def test_events_go_to_the_event_database_in_its_transaction() -> None:
    with pytest.raises(ZeroDivisionError):
        publish_then_fail(messenger, PriceChanged(1), using="orders")
    with transaction.atomic(using="orders"):
        messenger.publish(PriceChanged(2))
    assert [r.payload for r in StoredEvent.objects.using("orders")] == [{"product_id": 2}]


@pytest.mark.django_db(transaction=True, databases=["default", "orders"])
@override_settings(FUNCTIONALKIT={"BEHAVIORS": [], "EVENT_DATABASE": "orders"})
def test_inside_a_transaction_on_another_database_the_event_waits_for_its_commit() -> None:
    with pytest.raises(ZeroDivisionError):
        publish_then_fail(messenger, PriceChanged(1))
    with transaction.atomic():
        messenger.publish(PriceChanged(2))
        assert not StoredEvent.objects.using("orders").exists()
    assert [r.payload for r in StoredEvent.objects.using("orders")] == [{"product_id": 2}]


# -- reading -----------------------------------------------------------------------------------


def _at(minutes: int) -> datetime:
    return datetime(2026, 1, 1, 12, tzinfo=UTC) + timedelta(minutes=minutes)


@pytest.fixture
def log() -> list[Any]:
    published = [
        OrderPlaced(1, Decimal(1), occurred_at=_at(2)),
        PriceChanged(5),
        RushOrderPlaced(2, Decimal(2), _at(9), occurred_at=_at(1)),
        OrderPlaced(3, Decimal(3), occurred_at=_at(3)),
    ]
    for event in published:
        messenger.publish(event)
    return published


@pytest.mark.django_db
@pytest.mark.usefixtures("log")
def test_read_by_type_includes_subclasses_in_the_order_they_occurred() -> None:
    found = list(events.read(OrderPlaced))
    assert [e.notification.order_id for e in found] == [2, 1, 3]
    assert isinstance(found[0].notification, RushOrderPlaced)
    assert found[0].notification.deadline == _at(9)
    assert [e.notification.order_id for e in events.read(RushOrderPlaced)] == [2]
    assert [type(e.notification) for e in events.read(PriceChanged)] == [PriceChanged]


@pytest.mark.django_db
def test_read_by_time_range_and_after_an_id(log: list[Any]) -> None:
    window = events.read(OrderPlaced, since=_at(2), until=_at(3))
    assert [e.notification for e in window] == [log[0]]
    first = next(events.read(OrderPlaced))
    rest = events.read([OrderPlaced, PriceChanged], after_id=first.event_id)
    assert [e.notification for e in rest] == [log[0], log[3], log[1]]


@pytest.mark.django_db
def test_an_event_read_back_equals_the_one_published_with_its_metadata(log: list[Any]) -> None:
    found = events.get(log[0].event_id)
    assert found.notification == log[0]
    assert (found.event_id, found.occurred_at) == (log[0].event_id, _at(2))
    assert found.event_type == f"{__name__}.OrderPlaced"


@pytest.mark.django_db
def test_an_old_type_name_is_read_through_an_alias() -> None:
    StoredEvent.objects.create(
        id=UUID(int=5),
        event_type="shop.events.OrderPlaced",  # where the class lived before it moved
        payload={"order_id": 4, "total": "4.00"},
        occurred_at=_at(0),
    )
    with pytest.raises(LookupError, match="EVENT_TYPE_ALIASES"):
        list(events.read())
    aliases = {"shop.events.OrderPlaced": f"{__name__}.OrderPlaced"}
    with override_settings(FUNCTIONALKIT={"BEHAVIORS": [], "EVENT_TYPE_ALIASES": aliases}):
        (found,) = events.read(OrderPlaced)
    assert found.notification == OrderPlaced(
        4, Decimal("4.00"), event_id=UUID(int=5), occurred_at=_at(0)
    )


def test_a_declared_event_type_is_not_inherited() -> None:
    @dataclass(frozen=True)
    class DiscountedPriceChanged(PriceChanged):
        pass

    assert events.type_name(PriceChanged) == "catalog.PriceChanged"
    assert events.type_name(DiscountedPriceChanged).endswith(".DiscountedPriceChanged")
