"""The example project's orders through its API: the guide's order processing railway.

Real commits and the default stack of behaviors, as the example project runs: the command runs
in a transaction, its audit entry is written after it, and ``OrderProcessed`` is stored with the
order: its background handlers run when its deliveries are run (``deliver()``, the sweeper).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from django_functionalkit import Failure, Success, messenger, unit
from django_functionalkit.errors import Conflict
from django_functionalkit.models import AuditEntry, Delivery
from example_project.catalog.models import Category, Product
from example_project.orders.messages import (
    ConfirmReservations,
    OrderItemRequest,
    PaymentDeclined,
    PaymentInfo,
    ProcessOrder,
)
from example_project.orders.models import Customer, Order, OrderItem, Reservation
from example_project.users.models import SentEmail
from tests.delivering import deliver
from tests.problems import problem
from tests.workers import Workers, wait_until

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("example_project.urls"),
    pytest.mark.usefixtures("default_stack"),
]

CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 1234 5678 0000"  # the payment service declines numbers ending in 0000
PROCESS_ORDER = "example_project.orders.messages.ProcessOrder"


@dataclass
class Shop:
    lamp: Product  # 5 in stock at 29.90
    desk: Product  # 1 in stock at 349.00
    piano: Product  # 2 in stock at 6,000.00: over the card limit
    ada: Customer  # may order
    alan: Customer  # inactive
    bob: Customer  # may not order


@pytest.fixture
def shop() -> Shop:
    home = Category.objects.create(name="Home")

    def product(name: str, price: str, stock: int) -> Product:
        return Product.objects.create(name=name, price=Decimal(price), stock=stock, category=home)

    return Shop(
        lamp=product("Desk lamp", "29.90", 5),
        desk=product("Oak desk", "349.00", 1),
        piano=product("Piano", "6000.00", 2),
        ada=Customer.objects.create(name="Ada Lovelace", email="ada@example.com"),
        alan=Customer.objects.create(name="Alan Turing", email="alan@example.com", is_active=False),
        bob=Customer.objects.create(name="Bob", email="bob@example.com", can_place_orders=False),
    )


def order(
    client: Client, customer: Customer | int, *items: tuple[Product | int, int], card: str = CARD
) -> Any:
    """POST /api/orders/ for ``items`` of (product, quantity)."""
    payload = {
        "customer_id": customer if isinstance(customer, int) else customer.pk,
        "items": [
            {"product_id": p if isinstance(p, int) else p.pk, "quantity": quantity}
            for p, quantity in items
        ],
        "payment": {"card_number": card, "card_holder": "A. Lovelace"},
    }
    return client.post("/api/orders/", payload, content_type="application/json")


def stock(*products: Product) -> list[int]:
    return [Product.objects.get(pk=p.pk).stock for p in products]


def nothing_was_kept(shop: Shop) -> None:
    """A failed order leaves no order, no reservation, the stock as it was, and no email."""
    assert not Order.objects.exists()
    assert not OrderItem.objects.exists()
    assert not Reservation.objects.exists()
    assert stock(shop.lamp, shop.desk, shop.piano) == [5, 1, 2]
    assert mail.outbox == []


# -- the way through ------------------------------------------------------------------------


def test_a_placed_order_is_paid_taken_off_the_stock_and_confirmed_by_email(
    client: Client, shop: Shop
) -> None:
    # Cached before the order: the stock it shows must not stay stale after it.
    assert client.get(f"/api/products/{shop.lamp.pk}/").json()["stock"] == 5
    catalog = f"/api/products/?category_id={shop.lamp.category_id}"
    assert client.get(catalog).json()["results"][0]["stock"] == 5

    response = order(client, shop.ada, (shop.lamp, 2), (shop.desk, 1))

    assert response.status_code == 201, response.content
    placed = response.json()
    assert response["Location"] == f"http://testserver/api/orders/{placed['id']}/"
    assert placed == {
        "id": placed["id"],
        "customer_id": shop.ada.pk,
        "total": "408.80",
        "card_last4": "4242",
        "created_at": placed["created_at"],
        "items": [
            {
                "product_id": shop.lamp.pk,
                "product_name": "Desk lamp",
                "quantity": 2,
                "unit_price": "29.90",
                "line_total": "59.80",
            },
            {
                "product_id": shop.desk.pk,
                "product_name": "Oak desk",
                "quantity": 1,
                "unit_price": "349.00",
                "line_total": "349.00",
            },
        ],
    }
    assert client.get(response["Location"]).json() == placed

    # OrderProcessed is stored with the order; its handlers wait for a worker ...
    saved = Order.objects.get()
    assert set(saved.reservations.values_list("status", flat=True)) == {"held"}
    assert mail.outbox == []
    assert deliver() == "pass 1: 2 succeeded"
    # ... who ran them: the reservations came off the stock ...
    assert saved.charge_id.startswith("ch_")
    assert sorted(saved.reservations.values_list("product__name", "quantity", "status")) == [
        ("Desk lamp", 2, "confirmed"),
        ("Oak desk", 1, "confirmed"),
    ]
    assert stock(shop.lamp, shop.desk) == [3, 0]
    # ... and dropped the products' cached entries, so the API shows the new stock at once
    assert client.get(f"/api/products/{shop.lamp.pk}/").json()["stock"] == 3
    assert client.get(catalog).json()["results"][0]["stock"] == 3
    # ... and the customer got a confirmation.
    (email,) = mail.outbox
    assert email.to == ["ada@example.com"]
    assert email.subject == f"Order {saved.pk} confirmed"
    assert "2 x Desk lamp at 29.90" in email.body
    assert "1 x Oak desk at 349.00" in email.body
    assert "Total: 408.80" in email.body

    # Confirming again (a redelivered event) takes nothing off twice.
    assert messenger.send(ConfirmReservations(saved.pk)) == Success(unit)
    assert stock(shop.lamp, shop.desk) == [3, 0]
    assert deliver() == ""  # nothing left to deliver


def test_the_audit_log_has_the_order_without_its_card_number(client: Client, shop: Shop) -> None:
    assert order(client, shop.ada, (shop.lamp, 1)).status_code == 201
    deliver()
    entry = AuditEntry.objects.get(message_type=PROCESS_ORDER)
    assert entry.success
    assert entry.kind == "command"
    assert entry.request_data == {
        "customer_id": shop.ada.pk,
        "items": [{"product_id": shop.lamp.pk, "quantity": 1}],
        "payment": {"card_number": "[redacted]", "card_holder": "A. Lovelace"},
    }
    assert entry.outcome is not None
    assert entry.outcome["total"] == "29.90"
    assert CARD not in json.dumps([entry.request_data, entry.outcome, entry.error])
    confirmed = AuditEntry.objects.get(
        message_type="example_project.orders.messages.ConfirmReservations"
    )
    assert confirmed.success


# -- the way off the rails, step by step ----------------------------------------------------


def test_invalid_input_names_every_field_and_keeps_nothing(client: Client, shop: Shop) -> None:
    # The serializer holds each field to what its type declares (and the schema publishes),
    # in nested items and the payment too.
    body = problem(order(client, shop.ada), 400)
    assert body["errors"] == {"items": ["Ensure this field has at least 1 elements."]}

    body = problem(order(client, shop.ada, (shop.lamp, 0), (shop.desk, -1), card="4242"), 400)
    assert body["code"] == "invalid"
    assert body["errors"] == {
        "items.0.quantity": ["Ensure this value is greater than or equal to 1."],
        "items.1.quantity": ["Ensure this value is greater than or equal to 1."],
        "payment.card_number": ["Enter a valid value."],
    }

    # What the serializer refuses never reaches the handler: a missing payment, a wrong type.
    missing = client.post(
        "/api/orders/",
        {"customer_id": shop.ada.pk, "items": [{"product_id": "lamp", "quantity": 1}]},
        content_type="application/json",
    )
    assert set(problem(missing, 400)["errors"]) == {"payment", "items.0.product_id"}
    nothing_was_kept(shop)


def test_an_unknown_customer_is_404(client: Client, shop: Shop) -> None:
    body = problem(order(client, 999999, (shop.lamp, 1)), 404)
    assert (body["detail"], body["code"]) == ("Customer 999999 not found", "not_found")
    nothing_was_kept(shop)


def test_a_customer_who_may_not_order_is_a_409(client: Client, shop: Shop) -> None:
    inactive = problem(order(client, shop.alan, (shop.lamp, 1)), 409)
    assert (inactive["detail"], inactive["code"]) == (
        "Customer account is inactive",
        "customer_inactive",
    )
    blocked = problem(order(client, shop.bob, (shop.lamp, 1)), 409)
    assert (blocked["detail"], blocked["code"]) == (
        "Customer cannot place orders",
        "customer_cannot_order",
    )
    nothing_was_kept(shop)


def test_out_of_stock_is_a_409_naming_the_product_and_keeps_nothing(
    client: Client, shop: Shop
) -> None:
    body = problem(order(client, shop.ada, (shop.lamp, 2), (shop.desk, 3), (shop.piano, 9)), 409)
    assert body["code"] == "out_of_stock"
    assert body["detail"] == (
        f"Inventory reservation failed: Oak desk (product {shop.desk.pk}): only 1 of 3 "
        f"available, Piano (product {shop.piano.pk}): only 2 of 9 available"
    )
    nothing_was_kept(shop)  # the lamps were reserved, released, and rolled back


def test_an_unknown_product_is_invalid_input(client: Client, shop: Shop) -> None:
    body = problem(order(client, shop.ada, (shop.lamp, 1), (999999, 1)), 400)
    assert body["errors"] == {"items.1.product_id": ["Product 999999 not found"]}
    assert body["code"] == "does_not_exist"  # a fact of the data, not of the request's shape
    nothing_was_kept(shop)


def test_held_units_are_not_available_to_other_orders(client: Client, shop: Shop) -> None:
    Reservation.objects.create(product=shop.lamp, quantity=4)  # another order being placed
    body = problem(order(client, shop.ada, (shop.lamp, 2)), 409)
    assert body["detail"].endswith(f"Desk lamp (product {shop.lamp.pk}): only 1 of 2 available")
    assert order(client, shop.ada, (shop.lamp, 1)).status_code == 201
    deliver()
    assert stock(shop.lamp) == [4]  # only this order's unit came off
    assert Reservation.objects.filter(status="held", quantity=4).exists()  # the other's waits


def test_a_declined_card_is_a_400_that_keeps_nothing_and_is_audited_redacted(
    client: Client, shop: Shop
) -> None:
    body = problem(order(client, shop.ada, (shop.lamp, 2), card=DECLINED_CARD), 400)
    assert body == {
        "type": "about:blank",
        "title": "Bad Request",
        "status": 400,
        "detail": "The card ending in 0000 was declined",
        "code": "payment_declined",
    }
    nothing_was_kept(shop)
    entry = AuditEntry.objects.get(message_type=PROCESS_ORDER)
    assert not entry.success
    assert entry.error == "The card ending in 0000 was declined"
    assert entry.request_data["payment"]["card_number"] == "[redacted]"
    assert DECLINED_CARD not in json.dumps([entry.request_data, entry.outcome, entry.error])


def test_an_amount_over_the_card_limit_is_declined(client: Client, shop: Shop) -> None:
    body = problem(order(client, shop.ada, (shop.piano, 1)), 400)
    assert (body["detail"], body["code"]) == (
        "6000.00 is over the card's limit of 5000.00",
        "payment_declined",
    )
    nothing_was_kept(shop)


def test_the_handler_releases_reservations_itself_without_the_transaction(shop: Shop) -> None:
    """Without the transaction behavior nothing rolls back, so the rows show what the handler
    did: as the guide, it released the reservations that had succeeded."""
    card = PaymentInfo(CARD)
    lamps = OrderItemRequest(shop.lamp.pk, 2)
    with override_settings(FUNCTIONALKIT={"BEHAVIORS": []}):
        short = messenger.send(
            ProcessOrder(shop.ada.pk, [lamps, OrderItemRequest(shop.desk.pk, 3)], card)
        )
        assert isinstance(short, Failure)
        assert isinstance(short.error, Conflict)
        assert list(Reservation.objects.values_list("product", "quantity", "status")) == [
            (shop.lamp.pk, 2, "released")
        ]
        Reservation.objects.all().delete()

        declined = messenger.send(
            ProcessOrder(
                shop.ada.pk, [lamps, OrderItemRequest(shop.desk.pk, 1)], PaymentInfo(DECLINED_CARD)
            )
        )
        assert declined == Failure(PaymentDeclined("The card ending in 0000 was declined"))
        assert sorted(Reservation.objects.values_list("product", "status")) == [
            (shop.lamp.pk, "released"),
            (shop.desk.pk, "released"),
        ]
    Reservation.objects.all().delete()
    nothing_was_kept(shop)


def test_a_missing_order_is_404(client: Client, shop: Shop) -> None:
    body = problem(client.get("/api/orders/999999/"), 404)
    assert body["detail"] == "Order 999999 not found"
    assert messenger.send(ConfirmReservations(999999)).is_failure()


def test_the_admin_lists_customers_orders_and_reservations(client: Client, shop: Shop) -> None:
    assert order(client, shop.ada, (shop.lamp, 2)).status_code == 201
    placed = Order.objects.get()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pass"))
    for url in (
        "/admin/example_orders/customer/",
        "/admin/example_orders/order/",
        f"/admin/example_orders/order/{placed.pk}/change/",
        "/admin/example_orders/reservation/",
        "/admin/example_catalog/product/",
        "/admin/example_catalog/category/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get("/admin/example_orders/order/").content.decode()
    assert "Ada Lovelace" in page
    assert "59.80" in page
    assert client.get("/admin/example_orders/order/add/").status_code == 403  # placed via API


# -- demo data ------------------------------------------------------------------------------


def test_seed_demo_gives_each_demo_user_a_customer_once() -> None:
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    customers = Customer.objects.order_by("user__username")
    assert [(c.user.username if c.user else None, c.email, c.is_active) for c in customers] == [
        ("ada", "ada@example.com", True),
        ("alan", "alan@example.com", False),  # an inactive user's customer is inactive
        ("grace", "grace@example.com", True),
    ]
    assert not Customer.objects.filter(user__username="admin").exists()
    assert Product.objects.filter(name="Desk lamp").count() == 1
    assert User.objects.count() == 4


# -- the workers: a stopped one loses nothing ---------------------------------------------------


def test_orders_placed_while_no_worker_runs_are_confirmed_and_emailed_once_later(
    client: Client, shop: Shop
) -> None:
    for _ in range(3):
        assert order(client, shop.ada, (shop.lamp, 1)).status_code == 201
    # No worker: the orders are placed, their reservations held, their deliveries pending.
    assert set(Reservation.objects.values_list("status", flat=True)) == {"held"}
    assert (stock(shop.lamp), mail.outbox) == ([5], [])
    assert Delivery.objects.filter(status="pending").count() == 6  # 2 handlers x 3 orders

    assert deliver() == "pass 1: 6 succeeded"
    assert set(Reservation.objects.values_list("status", flat=True)) == {"confirmed"}
    assert stock(shop.lamp) == [2]
    ids = sorted(Order.objects.values_list("pk", flat=True))
    assert sorted(m.subject for m in mail.outbox) == sorted(f"Order {i} confirmed" for i in ids)

    # Every delivery run again (a retry from the admin, a worker whose success mark was lost):
    # the handlers find what they did, and do nothing twice.
    Delivery.objects.update(status="pending", next_run_at=timezone.now())
    assert deliver() == "pass 1: 6 succeeded"
    assert (stock(shop.lamp), len(mail.outbox), SentEmail.objects.count()) == ([2], 3, 3)


def test_the_example_orders_survive_a_stopped_worker(
    client: Client, shop: Shop, workers: Workers
) -> None:
    """Real worker processes, as `make demo` runs them: the sweeper, stopped and started again."""

    def delivered(count: int) -> None:
        wait_until(
            lambda: Delivery.objects.filter(status="succeeded").count() == count,
            30,
            f"{count} deliveries succeeded",
        )

    running = workers.sweeper()
    assert order(client, shop.ada, (shop.lamp, 1)).status_code == 201
    delivered(2)
    running.stop()  # SIGTERM, as the demo's script stops it

    for _ in range(3):  # no worker now
        assert order(client, shop.ada, (shop.lamp, 1)).status_code == 201
    assert Delivery.objects.filter(status="pending").count() == 6
    assert Reservation.objects.filter(status="held").count() == 3

    started_again = workers.sweeper()
    delivered(8)
    started_again.stop()
    assert set(Reservation.objects.values_list("status", flat=True)) == {"confirmed"}
    assert stock(shop.lamp) == [1]
    # Each order's email sent once, by one worker or the other (their console mail, in the logs)
    sent = running.output() + started_again.output()
    for placed in Order.objects.all():
        assert sent.count(f"Subject: Order {placed.pk} confirmed") == 1, sent
    assert SentEmail.objects.count() == 4
