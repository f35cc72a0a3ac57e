"""One spelling of a class's or function's name, one walk of a class's subclasses."""

from __future__ import annotations

import functools
import io
import json
from dataclasses import dataclass

import pytest
from django.core.management import call_command

from django_functionalkit import Notification, handler
from django_functionalkit.introspection import dotted_name, subclasses
from django_functionalkit.registry import HandlerRegistrationError, make_spec
from django_functionalkit.testing import isolated_handlers


class Base:
    pass


class Left(Base):
    pass


class Right(Base):
    pass


class Both(Left, Right):
    pass


class Deep(Both):
    pass


def test_dotted_name_of_a_class_a_function_and_anything_else() -> None:
    assert dotted_name(Both) == f"{__name__}.Both"
    assert dotted_name(test_dotted_name_of_a_class_a_function_and_anything_else).startswith(
        f"{__name__}.test_dotted_name"
    )
    assert dotted_name(functools.partial(print)) == "functools.partial"


def test_subclasses_at_any_depth_each_once_parents_first() -> None:
    assert subclasses(Base) == [Left, Both, Deep, Right]
    assert subclasses(Deep) == []


def test_a_handler_that_cannot_be_registered_is_named_by_its_dotted_name() -> None:
    def no_message(value: int) -> None: ...

    with pytest.raises(HandlerRegistrationError) as raised:
        make_spec(no_message)
    assert str(raised.value).startswith(dotted_name(no_message))


@dataclass(frozen=True)
class Happened(Notification):
    pass


@dataclass(frozen=True)
class HappenedTwice(Happened):
    pass


@dataclass(frozen=True)
class HappenedThrice(HappenedTwice):
    pass


def test_list_handlers_and_checks_name_messages_alike() -> None:
    with isolated_handlers():

        @handler
        def on_happened(event: Happened) -> None: ...

        out = io.StringIO()
        call_command("list_handlers", format="json", stdout=out)
        listed = {row["message"] for row in json.loads(out.getvalue())}
    # a base-class handler hears the subclasses at any depth
    assert {
        dotted_name(Happened),
        dotted_name(HappenedTwice),
        dotted_name(HappenedThrice),
    } <= listed
