"""The guide's IInventoryService and IPaymentService: stock reservations on the ORM, and a
payment service that declines by a rule, so that the failure paths are real."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum

from django_functionalkit import Failure, Result, Success
from django_functionalkit.errors import Conflict, Error, NotFound
from example_project.catalog.models import Product

from .messages import PaymentDeclined, PaymentInfo
from .models import Order, Reservation

CARD_NUMBER = re.compile(r"\d{12,19}")


def card_digits(card_number: str) -> str:
    """The digits of a card number as people write it (``4242 4242-4242 4242``)."""
    return re.sub(r"[\s-]", "", card_number)


class InventoryService:
    """Reserves units of a product for an order being placed, and releases or confirms them.

    Each method is atomic on its own (a savepoint inside a command's transaction), and a
    reservation locks its product's row, so two orders never hold the same last unit.
    """

    def reserve(self, product_id: int, quantity: int) -> Result[Reservation, Error]:
        """Hold ``quantity`` units, or fail: ``NotFound`` product, ``Conflict`` out of stock."""
        with transaction.atomic():
            product = Product.objects.select_for_update().filter(pk=product_id).first()
            if product is None:
                return Failure(NotFound(f"Product {product_id} not found"))
            available = product.stock - held_units(product)
            if available < quantity:
                return Failure(
                    Conflict(
                        f"{product.name} (product {product.pk}): only {max(available, 0)} of "
                        f"{quantity} available",
                        code="out_of_stock",
                    )
                )
            return Success(Reservation.objects.create(product=product, quantity=quantity))

    def release(self, reservation: Reservation) -> None:
        """Give the units back; releasing twice, or a confirmed reservation, changes nothing."""
        Reservation.objects.filter(pk=reservation.pk, status=Reservation.Status.HELD).update(
            status=Reservation.Status.RELEASED
        )

    def release_all(self, reservations: Iterable[Reservation]) -> None:
        for reservation in reservations:
            self.release(reservation)

    def confirm(self, order: Order) -> int:
        """Take the order's held units off the stock; how many reservations that confirmed."""
        with transaction.atomic():
            held = list(
                order.reservations.select_for_update().filter(status=Reservation.Status.HELD)
            )
            for reservation in held:
                Product.objects.filter(pk=reservation.product_id).update(
                    stock=F("stock") - reservation.quantity
                )
            Reservation.objects.filter(pk__in=[r.pk for r in held]).update(
                status=Reservation.Status.CONFIRMED
            )
        return len(held)


def held_units(product: Product) -> int:
    """Units of ``product`` held for orders being placed: not available to others."""
    held = Reservation.objects.filter(product=product, status=Reservation.Status.HELD)
    total: int | None = held.aggregate(total=Sum("quantity"))["total"]
    return total or 0


@dataclass(frozen=True)
class Charge:
    """A successful payment."""

    id: str
    card_last4: str
    amount: Decimal


class PaymentService:
    """A card processor stand-in with two rules: it declines every card whose number ends in
    0000, and every amount over ``limit``."""

    declined_suffix = "0000"
    limit = Decimal("5000.00")

    def charge(self, payment: PaymentInfo, amount: Decimal) -> Result[Charge, PaymentDeclined]:
        digits = card_digits(payment.card_number)
        last4 = digits[-4:]
        if digits.endswith(self.declined_suffix):
            return Failure(PaymentDeclined(f"The card ending in {last4} was declined"))
        if amount > self.limit:
            return Failure(PaymentDeclined(f"{amount} is over the card's limit of {self.limit}"))
        return Success(Charge(f"ch_{uuid.uuid4().hex[:24]}", last4, amount))
