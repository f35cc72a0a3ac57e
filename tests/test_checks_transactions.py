"""W005, W006 and W010: databases configured in a way that defeats the cache or the transactions."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings

from django_functionalkit.behaviors import CacheBehavior, TransactionBehavior
from tests.test_checks import check

SQLITE = "django.db.backends.sqlite3"


@pytest.fixture
def orders_on_sqlite(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """The "orders" alias, as a project's SQLite database (only its settings: nothing connects)."""
    database: dict[str, object] = settings.DATABASES["orders"]
    monkeypatch.setitem(database, "ENGINE", SQLITE)
    monkeypatch.setitem(database, "OPTIONS", {})
    return database


def test_w006_the_transaction_behavior_over_sqlite_without_immediate(
    orders_on_sqlite: dict[str, object],
) -> None:
    with override_settings(FUNCTIONALKIT={"BEHAVIORS": [TransactionBehavior(using="orders")]}):
        _, err = check()
    assert "functionalkit.W006" in err
    assert "SQLite database 'orders'" in err
    assert '"transaction_mode": "IMMEDIATE"' in err


def test_w006_not_with_immediate(orders_on_sqlite: dict[str, object]) -> None:
    orders_on_sqlite["OPTIONS"] = {"transaction_mode": "IMMEDIATE"}
    with override_settings(FUNCTIONALKIT={"BEHAVIORS": [TransactionBehavior(using="orders")]}):
        out, err = check()
    assert "W006" not in out + err


def test_w006_not_without_the_transaction_behavior(orders_on_sqlite: dict[str, object]) -> None:
    with override_settings(FUNCTIONALKIT={"BEHAVIORS": [CacheBehavior()]}):
        out, err = check()
    assert "W006" not in out + err


def test_w006_not_over_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(settings.DATABASES["orders"], "ENGINE", "django.db.backends.postgresql")
    with override_settings(FUNCTIONALKIT={"BEHAVIORS": [TransactionBehavior(using="orders")]}):
        out, err = check()
    assert "W006" not in out + err


def test_w005_the_cache_over_a_database_without_autocommit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(settings.DATABASES["orders"], "AUTOCOMMIT", False)
    with override_settings(FUNCTIONALKIT={"BEHAVIORS": [CacheBehavior()]}):
        _, err = check()
    assert "functionalkit.W005" in err
    assert "Database 'orders' has AUTOCOMMIT off" in err
    with override_settings(FUNCTIONALKIT={"BEHAVIORS": [TransactionBehavior()]}):
        out, err = check()
    assert "W005" not in out + err


def test_the_example_project_sets_immediate() -> None:
    from example_project import settings as example

    assert example.DATABASES["default"]["OPTIONS"] == {"transaction_mode": "IMMEDIATE"}


def test_w010_cached_requests_on_a_database_that_reads_snapshots(
    orders_on_sqlite: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(orders_on_sqlite, "ATOMIC_REQUESTS", True)
    orders_on_sqlite["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL"}
    with override_settings(FUNCTIONALKIT={"BEHAVIORS": [CacheBehavior()]}):
        _, err = check()
    assert "functionalkit.W010" in err
    assert "Database 'orders' has ATOMIC_REQUESTS on" in err


@pytest.mark.parametrize(
    ("atomic_requests", "options"),
    [(False, {"init_command": "PRAGMA journal_mode=WAL"}), (True, {})],
)
def test_w010_not_without_both(
    orders_on_sqlite: dict[str, object],
    monkeypatch: pytest.MonkeyPatch,
    atomic_requests: bool,
    options: dict[str, str],
) -> None:
    monkeypatch.setitem(orders_on_sqlite, "ATOMIC_REQUESTS", atomic_requests)
    orders_on_sqlite["OPTIONS"] = options
    with override_settings(FUNCTIONALKIT={"BEHAVIORS": [CacheBehavior()]}):
        out, err = check()
    assert "W010" not in out + err
