"""``manage.py list_handlers``: message types, their handlers and the behaviors around them."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from django_functionalkit import handler
from django_functionalkit.registry import registry
from tests.testapp.messages import GetGreeting

SHOP = "tests.testapp.messages"


def list_handlers(*args: str) -> str:
    out = io.StringIO()
    call_command("list_handlers", *args, stdout=out)
    return out.getvalue()


def listed(*args: str) -> dict[str, dict[str, Any]]:
    """The JSON listing, by message."""
    rows = json.loads(list_handlers(*args, "--format", "json"))
    return {row["message"]: row for row in rows}


def shop_rows(*args: str) -> dict[str, dict[str, Any]]:
    """The JSON listing of the test app's messages (selected here, not by an app label)."""
    return {name: row for name, row in listed(*args).items() if name.startswith(SHOP)}


def test_the_table_lists_each_message_with_its_handler_sync_or_async() -> None:
    table = list_handlers()
    lines = table.splitlines()
    block = lines[lines.index(f"{SHOP}.GetGreeting  [query]") :][:2]
    assert block == [
        f"{SHOP}.GetGreeting  [query]",
        "    handler   tests.testapp.handlers.get_greeting (sync)",
    ]
    assert "    handler   tests.testapp.handlers.count_items (async)" in lines
    assert "    handler   tests.testapp.handlers.PlaceOrderHandler (sync, class)" in lines


def test_queries_come_first_then_commands_then_notifications() -> None:
    kinds = [row["kind"] for row in json.loads(list_handlers("--format", "json"))]
    assert kinds == sorted(kinds, key=["query", "command", "notification"].index)
    assert set(kinds) == {"query", "command", "notification"}


def test_json_lists_the_handlers_of_every_message_of_the_app() -> None:
    rows = shop_rows()
    assert set(rows) == {
        f"{SHOP}.GetGreeting",
        f"{SHOP}.CountItems",
        f"{SHOP}.PlaceOrder",
        f"{SHOP}.CancelOrder",
        f"{SHOP}.DomainEvent",
        f"{SHOP}.OrderPlaced",
        f"{SHOP}.OrderCancelled",
    }
    assert rows[f"{SHOP}.CountItems"] == {
        "message": f"{SHOP}.CountItems",
        "kind": "query",
        "app": "testapp",
        "handlers": [{"name": "tests.testapp.handlers.count_items", "async": True, "class": False}],
        "behaviors": [],
    }
    assert rows[f"{SHOP}.PlaceOrder"]["handlers"] == [
        {"name": "tests.testapp.handlers.PlaceOrderHandler", "async": False, "class": True}
    ]


def test_a_notification_lists_its_own_and_its_base_class_handlers() -> None:
    rows = shop_rows("--kind", "notification")
    assert [h["name"] for h in rows[f"{SHOP}.OrderPlaced"]["handlers"]] == [
        "tests.testapp.handlers.EventStoreHandler",
        "tests.testapp.handlers.email_customer",
    ]
    # OrderCancelled has no handler of its own: the event store hears it through DomainEvent.
    assert [h["name"] for h in rows[f"{SHOP}.OrderCancelled"]["handlers"]] == [
        "tests.testapp.handlers.EventStoreHandler",
    ]


def test_kind_filters_the_listing() -> None:
    assert {row["kind"] for row in listed("--kind", "command").values()} == {"command"}
    assert set(shop_rows("--kind", "command")) == {
        f"{SHOP}.PlaceOrder",
        f"{SHOP}.CancelOrder",
    }


def test_an_unknown_kind_is_a_command_error() -> None:
    with pytest.raises(CommandError, match="invalid choice"):
        list_handlers("--kind", "event")


def test_app_labels_filter_the_listing() -> None:
    """The positional app labels reach handle() as options["app_labels"], not as *args."""
    assert set(listed("testapp_pkg")) == {"tests.testapp_pkg.messages.Ping"}
    both = set(listed("testapp_pkg", "example_users"))
    assert "tests.testapp_pkg.messages.Ping" in both
    assert "example_project.users.messages.GetUserById" in both
    assert not any(name.startswith("tests.testapp.") for name in both)


def test_without_app_labels_every_app_is_listed() -> None:
    rows = listed()
    assert f"{SHOP}.GetGreeting" in rows
    assert "tests.testapp_pkg.messages.Ping" in rows
    assert "example_project.users.messages.GetUserById" in rows


def test_an_unknown_app_label_is_a_command_error() -> None:
    """Bug: the labels are ignored (see above), so an unknown one is not refused either."""
    with pytest.raises(CommandError, match="no_such_app"):
        list_handlers("no_such_app")


def test_an_app_without_handlers_says_so() -> None:
    assert list_handlers("sessions").strip() == "No handlers match."
    assert json.loads(list_handlers("sessions", "--format", "json")) == []


def test_the_behaviors_that_apply_are_listed_in_pipeline_order() -> None:
    setting = {
        "BEHAVIORS": [
            "tests.behaviors.Outer",
            "tests.behaviors.CommandsOnly",
            "tests.behaviors.QueriesOnly",
            "tests.behaviors.Inner",
        ]
    }
    with override_settings(FUNCTIONALKIT=setting):
        rows = shop_rows()
        table = list_handlers()
    assert rows[f"{SHOP}.GetGreeting"]["behaviors"] == [
        "tests.behaviors.Outer",
        "tests.behaviors.QueriesOnly",
        "tests.behaviors.Inner",
    ]
    assert rows[f"{SHOP}.PlaceOrder"]["behaviors"] == [
        "tests.behaviors.Outer",
        "tests.behaviors.CommandsOnly",
        "tests.behaviors.Inner",
    ]
    lines = table.splitlines()
    start = lines.index(f"{SHOP}.GetGreeting  [query]")
    assert lines[start + 1 : start + 5] == [
        "    handler   tests.testapp.handlers.get_greeting (sync)",
        "    behavior  tests.behaviors.Outer",
        "    behavior  tests.behaviors.QueriesOnly",
        "    behavior  tests.behaviors.Inner",
    ]


def test_duplicates_are_listed_with_both_handlers(restore_registry: None) -> None:
    def greet_again(query: GetGreeting) -> str:
        return "Hi again"

    handler(greet_again)
    handlers = shop_rows()[f"{SHOP}.GetGreeting"]["handlers"]
    assert [h["name"] for h in handlers] == [
        "tests.testapp.handlers.get_greeting",
        f"{__name__}.{greet_again.__qualname__}",
    ]
    assert registry.duplicates()  # listing a clash does not resolve it
