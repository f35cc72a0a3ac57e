"""The shop's messages: frozen dataclasses, as users write them."""

from __future__ import annotations

from dataclasses import dataclass

from django_functionalkit import Command, Notification, Query, Result, Unit


@dataclass(frozen=True)
class GetGreeting(Query[str]):
    """Handled by a sync function."""

    name: str


@dataclass(frozen=True)
class CountItems(Query[int]):
    """Handled by an ``async def`` function; holds an unhashable field."""

    items: list[str]


@dataclass(frozen=True)
class PlaceOrder(Command[Result[int, str]]):
    """Handled by a class handler; publishes ``OrderPlaced``."""

    product: str
    quantity: int


@dataclass(frozen=True)
class CancelOrder(Command[Unit]):
    """Returns nothing worth reading; publishes ``OrderCancelled``."""

    order_id: int


@dataclass(frozen=True)
class DomainEvent(Notification):
    """Base of the shop's events: the event store hears every one of them."""


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):
    order_id: int
    product: str


@dataclass(frozen=True)
class OrderCancelled(DomainEvent):
    order_id: int
