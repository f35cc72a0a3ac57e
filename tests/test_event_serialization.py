"""The JSON of stored events: every supported type round-trips (property tests), and a type
that cannot is a system check error (E010) at start-up, not a lost event later."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from enum import Enum, IntEnum
from typing import Annotated, Any, Literal, Optional
from uuid import UUID

import pytest
from annotated_types import Ge
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from django_functionalkit import DomainEvent, Notification, Stored, handler
from django_functionalkit.delivery import events
from django_functionalkit.delivery.serialization import dump, load, problems
from tests.test_checks import check, check_errors


class Colour(Enum):
    RED = "red"
    BLUE = "blue"


class Priority(IntEnum):
    LOW = 1
    HIGH = 2


@dataclass(frozen=True)
class Address:
    street: str
    zip_code: str | None


@dataclass(frozen=True)
class Line:
    sku: str
    quantity: int
    price: Decimal


@dataclass(frozen=True)
class Tree:
    label: str
    children: list[Tree]


@dataclass(frozen=True)
class Everything(DomainEvent):
    when: datetime
    day: date
    amount: Decimal
    ref: UUID
    colour: Colour
    priority: Priority
    address: Address
    lines: list[Line]
    pair: tuple[int, str]
    tags: tuple[str, ...]
    totals: dict[str, Decimal]
    note: Optional[str]  # noqa: UP045 - the spelling under test
    maybe_address: Address | None
    ratio: float
    flag: bool
    at: time
    wait: timedelta
    labels: frozenset[str]
    mode: Literal["a", "b"]
    score: Annotated[int, Ge(0)]
    tree: Tree


finite = st.decimals(allow_nan=False, allow_infinity=False)
# Fixed offsets: an aware datetime comes back with the offset it had; zones with folds and gaps
# compare unequal across zones by design (PEP 495), whatever the storage.
offsets = st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5.5))])
trees = st.recursive(
    st.builds(Tree, label=st.text(), children=st.just([])),
    lambda kids: st.builds(Tree, label=st.text(), children=st.lists(kids, max_size=3)),
    max_leaves=8,
)
everything = st.builds(
    Everything,
    when=st.datetimes(timezones=offsets),
    amount=finite,
    lines=st.lists(st.builds(Line, price=finite), max_size=3),
    totals=st.dictionaries(st.text(), finite, max_size=3),
    ratio=st.floats(allow_nan=False),
    tree=trees,
    occurred_at=st.datetimes(timezones=offsets),
)


@given(everything)
def test_every_supported_type_round_trips_through_json(event: Everything) -> None:
    stored = json.loads(json.dumps(dump(event)))  # what a JSONField keeps
    back = load(Everything, stored)
    assert back == event
    assert back.when.utcoffset() == event.when.utcoffset()
    assert type(back.lines) is list
    assert type(back.pair) is tuple
    assert type(back.labels) is frozenset


@dataclass(frozen=True)
class Measured(Notification, Stored):
    value: float


@given(st.floats())
def test_floats_round_trip_nan_and_infinities_included(value: float) -> None:
    # jsonb refuses NaN and infinities: they are stored as text
    back = load(Measured, json.loads(json.dumps(dump(Measured(value)), allow_nan=False)))
    assert back.value == value or (math.isnan(back.value) and math.isnan(value))


def test_a_field_added_later_takes_its_default_and_a_removed_one_is_ignored() -> None:
    @dataclass(frozen=True)
    class Renamed(Notification, Stored):
        name: str
        reason: str = "unknown"

    assert load(Renamed, {"name": "ada", "old_field": 1}) == Renamed("ada")


@pytest.mark.django_db
def test_an_event_comes_back_from_the_database_as_it_was_published() -> None:
    from django_functionalkit import messenger

    event = Everything(
        when=datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=-5.5))),
        day=date(2026, 2, 28),
        amount=Decimal("-1234.5600"),
        ref=UUID(int=42),
        colour=Colour.BLUE,
        priority=Priority.HIGH,
        address=Address("1 Main St", None),
        lines=[Line("a-1", 2, Decimal("0.10")), Line("b-2", 1, Decimal("1E+3"))],
        pair=(1, "one"),
        tags=("x", "y"),
        totals={"net": Decimal("9.99"), "": Decimal(0)},
        note=None,
        maybe_address=Address("2 Side St", "99999"),
        ratio=float("-inf"),
        flag=False,
        at=time(23, 59, 59, 999999),
        wait=timedelta(days=-1, microseconds=5),
        labels=frozenset({"new", "ünïcödé ✓"}),
        mode="b",
        score=0,
        tree=Tree("root", [Tree("leaf", [])]),
    )
    messenger.publish(event)
    assert events.get(event.event_id).notification == event


# -- what cannot round-trip: problems() and check E010 ------------------------------------------


class Opaque:
    """Not a dataclass: nothing says how to rebuild it."""


@dataclass(frozen=True)
class Shipped(DomainEvent):
    event_type = "tests.Shipped"


@dataclass(frozen=True)
class ShippedAgain(DomainEvent):
    event_type = "tests.Shipped"


@dataclass(frozen=True)
class CarriesAnything(DomainEvent):
    blob: Any


@dataclass(frozen=True)
class CarriesOpaque(DomainEvent):
    thing: Opaque


@dataclass(frozen=True)
class CarriesEitherOr(DomainEvent):
    value: int | str


@dataclass(frozen=True)
class CarriesIntKeys(DomainEvent):
    counts: dict[int, int]


@pytest.mark.parametrize(
    ("event_type", "problem"),
    [
        (CarriesAnything, "CarriesAnything.blob is declared typing.Any"),
        (CarriesOpaque, f"CarriesOpaque.thing is declared {__name__}.Opaque"),
        (CarriesEitherOr, "a union of several types"),
        (CarriesIntKeys, "must be dict[str, X]"),
    ],
)
def test_a_type_that_cannot_round_trip_has_a_problem(event_type: type, problem: str) -> None:
    (found,) = problems(event_type)
    assert problem in found
    assert problems(Everything) == []


def test_e010_an_unstorable_event_a_handler_hears(restore_registry: None) -> None:
    @handler
    def archive(event: CarriesOpaque) -> None:
        pass

    report = check_errors()
    assert "functionalkit.E010" in report
    assert f"{__name__}.CarriesOpaque is stored, but cannot be read back as it was" in report
    assert "HINT: Declare its fields with the types stored events hold" in report


def test_e010_two_types_under_one_name(restore_registry: None) -> None:
    @handler
    def on_shipped(event: Shipped) -> None:
        pass

    report = check_errors()
    assert "is stored under the type name 'tests.Shipped'" in report
    assert "HINT: Give one of them another event_type." in report


def test_e010_an_alias_to_no_class() -> None:
    aliases = {"old.Name": "tests.nowhere.Gone"}
    with override_settings(FUNCTIONALKIT={"BEHAVIORS": [], "EVENT_TYPE_ALIASES": aliases}):
        report = check_errors()
    assert "maps 'old.Name' to 'tests.nowhere.Gone'" in report


def test_a_storable_event_passes_the_checks(restore_registry: None) -> None:
    @handler
    def on_everything(event: Everything) -> None:
        pass

    out, _ = check()
    assert "no issues" in out


def test_e004_an_event_database_that_is_not_in_databases() -> None:
    with override_settings(FUNCTIONALKIT={"BEHAVIORS": [], "EVENT_DATABASE": "events"}):
        report = check_errors()
    assert "functionalkit.E004" in report
    assert "EVENT_DATABASE\"] is 'events', which is not in DATABASES" in report
