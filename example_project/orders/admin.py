"""Customers, orders and reservations in the admin. Orders are records of payments: read-only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.http import HttpRequest

from .models import Customer, Order, OrderItem, Reservation

if TYPE_CHECKING:  # ModelAdmin is generic for the type checker only (django-stubs)
    CustomerModelAdmin = admin.ModelAdmin[Customer]
    OrderModelAdmin = admin.ModelAdmin[Order]
    ReservationModelAdmin = admin.ModelAdmin[Reservation]
    OrderItemInlineBase = admin.TabularInline[OrderItem, Order]
else:
    CustomerModelAdmin = OrderModelAdmin = ReservationModelAdmin = admin.ModelAdmin
    OrderItemInlineBase = admin.TabularInline


@admin.register(Customer)
class CustomerAdmin(CustomerModelAdmin):
    list_display = ("name", "email", "user", "is_active", "can_place_orders")
    list_editable = ("is_active", "can_place_orders")
    list_filter = ("is_active", "can_place_orders")
    list_select_related = ("user",)
    search_fields = ("name", "email")
    raw_id_fields = ("user",)


class OrderItemInline(OrderItemInlineBase):
    model = OrderItem
    fields = ("product", "quantity", "unit_price", "line_total")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(OrderModelAdmin):
    list_display = ("__str__", "customer", "total", "card_last4", "created_at")
    list_select_related = ("customer",)
    list_filter = ("created_at",)
    search_fields = ("customer__name", "customer__email", "charge_id")
    date_hierarchy = "created_at"
    readonly_fields = ("customer", "total", "charge_id", "card_last4", "created_at")
    inlines = (OrderItemInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # orders are placed through ProcessOrder: reserved, paid, confirmed


@admin.register(Reservation)
class ReservationAdmin(ReservationModelAdmin):
    list_display = ("__str__", "product", "quantity", "status", "order", "created_at")
    list_filter = ("status",)
    list_select_related = ("product", "order")
    readonly_fields = ("product", "quantity", "status", "order", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
