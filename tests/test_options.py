"""Option: Some(value) or Nothing(), never None."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from typing import Any

import pytest

from django_functionalkit import Failure, Nothing, Option, Some, Success, is_nothing, is_some
from django_functionalkit.errors import NotFound, NotFoundError, UnwrapError


class Spy:
    """A function that records every call."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self.calls: list[tuple[Any, ...]] = []

    def __call__(self, *args: Any) -> Any:
        self.calls.append(args)
        return self.fn(*args)


# -- building options ------------------------------------------------------------------------------


def test_of_none_is_nothing() -> None:
    assert Option.of(None) is Nothing()


@pytest.mark.parametrize("value", [0, "", False, [], "Ada", 3.5])
def test_of_a_value_is_some_even_when_the_value_is_falsy(value: object) -> None:
    option = Option.of(value)
    assert option == Some(value)
    assert option.value == value


def test_some_none_is_a_type_error_pointing_to_option_of() -> None:
    with pytest.raises(
        TypeError, match=r"Some\(None\) is not an option: use Option\.of\(value\) or Nothing\(\)"
    ):
        Some(None)


def test_nothing_is_a_singleton() -> None:
    assert Nothing() is Nothing()
    assert Option.of(None) is Nothing()
    assert Some(1).filter(lambda v: False) is Nothing()


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_nothing_stays_the_same_instance_through_pickling(protocol: int) -> None:
    assert pickle.loads(pickle.dumps(Nothing(), protocol=protocol)) is Nothing()  # noqa: S301 - our own bytes


def test_nothing_stays_the_same_instance_through_copying() -> None:
    assert copy.copy(Nothing()) is Nothing()
    assert copy.deepcopy(Nothing()) is Nothing()
    assert copy.deepcopy([Nothing()])[0] is Nothing()


def test_some_survives_pickling() -> None:
    assert pickle.loads(pickle.dumps(Some({"id": 1}))) == Some({"id": 1})  # noqa: S301 - our own bytes


# -- equality, hash, repr, bool --------------------------------------------------------------------


def test_options_are_equal_by_variant_and_content() -> None:
    assert Some(1) == Some(1)
    assert Some(1) != Some(2)
    assert Some(1) != 1
    assert Nothing() == Nothing()
    assert Nothing() != Some(0)
    assert Nothing() != None  # noqa: E711 - Nothing() is not None


def test_equal_options_hash_equal() -> None:
    assert hash(Some("a")) == hash(Some("a"))
    assert len({Some(1), Some(1), Nothing(), Option.of(None)}) == 2


@pytest.mark.parametrize(
    ("option", "text"),
    [(Some(1), "Some(1)"), (Some("Ada"), "Some('Ada')"), (Nothing(), "Nothing()")],
)
def test_repr(option: Option[Any], text: str) -> None:
    assert repr(option) == text


@pytest.mark.parametrize(
    ("option", "truth"),
    [(Some(1), True), (Some(0), True), (Some(False), True), (Some(""), True), (Nothing(), False)],
)
def test_bool_says_whether_a_value_is_present_not_whether_it_is_truthy(
    option: Option[Any], truth: bool
) -> None:
    assert bool(option) is truth


@pytest.mark.parametrize(("option", "present"), [(Some(0), True), (Nothing(), False)])
def test_is_some_and_is_nothing_methods_and_functions(option: Option[Any], present: bool) -> None:
    assert option.is_some() is present
    assert option.is_nothing() is not present
    assert is_some(option) is present
    assert is_nothing(option) is not present


def test_reading_the_value_of_nothing_raises_unwrap_error() -> None:
    with pytest.raises(UnwrapError, match=r"Cannot read \.value of Nothing\(\): there is no value"):
        Nothing().value


# -- pattern matching ------------------------------------------------------------------------------


def describe(option: object) -> str:
    match option:
        case Some(str(name)):
            return f"name {name}"
        case Some(value):
            return f"value {value!r}"
        case Nothing():
            return "nothing"
        case _:
            return "not an option"


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        (Some("Ada"), "name Ada"),
        (Some(0), "value 0"),
        (Nothing(), "nothing"),
        (Option.of(None), "nothing"),
        (None, "not an option"),
        (Failure("x"), "not an option"),
    ],
)
def test_pattern_matching_on_some_and_nothing(option: object, expected: str) -> None:
    assert describe(option) == expected


# -- map, then, filter -----------------------------------------------------------------------------


def test_map_transforms_a_present_value() -> None:
    assert Some(2).map(lambda v: v + 1) == Some(3)


