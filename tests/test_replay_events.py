"""``manage.py replay_events``: stored events, in the order they occurred, to one handler."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from django_functionalkit import Notification, handler, messenger
from tests.test_events import OrderPlaced, PriceChanged, RushOrderPlaced

pytestmark = pytest.mark.django_db

# A read model rebuilt by replay: order ids in the order the handler heard them.
read_model: list[int] = []
NAME = f"{__name__}.rebuild_order_list"


def rebuild_order_list(event: OrderPlaced) -> None:
    if event.order_id == 13:
        raise ValueError("unlucky order")
    read_model.append(event.order_id)


def count_price_changes(event: PriceChanged) -> None:
    raise AssertionError("replay runs one handler only")


def _at(minutes: int) -> datetime:
    return datetime(2026, 5, 1, 9, tzinfo=UTC) + timedelta(minutes=minutes)


@pytest.fixture(autouse=True)
def handlers(restore_registry: None) -> None:
    read_model.clear()
    handler(rebuild_order_list)
    handler(count_price_changes)


@pytest.fixture
def log() -> None:
    """Published out of order: replay follows the time each event occurred."""
    for event in [
        OrderPlaced(3, Decimal(1), occurred_at=_at(30)),
        PriceChanged(1),
        OrderPlaced(1, Decimal(1), occurred_at=_at(10)),
        RushOrderPlaced(2, Decimal(1), _at(99), occurred_at=_at(20)),
    ]:
        publish_unheard(event)


def publish_unheard(event: Notification) -> None:
    """Publish ``event``, stored as always, without running its handlers now."""
    with messenger.capture():
        messenger.publish(event)


def replay(*args: str) -> str:
    out = io.StringIO()
    call_command("replay_events", "--handler", NAME, *args, stdout=out)
    return out.getvalue()


@pytest.mark.usefixtures("log")
def test_replays_every_event_the_handler_hears_in_order_of_occurrence() -> None:
    out = replay()
    assert read_model == [1, 2, 3]
    assert f"Replayed 3 event(s) to {NAME}." in out


@pytest.mark.usefixtures("log")
def test_since_until_and_type_narrow_the_replay() -> None:
    replay("--since", _at(15).isoformat(), "--until", _at(30).isoformat())
    assert read_model == [2]
    read_model.clear()
    replay("--type", f"{RushOrderPlaced.__module__}.RushOrderPlaced")
    assert read_model == [2]
    read_model.clear()
    replay("--since", "2026-05-01T09:25")  # a naive time is in the current time zone (UTC)
    assert read_model == [3]


@pytest.mark.usefixtures("log")
def test_a_dry_run_lists_the_events_and_runs_nothing() -> None:
    out = replay("--dry-run")
    assert read_model == []
    assert out.count("tests.test_events.") == 3
    assert out.index(_at(10).isoformat()) < out.index(_at(20).isoformat())
    assert "Would replay 3 event(s)" in out


def test_a_failure_stops_the_replay_and_says_where_to_resume() -> None:
    first = OrderPlaced(1, Decimal(1), occurred_at=_at(1))
    for event in [first, OrderPlaced(13, Decimal(1), occurred_at=_at(2))]:
        publish_unheard(event)
    with pytest.raises(CommandError, match="unlucky order") as excinfo:
        replay()
    assert f"--after {first.event_id}" in str(excinfo.value)
    assert "1 event(s) replayed before it" in str(excinfo.value)
    assert read_model == [1]


def test_an_unknown_handler_or_a_type_it_does_not_hear_is_refused() -> None:
    with pytest.raises(CommandError, match=f"No notification handler is named 'nope'.*{NAME}"):
        call_command("replay_events", "--handler", "nope")
    with pytest.raises(CommandError, match=r"does not hear catalog\.PriceChanged"):
        replay("--type", "catalog.PriceChanged")
