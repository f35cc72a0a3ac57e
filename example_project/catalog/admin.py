"""The catalog in the admin. A change saved here goes around the messages; the catalog's
``ready()`` ties products to their cached entries (``invalidates_on_change``), so the API never
serves a product's old entries after an admin saved or deleted it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from .models import Category, Product

if TYPE_CHECKING:  # ModelAdmin is generic for the type checker only (django-stubs)
    CategoryModelAdmin = admin.ModelAdmin[Category]
    ProductModelAdmin = admin.ModelAdmin[Product]
else:
    CategoryModelAdmin = ProductModelAdmin = admin.ModelAdmin


@admin.register(Category)
class CategoryAdmin(CategoryModelAdmin):
    list_display = ("name", "product_count")
    search_fields = ("name",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Category]:
        return super().get_queryset(request).annotate(product_count=Count("products"))

    @admin.display(description="products", ordering="product_count")
    def product_count(self, category: Category) -> int:
        count: int = getattr(category, "product_count", 0)
        return count


@admin.register(Product)
class ProductAdmin(ProductModelAdmin):
    list_display = ("name", "category", "price", "stock")
    list_editable = ("price", "stock")
    list_filter = ("category",)
    list_select_related = ("category",)
    search_fields = ("name",)
