"""Shared fixtures; loads the library's own pytest plugin (``published_notifications``, ...)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from asgiref.sync import SyncToAsync
from django.db import connections

from django_functionalkit.messenger import messenger
from django_functionalkit.registry import registry
from tests import behaviors
from tests.testapp import store
from tests.workers import Workers, forget_rq

if TYPE_CHECKING:
    from redis import Redis

pytest_plugins = ["django_functionalkit.testing"]


@pytest.fixture(autouse=True)
def _close_the_async_database_thread() -> Iterator[None]:
    """Close what async tests opened on asgiref's database thread after each test.

    Outside a request, ``sync_to_async`` runs the ORM on one shared thread whose connection
    would stay open, and PostgreSQL refuses to drop a test database that is still in use.
    """
    yield
    SyncToAsync.single_thread_executor.submit(connections.close_all).result()


@pytest.fixture
def default_stack() -> Iterator[None]:
    """A project's default settings (the default stack of behaviors), on an empty cache."""
    from django.core.cache import caches
    from django.test import override_settings

    caches["default"].clear()
    with override_settings(FUNCTIONALKIT={}):
        yield
    caches["default"].clear()


@pytest.fixture
def restore_registry() -> Iterator[None]:
    """Let a test register on the global registry; every registration is undone after it."""
    with registry.isolated():
        yield
    messenger.reset()


@pytest.fixture
def shop() -> Iterator[None]:
    """The test app's in-memory orders, event store and outbox, empty before and after."""
    store.reset()
    yield
    store.reset()


@pytest.fixture
def behavior_log() -> Iterator[list[tuple[str, str, str, object]]]:
    """What the behaviors in ``tests.behaviors`` recorded during the test."""
    behaviors.reset()
    yield behaviors.LOG
    behaviors.reset()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "requires_redis: the test needs a Redis server (scripts/services.sh start)"
    )
    config.addinivalue_line(
        "markers", "database(vendor): the test is about one database (sqlite or postgresql)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests about another database than this run's: deselected in ``make test`` (they run in
    that database's pass), skipped with the reason elsewhere."""
    from django.db import connection

    kept, other = [], []
    for item in items:
        marker = item.get_closest_marker("database")
        (other if marker and marker.args[0] != connection.vendor else kept).append(item)
    if not other:
        return
    if os.environ.get("FK_REQUIRE_SERVICES"):
        config.hook.pytest_deselected(items=other)
        items[:] = kept
        return
    for item in other:
        vendor = item.get_closest_marker("database").args[0]  # type: ignore[union-attr]
        item.add_marker(pytest.mark.skip(reason=f"needs {vendor}: run `make test`"))


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test that needs Redis skips, saying so, outside ``make test``; inside it, it fails."""
    from django.conf import settings

    if item.get_closest_marker("requires_redis") and "redis" not in settings.CACHES:
        message = "needs Redis: run `make test`, or scripts/services.sh start and FK_REDIS_URL"
        if os.environ.get("FK_REQUIRE_SERVICES"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """On SQLite, the test database is a file: worker processes the tests start share it."""
    default = connections.settings["default"]
    if default["ENGINE"] == "django.db.backends.sqlite3":
        default["TEST"]["NAME"] = str(tmp_path_factory.mktemp("database") / "tests.sqlite3")
        # A throwaway file: no fsync. Not in WAL mode, the project's default: there a transaction
        # reads a snapshot, and the cache then never stores a miss made inside one.
        default["OPTIONS"]["init_command"] = "PRAGMA synchronous=OFF"


@pytest.fixture
def workers(transactional_db: None, tmp_path: Path) -> Iterator[Workers]:
    """Start real task workers on this test's database; all of them are gone after the test.

    Transactional: a worker is another process, it sees only what the test committed.
    """
    pool = Workers(tmp_path)
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture
def rq_redis() -> Iterator[Redis]:
    """RQ's Redis (the "default" queue's), without a job, worker or registry before and after."""
    import django_rq

    redis: Redis = django_rq.get_connection("default")
    forget_rq(redis)
    yield redis
    forget_rq(redis)
