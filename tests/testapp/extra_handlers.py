"""Imported only when ``FUNCTIONALKIT["HANDLER_MODULES"]`` names ``extra_handlers``."""

from __future__ import annotations

from django_functionalkit import handler

from . import store
from .messages import OrderCancelled


@handler
def notify_warehouse(event: OrderCancelled) -> None:
    store.outbox.append(f"warehouse: order {event.order_id} cancelled")
