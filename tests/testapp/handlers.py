"""The shop's handlers, registered with ``@handler`` and found by discovery."""

from __future__ import annotations

import asyncio

from django_functionalkit import (
    CommandHandler,
    Failure,
    NotificationHandler,
    Result,
    Success,
    Unit,
    handler,
    messenger,
    unit,
)

from . import store
from .messages import (
    CancelOrder,
    CountItems,
    DomainEvent,
    GetGreeting,
    OrderCancelled,
    OrderPlaced,
    PlaceOrder,
)


@handler
def get_greeting(query: GetGreeting) -> str:
    return f"Hello, {query.name}!"


@handler
async def count_items(query: CountItems) -> int:
    await asyncio.sleep(0)
    return len(query.items)


@handler
class PlaceOrderHandler(CommandHandler[PlaceOrder, Result[int, str]]):
    """A class handler built by ``HANDLER_FACTORY`` (by default with no arguments)."""

    def __init__(self, orders: list[str] | None = None) -> None:
        self.orders = store.orders if orders is None else orders

    def handle(self, command: PlaceOrder) -> Result[int, str]:
        if command.quantity <= 0:
            return Failure(f"quantity must be positive, got {command.quantity}")
        self.orders.append(command.product)
        order_id = len(self.orders)
        messenger.publish(OrderPlaced(order_id, command.product))
        return Success(order_id)


@handler()
def cancel_order(command: CancelOrder) -> Unit:
    messenger.publish(OrderCancelled(command.order_id))
    return unit


@handler
class EventStoreHandler(NotificationHandler[DomainEvent]):
    """As the guide's ``EventStoreHandler<T> where T : DomainEvent``: hears every event."""

    def handle(self, notification: DomainEvent) -> None:
        store.event_store.append(notification)


@handler
def email_customer(event: OrderPlaced) -> None:
    store.outbox.append(f"order {event.order_id}: {event.product}")
