"""The catalog: products in categories, with a price and the units on hand."""

from __future__ import annotations

from django.db import models


class Category(models.Model):
    """A group of products; the catalog is read one category at a time."""

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ("name",)
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """Something to order. ``stock`` counts the units on hand: held reservations still count
    in it until their order is confirmed (``example_project.orders``)."""

    name = models.CharField(max_length=200)
    price = models.DecimalField(max_digits=9, decimal_places=2)  # up to 1,000,000.00
    stock = models.PositiveIntegerField(default=0)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")

    class Meta:
        ordering = ("name", "pk")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="example_catalog_price_not_negative"
            ),
        )

    def __str__(self) -> str:
        return self.name
