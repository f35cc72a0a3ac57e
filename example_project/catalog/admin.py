"""The catalog in the admin. A change saved here goes around the messages, so the admin sends
``RefreshProduct`` after it: the API never serves the product's old cached entries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from django_functionalkit import messenger, set_actor

from .messages import RefreshProduct
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
    list_filter = ("category",)
    list_select_related = ("category",)
    search_fields = ("name",)

    def save_model(
        self, request: HttpRequest, obj: Product, form: ModelForm[Product], change: bool
    ) -> None:
        before: Any = form.initial.get("category")
        super().save_model(request, obj, form, change)
        categories = {obj.category_id, *([before] if isinstance(before, int) else [])}
        refresh(request, RefreshProduct(obj.pk, tuple(sorted(categories))))

    def delete_model(self, request: HttpRequest, obj: Product) -> None:
        message = RefreshProduct(obj.pk, (obj.category_id,))
        super().delete_model(request, obj)
        refresh(request, message)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        messages = [RefreshProduct(p.pk, (p.category_id,)) for p in queryset]
        super().delete_queryset(request, queryset)
        for message in messages:
            refresh(request, message)


def refresh(request: HttpRequest, message: RefreshProduct) -> None:
    with set_actor(request.user):
        messenger.send(message)
