"""One answer to "does this message return a Result?", for the behaviors and the schema alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from django_functionalkit import (
    Command,
    Failure,
    Messenger,
    Query,
    RequiresAuthorization,
    Result,
    Success,
    Unit,
)
from django_functionalkit.behaviors.authorization import AuthorizationBehavior
from django_functionalkit.declarations import (
    UNDECLARED,
    declared_result,
    is_result,
    returns_result,
)
from django_functionalkit.errors import Error, Unauthorized, UnauthorizedError
from django_functionalkit.registry import Registry, make_spec


@dataclass(frozen=True)
class Dto:
    name: str


class Plain(Query[Result[int, Error]]):
    pass


class Whole(Query["Result[int, Error]"]):
    pass


class Inside(Query[Result["Dto", Error]]):
    pass


class InsideMissing(Query[Result["Missing", Error]]):  # type: ignore[name-defined]
    pass


class WholeMissing(Query["Result[Missing, Error]"]):  # type: ignore[name-defined]
    pass


class Inherited(Whole):
    """A subclass of a message: its parent's declaration holds."""


class NotAResult(Command["Unit"]):
    pass


class Undeclared(Query):  # type: ignore[type-arg]
    pass


class Unknown(Query["NoSuchName"]):  # type: ignore[name-defined]
    pass


@pytest.mark.parametrize(
    ("message_type", "declared"),
    [
        (Plain, Result[int, Error]),
        (Whole, Result[int, Error]),
        (Inside, Result[Dto, Error]),
        (Inherited, Result[int, Error]),
        (NotAResult, Unit),
        (Undeclared, UNDECLARED),
        (Unknown, UNDECLARED),
        (InsideMissing, UNDECLARED),
        (WholeMissing, UNDECLARED),
    ],
)
def test_the_declared_result_has_its_forward_references_evaluated(
    message_type: type, declared: Any
) -> None:
    assert declared_result(message_type) == declared


@pytest.mark.parametrize(
    ("message_type", "answer"),
    [
        (Plain, True),
        (Whole, True),
        (Inside, True),
        (Inherited, True),
        (InsideMissing, True),  # what it holds is unknown, that it is a Result is not
        (WholeMissing, True),
        (NotAResult, False),
        (Undeclared, False),
        (Unknown, False),
    ],
)
def test_returns_result(message_type: type, answer: bool) -> None:
    assert returns_result(message_type) is answer


@pytest.mark.parametrize("message_type", [Plain, Whole, Inside, Inherited, NotAResult, Undeclared])
def test_the_behaviors_and_the_schema_agree(message_type: type) -> None:
    assert returns_result(message_type) is is_result(declared_result(message_type))


def test_is_result_takes_the_variants_bare_or_parameterized() -> None:
    assert all(map(is_result, [Result, Success, Failure, Failure[int, str], Result[int, str]]))
    assert not any(map(is_result, [int, UNDECLARED, list[Result[int, str]], "Result"]))


# -- a behavior refusing a string-declared Result --------------------------------------------------


@dataclass(frozen=True)
class ReadSecret(Query["Result[str, Error]"], RequiresAuthorization):
    """Declared with a string: refused with a Failure, as with ``Query[Result[str, Error]]``."""


@dataclass(frozen=True)
class ReadSecretUnit(Query["Unit"], RequiresAuthorization):
    """Declared with a string that is not a Result: refused by raising."""


def guarded() -> Messenger:
    handlers = Registry()

    def read_secret(query: ReadSecret) -> Result[str, Error]:
        return Success("the secret")

    def read_secret_unit(query: ReadSecretUnit) -> Unit:
        raise AssertionError("never reached: refused first")

    handlers.register(make_spec(read_secret))
    handlers.register(make_spec(read_secret_unit))
    return Messenger(handlers, behaviors=[AuthorizationBehavior()])


def test_a_behavior_refuses_a_string_declared_result_with_a_failure() -> None:
    assert guarded().query(ReadSecret()) == Failure(Unauthorized("User not authenticated"))


async def test_a_behavior_refuses_a_string_declared_result_with_a_failure_on_the_async_path() -> (
    None
):
    assert await guarded().aquery(ReadSecret()) == Failure(Unauthorized("User not authenticated"))


def test_a_behavior_raises_for_a_string_declared_non_result() -> None:
    with pytest.raises(UnauthorizedError):
        guarded().query(ReadSecretUnit())
