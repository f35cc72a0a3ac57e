"""The default stack of behaviors, as a project without a BEHAVIORS setting gets it."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.core.management import call_command

from django_functionalkit import (
    Cacheable,
    Command,
    Failure,
    Query,
    RequiresAuthorization,
    Result,
    Success,
    Valid,
    Validatable,
    messenger,
)
from django_functionalkit.behaviors import (
    AuditBehavior,
    AuthorizationBehavior,
    CacheBehavior,
    TransactionBehavior,
    ValidationBehavior,
)
from django_functionalkit.conf import DEFAULTS, fk_settings
from django_functionalkit.models import AuditEntry
from tests.testapp import store
from tests.testapp.messages import GetGreeting, PlaceOrder

pytestmark = pytest.mark.usefixtures("default_stack")


@dataclass(frozen=True)
class Everything(Query[Result[str, str]], RequiresAuthorization, Validatable, Cacheable):
    cache_key = "everything"

    def validate(self) -> Valid[None, str]:
        return Valid(None)


@dataclass(frozen=True)
class Plain(Command[None]):
    pass


def names(message_type: type) -> list[str]:
    return [type(b).__name__ for b in messenger.behaviors_for(message_type)]


def test_the_default_stack_is_the_documented_order() -> None:
    assert DEFAULTS["BEHAVIORS"] == fk_settings.BEHAVIORS
    assert [type(b) for b in messenger.behaviors()] == [
        AuditBehavior,
        AuthorizationBehavior,
        ValidationBehavior,
        CacheBehavior,
        TransactionBehavior,
    ]


def test_a_plain_query_goes_through_no_behavior_at_all() -> None:
    assert names(GetGreeting) == []
    assert messenger.query(GetGreeting("Ada")) == "Hello, Ada!"  # no database needed


def test_each_marker_brings_its_behavior_in_the_documented_order() -> None:
    assert names(Everything) == ["AuthorizationBehavior", "ValidationBehavior", "CacheBehavior"]
    assert names(Plain) == ["AuditBehavior", "TransactionBehavior"]


def test_the_default_stack_passes_the_system_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.conf import settings

    # As the docs tell SQLite projects (W006). The suite's own in-memory SQLite database keeps
    # the default mode: its shared-cache locks fail at once instead of waiting, and tests that
    # hold transactions on two connections of it would fail with IMMEDIATE.
    default = settings.DATABASES["default"]
    if default["ENGINE"] == "django.db.backends.sqlite3":
        monkeypatch.setitem(default, "OPTIONS", {"transaction_mode": "IMMEDIATE"})
    out = io.StringIO()
    call_command("check", stdout=out, stderr=out)
    assert "functionalkit" not in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_command_through_the_default_stack_is_audited_and_commits() -> None:
    store.reset()
    assert messenger.send(PlaceOrder("tea", 1)) == Success(1)
    assert messenger.send(PlaceOrder("tea", 0)) == Failure("quantity must be positive, got 0")
    entries = list(AuditEntry.objects.order_by("pk").values_list("message_type", "success"))
    assert entries == [
        ("tests.testapp.messages.PlaceOrder", True),
        ("tests.testapp.messages.PlaceOrder", False),
    ]
