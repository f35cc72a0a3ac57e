"""The orders app's messages, what they return, and how they fail: the guide's order processing.

``ProcessOrder`` fails with one of these error values (the HTTP status in brackets):

- ``InvalidInput`` (400): no items, a quantity below 1, a card number that is not 12 to 19
  digits, or an item naming a product that does not exist; ``errors`` names each field
  (``items.1.quantity``).
- ``NotFound`` (404): no customer with this id.
- ``Conflict`` (409), code ``customer_inactive`` or ``customer_cannot_order``: the customer
  exists but may not order now. A conflict with the customer's current state, not a 403: the
  client is not refused a right (this API has no sign-in), and the same request succeeds once
  the account is active again.
- ``Conflict`` (409), code ``out_of_stock``: some items are short; ``detail`` names each
  product and how many units are left.
- ``PaymentDeclined`` (400), code ``payment_declined``: the payment service declined the card.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Annotated, ClassVar

from annotated_types import Ge, MinLen

from django_functionalkit import (
    Command,
    DomainEvent,
    InvalidatesCache,
    Pattern,
    Query,
    Result,
    Unit,
)
from django_functionalkit.errors import Error
from example_project.catalog.messages import catalog_tag, product_key

from .models import Order, Reservation


@dataclass(frozen=True, slots=True)
class PaymentDeclined(Error):
    """The payment service declined the card: a 400, as any error the library does not name."""

    code: str = "payment_declined"


@dataclass(frozen=True)
class OrderItemRequest:
    """One line of an order to place: a product and how many of it."""

    product_id: int
    quantity: Annotated[int, Ge(1)]


@dataclass(frozen=True)
class PaymentInfo:
    """How the customer pays. The card number never reaches the audit log: it is redacted."""

    # 12 to 19 digits, maybe grouped with spaces or dashes (services.card_digits reads it);
    # ASCII digits and spaces: what \d and \s mean differs between Python and the schema's ECMA
    card_number: Annotated[str, Pattern(r"^[ -]*(?:[0-9][ -]*){12,19}$")] = field(repr=False)
    card_holder: str = ""


@dataclass(frozen=True)
class OrderLineDto:
    product_id: int
    product_name: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal


@dataclass(frozen=True)
class OrderDto:
    """What a client sees of an order."""

    id: int
    customer_id: int
    total: Decimal
    card_last4: str
    created_at: datetime
    items: list[OrderLineDto]

    @classmethod
    def from_model(cls, order: Order) -> OrderDto:
        lines = order.items.select_related("product").order_by("pk")
        return cls(
            id=order.pk,
            customer_id=order.customer_id,
            total=order.total,
            card_last4=order.card_last4,
            created_at=order.created_at,
            items=[
                OrderLineDto(
                    line.product_id,
                    line.product.name,
                    line.quantity,
                    line.unit_price,
                    line.line_total,
                )
                for line in lines
            ],
        )


@dataclass(frozen=True)
class ProcessOrder(Command[Result[OrderDto, Error]]):
    """Place and pay an order: reserve the stock of every item, charge the card, record it.

    Nothing is kept when a step fails: the reservations are released and the command's
    transaction rolls back. Once it committed, workers run the background handlers of
    `OrderProcessed`: they take the units off the stock and email the customer a confirmation.
    """

    customer_id: int
    items: Annotated[list[OrderItemRequest], MinLen(1)]
    payment: PaymentInfo


@dataclass(frozen=True)
class GetOrder(Query[Result[OrderDto, Error]]):
    """The order with this id, or `NotFound`."""

    order_id: int


@dataclass(frozen=True)
class ProcessedItem:
    product_id: int
    product_name: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class OrderProcessed(DomainEvent):
    """An order was placed and paid (the guide's OrderProcessedEvent).

    A domain event, stored with the order: its background handlers are run by workers from
    their delivery rows, so a web process that dies after the commit loses none of them.
    """

    event_type: ClassVar[str | None] = "orders.OrderProcessed"  # its name if the class moves

    order_id: int
    customer_id: int
    total: Decimal
    items: list[ProcessedItem]
    processed_at: datetime


@dataclass(frozen=True)
class ConfirmReservations(Command[Result[Unit, Error]], InvalidatesCache):
    """Take the held reservations of a placed order off the stock; running it again for the
    same order changes nothing. The products' cached entries and catalog pages are dropped:
    their stock changed."""

    order_id: int

    @property
    def invalidates_keys(self) -> list[str]:
        return [product_key(product) for product, _ in self._products()]

    @property
    def invalidates_tags(self) -> list[str]:
        return sorted({catalog_tag(category) for _, category in self._products()})

    def _products(self) -> list[tuple[int, int]]:
        """(product id, category id) of every product the order reserved."""
        return list(
            Reservation.objects.filter(order_id=self.order_id)
            .values_list("product_id", "product__category_id")
            .distinct()
        )
