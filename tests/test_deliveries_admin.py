"""Deliveries in the admin, through the test client: filtered, summed up, dead ones retried or
discarded."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from django_functionalkit.models import Delivery

from .test_deliveries import ParcelSent, background, deliveries, invoice, label, tracking
from .test_events import OrderPlaced

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:functionalkit_delivery_changelist")


@pytest.fixture
def superuser_client(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    return client


@pytest.fixture
def three() -> dict[str, Delivery]:
    """label succeeded, invoice pending for an hour, tracking dead after 3 attempts."""
    background(label, invoice, tracking).publish(ParcelSent(1))
    by_handler = {d.handler.rsplit(".", 1)[1]: d for d in deliveries()}
    Delivery.objects.filter(pk=by_handler["label"].pk).update(status="succeeded", attempts=1)
    Delivery.objects.filter(pk=by_handler["tracking"].pk).update(
        status="dead", attempts=3, last_error="ConnectionError: the carrier is down"
    )
    Delivery.objects.filter(pk=by_handler["invoice"].pk).update(
        created_at=timezone.now() - timedelta(hours=1, minutes=1)
    )
    return by_handler


def listed(client: Client, **query: str) -> list[str]:
    response = client.get(CHANGELIST, query)
    assert response.status_code == 200
    return sorted(
        re.findall(r'<td class="field-handler">tests\.test_deliveries\.(\w+)</td>', response.text)
    )


def test_the_list_filters_by_status_handler_and_type(
    superuser_client: Client, three: dict[str, Delivery]
) -> None:
    assert listed(superuser_client) == ["invoice", "label", "tracking"]
    assert listed(superuser_client, status="dead") == ["tracking"]
    assert listed(superuser_client, handler="tests.test_deliveries.label") == ["label"]
    assert listed(superuser_client, event_type="tests.test_deliveries.ParcelSent") == [
        "invoice",
        "label",
        "tracking",
    ]
    assert listed(superuser_client, event_type="tests.test_events.OrderPlaced") == []
    html = superuser_client.get(CHANGELIST).text
    assert 'href="?event_type=tests.test_deliveries.ParcelSent"' in html
    assert "Add delivery" not in html
    assert OrderPlaced  # a stored type of another module, offered by the type filter too


def test_the_list_says_how_many_are_dead_and_how_old_the_oldest_pending_is(
    superuser_client: Client, three: dict[str, Delivery]
) -> None:
    html = superuser_client.get(CHANGELIST).text
    assert "<h2>1 dead; oldest pending: 1\xa0hour, 1\xa0minute</h2>" in html
    Delivery.objects.filter(status="pending").delete()
    assert "<h2>1 dead; none pending</h2>" in superuser_client.get(CHANGELIST).text


def act(client: Client, action: str, *deliveries: Delivery) -> str:
    response = client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [d.pk for d in deliveries]},
        follow=True,
    )
    assert response.status_code == 200
    return response.text


def test_retry_puts_dead_deliveries_back_to_pending_with_their_attempts_reset(
    superuser_client: Client, three: dict[str, Delivery]
) -> None:
    html = act(superuser_client, "retry", *three.values())

    assert "1 dead delivery will be retried." in html
    states = {d.handler.rsplit(".", 1)[1]: (d.status, d.attempts) for d in deliveries()}
    assert states == {
        "invoice": ("pending", 0),
        "label": ("succeeded", 1),  # only dead ones are retried
        "tracking": ("pending", 0),
    }
    tracking_row = Delivery.objects.get(pk=three["tracking"].pk)
    assert tracking_row.next_run_at <= timezone.now()
    assert tracking_row.last_error == "ConnectionError: the carrier is down"  # kept, for history


def test_discard_deletes_dead_deliveries_only(
    superuser_client: Client, three: dict[str, Delivery]
) -> None:
    html = act(superuser_client, "discard", *three.values())

    assert "1 dead delivery discarded." in html
    assert sorted(d.handler.rsplit(".", 1)[1] for d in deliveries()) == ["invoice", "label"]
    assert "delete_selected" not in superuser_client.get(CHANGELIST).text


def test_a_delivery_is_shown_read_only(
    superuser_client: Client, three: dict[str, Delivery]
) -> None:
    url = reverse("admin:functionalkit_delivery_change", args=[three["tracking"].pk])
    html = superuser_client.get(url).text
    assert "ConnectionError: the carrier is down" in html
    assert 'name="status"' not in html
