"""A miss inside a transaction that reads a snapshot is not stored: it may be older than its stamp.

Under REPEATABLE READ a transaction reads what was committed when it began. A command that
commits later bumps the generations; a query in the old transaction then reads the new
generations but the old rows, and an entry stored with them would be served as fresh.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection, connections, transaction

from django_functionalkit import messenger
from django_functionalkit.behaviors.caching.isolation import reads_a_snapshot
from django_functionalkit.registry import make_spec, registry
from tests import urls_atomic
from tests.urls_atomic import CALLS, CreateTeam, ListTeams

SQLITE = "django.db.backends.sqlite3"
POSTGRES = "django.db.backends.postgresql"
MYSQL = "django.db.backends.mysql"


@pytest.mark.parametrize(
    ("engine", "options", "snapshot"),
    [
        (SQLITE, {}, False),
        (SQLITE, {"init_command": "PRAGMA journal_mode=WAL;"}, True),
        (SQLITE, {"init_command": "PRAGMA journal_mode = 'wal'"}, True),
        (SQLITE, {"init_command": "PRAGMA synchronous=NORMAL"}, False),
        (SQLITE, {"transaction_mode": "IMMEDIATE"}, False),
        (POSTGRES, {}, False),
        (POSTGRES, {"isolation_level": 2}, False),  # READ COMMITTED
        (POSTGRES, {"isolation_level": 3}, True),  # REPEATABLE READ
        (POSTGRES, {"isolation_level": 4}, True),  # SERIALIZABLE
        (MYSQL, {}, False),  # Django's MySQL backend: READ COMMITTED unless told otherwise
        (MYSQL, {"isolation_level": "read committed"}, False),
        (MYSQL, {"isolation_level": "repeatable read"}, True),
        (MYSQL, {"isolation_level": "serializable"}, True),
    ],
)
def test_which_settings_read_a_snapshot(
    engine: str, options: dict[str, Any], snapshot: bool
) -> None:
    assert reads_a_snapshot({"ENGINE": engine, "OPTIONS": options}) is snapshot


@pytest.fixture
def teams(default_stack: None, restore_registry: None) -> Iterator[None]:
    for target in (urls_atomic.list_teams, urls_atomic.create_team):
        registry.register(make_spec(target))
    CALLS.clear()
    yield
    CALLS.clear()


@pytest.fixture
def repeatable_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default database's transactions read a snapshot, as its settings say."""
    from django.db.backends.postgresql.psycopg_any import IsolationLevel

    options = {**connection.settings_dict.get("OPTIONS", {})}
    options["isolation_level"] = IsolationLevel.REPEATABLE_READ
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", options)


@pytest.mark.database("postgresql")
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("teams", "repeatable_read")
def test_a_command_committed_after_the_snapshot_leaves_no_stale_entry() -> None:
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        assert list(Group.objects.values_list("name", flat=True)) == []  # the snapshot begins

        def create() -> None:
            messenger.send(CreateTeam("late"))
            connections.close_all()

        other = threading.Thread(target=create)
        other.start()
        other.join(10)
        assert messenger.query(ListTeams()) == []  # the snapshot's answer, not stored
    assert messenger.query(ListTeams()) == ["late"]
    assert len(CALLS) == 2