def test_map_turns_a_none_result_into_nothing() -> None:
    user = {"name": "Ada"}
    assert Some(user).map(lambda u: u.get("email")) is Nothing()


def test_map_keeps_a_falsy_non_none_result() -> None:
    assert Some(5).map(lambda v: 0) == Some(0)


def test_map_on_nothing_does_not_call_the_function() -> None:
    fn = Spy(lambda v: v + 1)
    assert Nothing().map(fn) is Nothing()
    assert fn.calls == []


def test_then_continues_with_a_step_that_may_find_nothing() -> None:
    assert Some(2).then(lambda v: Some(v * 2)) == Some(4)
    assert Some(2).then(lambda v: Nothing()) is Nothing()


def test_then_rejects_a_step_that_returns_a_plain_value() -> None:
    def find_email(user_id: int) -> str:
        return f"user{user_id}@example.com"

    with pytest.raises(
        TypeError,
        match=r"then\(\) expects .*find_email to return an Option, got str: use map\(\)",
    ):
        Some(7).then(find_email)  # type: ignore[arg-type]


def test_then_on_nothing_does_not_call_the_step() -> None:
    step = Spy(Some)
    assert Nothing().then(step) is Nothing()
    assert step.calls == []


@pytest.mark.parametrize(("value", "expected"), [(4, Some(4)), (3, Nothing())])
def test_filter_keeps_a_value_only_if_it_passes(value: int, expected: Option[int]) -> None:
    assert Some(value).filter(lambda v: v % 2 == 0) == expected


def test_filter_on_nothing_does_not_call_the_predicate() -> None:
    predicate = Spy(lambda v: True)
    assert Nothing().filter(predicate) is Nothing()
    assert predicate.calls == []


# -- getting the value out -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "expected"), [(Some(1), 1), (Some(0), 0), (Nothing(), "default")]
)
def test_or_else_gives_the_value_else_the_default(option: Option[Any], expected: object) -> None:
    assert option.or_else("default") == expected


def test_or_else_get_does_not_call_the_factory_when_a_value_is_present() -> None:
    factory = Spy(lambda: "made")
    assert Some(1).or_else_get(factory) == 1
    assert factory.calls == []


def test_or_else_get_calls_the_factory_once_for_nothing() -> None:
    factory = Spy(lambda: "made")
    assert Nothing().or_else_get(factory) == "made"
    assert factory.calls == [()]


def test_unwrap_or_raise_gives_a_present_value_whatever_the_argument() -> None:
    factory = Spy(lambda: NotFoundError("User 7"))
    assert Some(1).unwrap_or_raise() == 1
    assert Some(1).unwrap_or_raise(KeyError("user")) == 1
    assert Some(1).unwrap_or_raise(factory) == 1
    assert factory.calls == []


def test_unwrap_or_raise_without_an_argument_raises_unwrap_error() -> None:
    with pytest.raises(UnwrapError, match=r"Expected a value, found Nothing\(\)"):
        Nothing().unwrap_or_raise()


def test_unwrap_or_raise_raises_the_given_exception_instance() -> None:
    error = NotFoundError("User 7 does not exist")
    with pytest.raises(NotFoundError) as raised:
        Nothing().unwrap_or_raise(error)
    assert raised.value is error


def test_unwrap_or_raise_calls_an_exception_factory() -> None:
    factory = Spy(lambda: NotFoundError("User 7 does not exist"))
    with pytest.raises(NotFoundError, match="User 7 does not exist") as raised:
        Nothing().unwrap_or_raise(factory)
    assert raised.value.error == NotFound("User 7 does not exist")
    assert factory.calls == [()]


def test_unwrap_or_raise_accepts_an_exception_class_as_the_factory() -> None:
    with pytest.raises(LookupError):
        Nothing().unwrap_or_raise(LookupError)


def test_to_result_gives_a_success_or_a_failure_with_the_error() -> None:
    assert Some(1).to_result(NotFound("User 7")) == Success(1)
    assert Nothing().to_result(NotFound("User 7")) == Failure(NotFound("User 7"))


def test_if_present_runs_a_side_effect_with_the_value_and_keeps_the_option() -> None:
    effect = Spy(lambda v: "ignored")
    assert Some(1).if_present(effect) == Some(1)
    assert effect.calls == [(1,)]


def test_if_present_does_nothing_for_nothing() -> None:
    effect = Spy(lambda v: None)
    assert Nothing().if_present(effect) is Nothing()
    assert effect.calls == []
