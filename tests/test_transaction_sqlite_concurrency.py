"""Concurrent async commands on an SQLite file, as under uvicorn: one database thread and one
connection per request (asgiref's ThreadSensitiveContext, as Django's ASGI handler sets up).

With ``"transaction_mode": "IMMEDIATE"`` a command's transaction takes SQLite's one write lock
when it begins, so the commands wait for each other: each purchase succeeds or is refused
cleanly, never "database is locked". (Without it, two commands both read, then both want the
lock, and SQLite fails one at once: the W006 check warns of that.) An in-memory database would
not show it: it locks differently.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.contrib.auth.models import Group
from django.db import connections

from django_functionalkit import Command, Failure, Messenger, Result, Success
from django_functionalkit.behaviors.transaction import TransactionBehavior
from django_functionalkit.errors import Conflict, Error
from django_functionalkit.registry import Registry, make_spec

ALIAS = "tickets"
SEATS = 10
BUYERS = 50


@dataclass(frozen=True)
class BuySeat(Command[Result[str, Error]]):
    buyer: str


async def buy_seat(command: BuySeat) -> Result[str, Error]:
    sold = await Group.objects.using(ALIAS).acount()  # read, then write: the racy shape
    if sold >= SEATS:
        return Failure(Conflict("Sold out"))
    await Group.objects.using(ALIAS).acreate(name=command.buyer)
    return Success(command.buyer)


@pytest.fixture
def tickets_database(tmp_path: Path, django_db_blocker: Any) -> Iterator[None]:
    """An SQLite file under the alias "tickets", with IMMEDIATE transactions, for this test.

    Not the test database: a file of its own, created here, which the test may use from any
    thread (Django's test cases forbid other aliases there).
    """
    database = {
        **connections.settings["default"],
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(tmp_path / "tickets.sqlite3"),
        "OPTIONS": {"transaction_mode": "IMMEDIATE"},
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "TEST": {},
    }
    connections.settings[ALIAS] = database
    django_db_blocker.unblock()
    try:
        with connections[ALIAS].schema_editor() as editor:
            editor.create_model(Group)
        yield
    finally:
        connections[ALIAS].close()
        del connections[ALIAS]
        del connections.settings[ALIAS]
        django_db_blocker.restore()


async def purchase(bus: Messenger, buyer: str) -> object:
    """One request: its own database thread and connection, closed at its end."""
    async with ThreadSensitiveContext():
        try:
            return await bus.asend(BuySeat(buyer))
        except Exception as exc:  # what the test must not see: a 500
            return exc
        finally:
            await sync_to_async(connections.close_all)()


@pytest.mark.usefixtures("tickets_database")
async def test_concurrent_purchases_succeed_or_are_refused_cleanly() -> None:
    handlers = Registry()
    handlers.register(make_spec(buy_seat))
    bus = Messenger(handlers, behaviors=[TransactionBehavior(using=ALIAS)])
    outcomes = await asyncio.gather(*(purchase(bus, f"buyer {i}") for i in range(BUYERS)))
    kinds = Counter(type(o).__name__ for o in outcomes)
    assert kinds == {"Success": SEATS, "Failure": BUYERS - SEATS}, [
        o for o in outcomes if isinstance(o, Exception)
    ][:3]
    assert all(o == Failure(Conflict("Sold out")) for o in outcomes if isinstance(o, Failure))
    assert await Group.objects.using(ALIAS).acount() == SEATS
