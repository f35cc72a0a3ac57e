"""Customers, their orders, and the stock reserved for orders being placed."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from example_project.catalog.models import Product


class Customer(models.Model):
    """Who places orders; linked to the user who signs in as them, when there is one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customer",
    )
    name = models.CharField(max_length=200)
    email = models.EmailField()
    is_active = models.BooleanField(default=True, help_text="An inactive account places no orders.")
    can_place_orders = models.BooleanField(
        default=True, help_text="Cleared to stop a customer ordering (unpaid invoices, say)."
    )

    class Meta:
        ordering = ("name", "pk")

    def __str__(self) -> str:
        return self.name


class Order(models.Model):
    """A paid order. Its items keep the prices it was placed at."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    total = models.DecimalField(max_digits=12, decimal_places=2)
    charge_id = models.CharField(max_length=64, help_text="The payment service's reference.")
    card_last4 = models.CharField("card", max_length=4, help_text="The card's last four digits.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"Order {self.pk}"


class OrderItem(models.Model):
    """One line of an order."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=9, decimal_places=2)

    class Meta:
        ordering = ("pk",)

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product}"

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


class Reservation(models.Model):
    """Units of a product set aside for an order being placed.

    Held units are not available to other orders; a failed order releases its reservations,
    and a placed one confirms them, which takes their units off the product's stock.
    """

    class Status(models.TextChoices):
        HELD = "held", "held"
        RELEASED = "released", "released"
        CONFIRMED = "confirmed", "confirmed"

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="reservations")
    quantity = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.HELD, db_index=True
    )
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, null=True, blank=True, related_name="reservations"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product} ({self.status})"
