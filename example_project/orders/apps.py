"""The orders app of the example project."""

from django.apps import AppConfig


class OrdersConfig(AppConfig):
    """Customers, orders and inventory reservations: the guide's order processing railway."""

    name = "example_project.orders"
    label = "example_orders"
    verbose_name = "Example orders"
