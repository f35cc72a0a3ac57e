"""Checked by mypy --strict and pyright --strict in ``make test``; never imported at run time.

A frozen dataclass subclass of ``DomainEvent`` adds fields without defaults (the base's are
keyword-only), and reading events gives back the type asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import assert_type
from uuid import UUID

from django_functionalkit import DomainEvent, Notification, Stored
from django_functionalkit.delivery import events


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):
    order_id: int
    total: Decimal


@dataclass(frozen=True)
class PriceChanged(Notification, Stored):
    product_id: int
    event_type = "catalog.PriceChanged"


def construct() -> None:
    placed = OrderPlaced(7, Decimal("9.90"))
    assert_type(placed.order_id, int)
    assert_type(placed.event_id, UUID)
    assert_type(placed.occurred_at, datetime)
    OrderPlaced(order_id=7, total=Decimal(1), event_id=UUID(int=1))
    OrderPlaced(7, Decimal(1), UUID(int=1))  # type: ignore[misc]  # pyright: ignore[reportCallIssue]


def read() -> None:
    for event in events.read(OrderPlaced):
        assert_type(event.notification, OrderPlaced)
        assert_type(event.event_id, UUID)
    for anything in events.read(since=datetime(2026, 1, 1)):
        assert_type(anything.notification, Notification)
    assert_type(events.get(UUID(int=1)).notification, Notification)
