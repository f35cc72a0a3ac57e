"""'In a transaction' per database alias: a command's transaction on "orders", not on default.

"orders" is a second connection to the test database (tests/settings.py): its transaction
commits or rolls back on its own, and what it wrote is visible to the default connection only
once it committed. A notification published inside it is delivered after that commit, never
after its rollback.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import Group
from django.db import connections, transaction

from django_functionalkit import Command, Failure, Messenger, Notification, Result, Success
from django_functionalkit.behaviors.transaction import TransactionBehavior
from django_functionalkit.commit import in_transaction, open_transactions
from django_functionalkit.registry import Registry, make_spec

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "orders"])


@dataclass(frozen=True)
class PlaceOrder(Command[Result[int, str]]):
    name: str
    fail: bool = False


@dataclass(frozen=True)
class OrderPlaced(Notification):
    name: str


@dataclass(frozen=True)
class Delivery:
    """What a notification handler saw when it ran."""

    name: str
    orders_in_transaction: bool
    visible_to_default: bool


delivered: list[Delivery] = []
seen_inside: list[tuple[tuple[str, ...], bool, bool]] = []


def on_order_placed(event: OrderPlaced) -> None:
    delivered.append(
        Delivery(
            event.name,
            connections["orders"].in_atomic_block,
            Group.objects.using("default").filter(name=event.name).exists(),
        )
    )


def see_transactions() -> None:
    seen_inside.append((open_transactions(), in_transaction("orders"), in_transaction("default")))


def make_messenger() -> Messenger:
    handlers = Registry()
    bus = Messenger(handlers, behaviors=[TransactionBehavior(using="orders")])

    def place_order(command: PlaceOrder) -> Result[int, str]:
        group = Group.objects.using("orders").create(name=command.name)
        see_transactions()
        bus.publish(OrderPlaced(command.name))
        return Failure("refused") if command.fail else Success(group.pk)

    handlers.register(make_spec(place_order))
    handlers.register(make_spec(on_order_placed))
    return bus


async def aplace_order(bus: Messenger, command: PlaceOrder) -> object:
    async def place(command: PlaceOrder) -> Result[int, str]:
        group = await Group.objects.using("orders").acreate(name=command.name)
        see_transactions()  # on the event loop: the behavior's record
        await sync_to_async(see_transactions)()  # on the database thread: its connections
        await bus.apublish(OrderPlaced(command.name))
        return Failure("refused") if command.fail else Success(group.pk)

    with bus.registry.override(PlaceOrder, place):
        return await bus.asend(command)


@pytest.fixture(autouse=True)
def _clear() -> None:
    delivered.clear()
    seen_inside.clear()


def test_the_behavior_runs_its_commands_on_its_alias() -> None:
    assert TransactionBehavior(using="orders").using == "orders"
    assert TransactionBehavior().using == "default"


def test_a_command_on_orders_is_in_a_transaction_there_only() -> None:
    bus = make_messenger()
    assert isinstance(bus.send(PlaceOrder("tea")), Success)
    assert seen_inside == [(("orders",), True, False)]
    assert open_transactions() == ()


def test_its_notification_is_delivered_after_orders_commits() -> None:
    bus = make_messenger()
    assert isinstance(bus.send(PlaceOrder("tea")), Success)
    assert delivered == [Delivery("tea", orders_in_transaction=False, visible_to_default=True)]


def test_its_notification_is_never_delivered_when_orders_rolls_back() -> None:
    bus = make_messenger()
    assert bus.send(PlaceOrder("tea", fail=True)) == Failure("refused")
    assert delivered == []
    assert not Group.objects.filter(name="tea").exists()


def test_publish_in_your_own_block_on_orders_waits_for_it() -> None:
    bus = make_messenger()
    with transaction.atomic(using="orders"):
        Group.objects.using("orders").create(name="tea")
        assert in_transaction("orders")
        assert not in_transaction("default")
        bus.publish(OrderPlaced("tea"))
        assert delivered == []
    assert delivered == [Delivery("tea", orders_in_transaction=False, visible_to_default=True)]


def test_publish_inside_transactions_on_two_aliases_waits_for_both() -> None:
    bus = make_messenger()
    with transaction.atomic(using="orders"):
        Group.objects.using("orders").create(name="tea")
        with transaction.atomic():
            bus.publish(OrderPlaced("tea"))
            assert set(open_transactions()) == {"default", "orders"}
        assert delivered == []  # default committed, orders not yet
    assert [d.name for d in delivered] == ["tea"]


def test_publish_waits_for_nothing_when_one_of_two_rolls_back() -> None:
    bus = make_messenger()
    with transaction.atomic(using="orders"):
        with transaction.atomic():
            bus.publish(OrderPlaced("tea"))
        transaction.set_rollback(True, using="orders")
    assert delivered == []


async def test_an_async_command_on_orders_delivers_after_its_commit() -> None:
    bus = make_messenger()
    assert isinstance(await aplace_order(bus, PlaceOrder("tea")), Success)
    assert seen_inside == [(("orders",), True, False), (("orders",), True, False)]
    assert delivered == [Delivery("tea", orders_in_transaction=False, visible_to_default=True)]


async def test_an_async_command_on_orders_that_fails_delivers_nothing() -> None:
    bus = make_messenger()
    assert await aplace_order(bus, PlaceOrder("tea", fail=True)) == Failure("refused")
    assert delivered == []
    assert not await Group.objects.filter(name="tea").aexists()
