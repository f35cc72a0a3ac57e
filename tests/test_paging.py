"""PagedResult, and Unit."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from typing import Any

import pytest

from django_functionalkit import PagedResult, Success, Unit, unit
from django_functionalkit.errors import InvalidInput, InvalidInputError

# -- PagedResult -----------------------------------------------------------------------------------


def test_defaults_are_the_first_page_of_twenty() -> None:
    page = PagedResult([1, 2], total_count=2)
    assert page.page == 1
    assert page.page_size == 20


@pytest.mark.parametrize(
    ("total_count", "page_size", "total_pages"),
    [
        (0, 20, 0),
        (1, 20, 1),
        (19, 20, 1),
        (20, 20, 1),
        (21, 20, 2),
        (40, 20, 2),
        (41, 20, 3),
        (5, 1, 5),
        (1, 100, 1),
    ],
)
def test_total_pages(total_count: int, page_size: int, total_pages: int) -> None:
    assert PagedResult([], total_count, page_size=page_size).total_pages == total_pages


@pytest.mark.parametrize(
    ("page", "total_count", "has_previous", "has_next"),
    [
        (1, 0, False, False),
        (1, 10, False, False),
        (1, 11, False, True),
        (2, 11, True, False),
        (2, 30, True, True),
        (3, 30, True, False),
        (7, 30, True, False),
    ],
)
def test_has_previous_and_has_next(
    page: int, total_count: int, has_previous: bool, has_next: bool
) -> None:
    result = PagedResult([], total_count, page=page, page_size=10)
    assert result.has_previous is has_previous
    assert result.has_next is has_next


def test_a_page_past_the_last_is_allowed_and_empty() -> None:
    page = PagedResult([], total_count=30, page=5, page_size=10)
    assert page.items == ()
    assert page.total_pages == 3
    assert page.has_previous
    assert not page.has_next


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"page": 0}, "PagedResult.page must be 1 or more, got 0"),
        ({"page": -2}, "PagedResult.page must be 1 or more, got -2"),
        ({"page_size": 0}, "PagedResult.page_size must be 1 or more, got 0"),
        ({"total_count": -1}, "PagedResult.total_count cannot be negative: -1"),
        ({"items": [1, 2, 3], "page_size": 2}, "PagedResult holds 3 items, more than page_size 2"),
    ],
)
def test_out_of_range_numbers_are_value_errors_naming_the_field(
    kwargs: dict[str, Any], message: str
) -> None:
    arguments: dict[str, Any] = {"items": [], "total_count": 10, **kwargs}
    with pytest.raises(ValueError, match=f"^{message}$"):
        PagedResult(**arguments)


def test_a_full_page_is_allowed() -> None:
    assert PagedResult([1, 2], total_count=10, page_size=2).items == (1, 2)


@pytest.mark.parametrize(
    ("field", "value", "type_name"),
    [
        ("total_count", True, "bool"),
        ("page", False, "bool"),
        ("page", "2", "str"),
        ("page_size", 2.0, "float"),
        ("total_count", None, "NoneType"),
    ],
)
def test_a_non_int_number_is_a_type_error_naming_the_field(
    field: str, value: object, type_name: str
) -> None:
    arguments: dict[str, Any] = {"items": [], "total_count": 10, field: value}
    with pytest.raises(TypeError, match=f"^PagedResult.{field} must be an int, got {type_name}$"):
        PagedResult(**arguments)


def test_items_are_stored_as_a_tuple_and_copied_from_the_input() -> None:
    source = ["a", "b"]
    page = PagedResult(source, total_count=2)
    source.append("c")
    assert page.items == ("a", "b")
    assert isinstance(page.items, tuple)


def test_pages_are_equal_whatever_sequence_held_the_items() -> None:
    assert PagedResult([1, 2], 2) == PagedResult((1, 2), 2)
    assert hash(PagedResult([1, 2], 2)) == hash(PagedResult((1, 2), 2))
    assert PagedResult([1, 2], 2) != PagedResult([1, 2], 3)


def test_map_transforms_every_item_and_keeps_the_paging() -> None:
    page = PagedResult(["ada", "bob"], total_count=5, page=2, page_size=2)
    mapped = page.map(str.title)
    assert mapped == PagedResult(("Ada", "Bob"), total_count=5, page=2, page_size=2)
    assert isinstance(mapped.items, tuple)
    assert page.items == ("ada", "bob")


def test_a_paged_result_is_frozen() -> None:
    page = PagedResult([1], total_count=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        page.page = 2  # type: ignore[misc]


# -- Unit ------------------------------------------------------------------------------------------


def test_unit_is_the_one_instance_of_unit() -> None:
    assert Unit() is unit
    assert Unit() is Unit()
    assert Success(Unit()) == Success(unit)


def test_unit_repr() -> None:
    assert repr(unit) == "unit"
    assert repr(Success(unit)) == "Success(unit)"


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_unit_stays_the_same_instance_through_pickling(protocol: int) -> None:
    assert pickle.loads(pickle.dumps(unit, protocol=protocol)) is unit  # noqa: S301 - our own bytes


def test_unit_stays_the_same_instance_through_copying() -> None:
    assert copy.copy(unit) is unit
    assert copy.deepcopy(unit) is unit


@pytest.mark.parametrize(
    ("page", "items", "has_next"), [(1, [1, 2], True), (2, [3, 4], True), (3, [5], False)]
)
def test_of_takes_one_page_of_a_sequence(page: int, items: list[int], has_next: bool) -> None:
    paged = PagedResult.of([1, 2, 3, 4, 5], page, 2)
    assert list(paged.items) == items
    assert paged.total_count == 5
    assert paged.has_next is has_next


def test_of_past_the_last_page_is_empty() -> None:
    assert PagedResult.of([1, 2], 5, 2).items == ()


@pytest.mark.parametrize(
    ("page", "page_size", "errors"),
    [
        (0, 20, {"page": ["A page number starts at 1."]}),
        (-1, 20, {"page": ["A page number starts at 1."]}),
        (1, 0, {"page_size": ["A page holds at least 1 item."]}),
        (1, -1, {"page_size": ["A page holds at least 1 item."]}),
        (1, 101, {"page_size": ["A page holds at most 100 items."]}),
        (1, 10**30, {"page_size": ["A page holds at most 100 items."]}),
        (
            -5,
            -5,
            {
                "page": ["A page number starts at 1."],
                "page_size": ["A page holds at least 1 item."],
            },
        ),
    ],
)
@pytest.mark.django_db
def test_of_refuses_a_bad_page_as_invalid_input_before_any_query(
    page: int, page_size: int, errors: dict[str, list[str]]
) -> None:
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries, pytest.raises(InvalidInputError) as raised:
        PagedResult.of(Group.objects.order_by("name"), page, page_size)
    assert isinstance(raised.value.error, InvalidInput)
    assert raised.value.error.fields() == errors
    assert len(queries) == 0  # never an OFFSET or LIMIT the database refuses


def test_of_takes_its_largest_page_size_from_the_setting_or_the_call() -> None:
    from django.test import override_settings

    assert len(PagedResult.of(list(range(200)), 1, 100).items) == 100
    with override_settings(FUNCTIONALKIT={"MAX_PAGE_SIZE": 5}), pytest.raises(InvalidInputError):
        PagedResult.of([1, 2, 3], 1, 6)
    assert len(PagedResult.of(list(range(200)), 1, 150, max_page_size=150).items) == 150
    with pytest.raises(InvalidInputError):
        PagedResult.of([1, 2, 3], 1, 3, max_page_size=2)


@pytest.mark.parametrize("value", [1.0, "1", True, None])
def test_of_a_page_that_is_no_int_is_a_type_error(value: Any) -> None:
    with pytest.raises(TypeError, match="must be an int"):
        PagedResult.of([1], value, 1)
    with pytest.raises(TypeError, match="must be an int"):
        PagedResult.of([1], 1, value)


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "100"])
def test_max_page_size_setting_is_a_whole_number_of_at_least_one(value: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured
    from django.test import override_settings

    from django_functionalkit.conf import get_config

    with (
        override_settings(FUNCTIONALKIT={"MAX_PAGE_SIZE": value}),
        pytest.raises(ImproperlyConfigured, match="MAX_PAGE_SIZE"),
    ):
        get_config()


@pytest.mark.django_db
def test_of_a_queryset_counts_and_slices_in_the_database() -> None:
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Group.objects.bulk_create(Group(name=f"g{i}") for i in range(5))
    with CaptureQueriesContext(connection) as queries:
        paged = PagedResult.of(Group.objects.order_by("name"), 2, 2).map(lambda g: g.name)
    assert list(paged.items) == ["g2", "g3"]
    assert paged.total_count == 5
    assert len(queries) == 2  # COUNT, then the page
