"""Stored events in the admin, through the test client: browsed and filtered, never edited."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from django_functionalkit import MessageContext, messenger
from django_functionalkit.context import use_context
from django_functionalkit.models import StoredEvent
from tests.test_events import OrderPlaced, PriceChanged

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:functionalkit_storedevent_changelist")


@pytest.fixture
def log() -> list[StoredEvent]:
    for request_id, event in [
        ("req-old", OrderPlaced(1, Decimal("5.00"), occurred_at=datetime(2025, 6, 1, tzinfo=UTC))),
        ("req-price", PriceChanged(product_id=9)),
        ("req-order", OrderPlaced(2, Decimal(7), occurred_at=datetime(2030, 1, 1, tzinfo=UTC))),
    ]:
        with use_context(MessageContext(request_id=request_id)):
            messenger.publish(event)
    return list(StoredEvent.objects.all())


@pytest.fixture
def superuser_client(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    return client


def listed(client: Client, **query: str) -> list[str]:
    """The request ids of the events the change list shows for ``query``."""
    response = client.get(CHANGELIST, query)
    assert response.status_code == 200
    return re.findall(r'<td class="field-request_id">(req-[a-z]+)</td>', response.content.decode())


@pytest.mark.usefixtures("log")
def test_the_list_shows_events_newest_first_and_filters_by_type_and_date(
    superuser_client: Client,
) -> None:
    assert listed(superuser_client) == ["req-order", "req-price", "req-old"]
    assert listed(superuser_client, event_type="catalog.PriceChanged") == ["req-price"]
    orders = {"event_type": "tests.test_events.OrderPlaced"}
    assert listed(superuser_client, **orders) == ["req-order", "req-old"]
    assert listed(superuser_client, occurred_at__year="2025") == ["req-old"]
    html = superuser_client.get(CHANGELIST).content.decode()
    assert 'href="?event_type=catalog.PriceChanged"' in html  # the filter offers the known types
    assert "Add stored event" not in html


def test_an_event_is_shown_read_only_with_its_payload(
    superuser_client: Client, log: list[StoredEvent]
) -> None:
    old = next(e for e in log if e.request_id == "req-old")
    page = reverse("admin:functionalkit_storedevent_change", args=[old.pk])
    response = superuser_client.get(page)
    html = response.content.decode()
    assert response.status_code == 200
    assert "&quot;order_id&quot;: 1" in html
    assert 'name="_save"' not in html
    assert "Delete" not in html
    assert superuser_client.post(page, {"event_type": "forged"}).status_code == 403
    assert StoredEvent.objects.get(pk=old.pk).event_type == "tests.test_events.OrderPlaced"


def test_nobody_adds_or_deletes_an_event(superuser_client: Client, log: list[StoredEvent]) -> None:
    assert superuser_client.get(reverse("admin:functionalkit_storedevent_add")).status_code == 403
    delete = reverse("admin:functionalkit_storedevent_delete", args=[log[0].pk])
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [str(e.pk) for e in log]}
    superuser_client.post(CHANGELIST, bulk)
    assert StoredEvent.objects.count() == 3
