"""The example project's settings: SQLite and local memory by default, or the services named in
its environment (DATABASE_URL, REDIS_URL), with the database queue as its task backend."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from types import ModuleType

import pytest

from example_project import settings as example


@pytest.fixture
def load_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., ModuleType]]:
    """Import the settings again under the given environment; as they were after the test."""

    def load(**environment: str) -> ModuleType:
        for name in ("DATABASE_URL", "REDIS_URL"):
            monkeypatch.delenv(name, raising=False)
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        return importlib.reload(example)

    yield load
    monkeypatch.undo()
    importlib.reload(example)


def test_with_nothing_in_the_environment_sqlite_and_local_memory(
    load_settings: Callable[..., ModuleType],
) -> None:
    settings = load_settings()
    database = settings.DATABASES["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(settings.BASE_DIR / "example.sqlite3")
    assert database["OPTIONS"] == {"transaction_mode": "IMMEDIATE"}
    assert not hasattr(settings, "CACHES")  # Django's default: local memory
    assert settings.TASKS == {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert {"django_tasks", "django_tasks_db"} <= set(settings.INSTALLED_APPS)
    assert "django_rq" not in settings.INSTALLED_APPS


def test_database_url_and_redis_url_name_the_services(
    load_settings: Callable[..., ModuleType],
) -> None:
    settings = load_settings(
        DATABASE_URL="postgres://shop:secret@db.internal:5433/shop",
        REDIS_URL="redis://cache.internal:6379/2",
    )
    database = settings.DATABASES["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["USER"], database["PASSWORD"]) == ("shop", "shop", "secret")
    assert (database["HOST"], database["PORT"]) == ("db.internal", 5433)
    assert database["CONN_MAX_AGE"] == 600  # workers keep their connections (bench/engines.py)
    assert "transaction_mode" not in database.get("OPTIONS", {})
    assert settings.CACHES["default"]["LOCATION"] == "redis://cache.internal:6379/2"
    assert settings.RQ_QUEUES == {"default": {"URL": "redis://cache.internal:6379/2"}}
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert settings.TASKS["rq"]["BACKEND"] == "django_tasks_rq.RQBackend"
    assert "django_rq" in settings.INSTALLED_APPS
