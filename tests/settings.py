"""Settings for the test suite: the library plus the example project's apps, on SQLite."""

import os
from pathlib import Path
from urllib.parse import urlsplit

from example_project import settings as example

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "tests-only-not-secret"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_functionalkit",
    "example_project.users",
    "example_project.catalog",
    "example_project.orders",
    "tests.testapp",
    "tests.testapp_pkg",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_functionalkit.middleware.FunctionalKitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "example_project.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "example_project" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# scripts/test.sh runs the suite twice: SQLite with the local-memory cache, then PostgreSQL
# with Redis. FK_POSTGRES_URL and FK_REDIS_URL come from scripts/services.sh.
TEST_DATABASE = os.environ.get("FK_TEST_DATABASE", "sqlite")
TEST_CACHE = os.environ.get("FK_TEST_CACHE", "locmem")
REDIS_URL = os.environ.get("FK_REDIS_URL", "")


def _postgres() -> dict[str, object]:
    url = urlsplit(os.environ["FK_POSTGRES_URL"])
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": url.path.lstrip("/"),
        "USER": url.username or "postgres",
        "PASSWORD": url.password or "",
        "HOST": url.hostname or "127.0.0.1",
        "PORT": str(url.port or 5432),
    }


if TEST_DATABASE == "postgres":
    DATABASES = {"default": _postgres()}
elif TEST_DATABASE == "sqlite":
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
else:
    raise ValueError(f"FK_TEST_DATABASE is sqlite or postgres, not {TEST_DATABASE!r}")
# A second alias of the same database, for FUNCTIONALKIT["AUDIT_DATABASE"]: a connection of its
# own, whose writes commit outside the default connection's transactions. MIRROR makes it use
# default's test database (on SQLite the shared-cache in-memory one, not a second empty one).
DATABASES["audit"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
# Another, for TransactionBehavior(using="orders"): a transaction on a connection that is not
# default's, committing or rolling back on its own (tests/test_transaction_aliases.py).
DATABASES["orders"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}

_LOCMEM: dict[str, object] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "tests",
}
_REDIS: dict[str, object] = {
    "BACKEND": "django_redis.cache.RedisCache",
    "LOCATION": REDIS_URL,
    "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
}
if TEST_CACHE == "redis":
    if not REDIS_URL:
        raise ValueError("FK_TEST_CACHE=redis needs FK_REDIS_URL (see scripts/services.sh)")
    CACHES = {"default": _REDIS}
elif TEST_CACHE == "locmem":
    CACHES = {"default": _LOCMEM}
else:
    raise ValueError(f"FK_TEST_CACHE is locmem or redis, not {TEST_CACHE!r}")
# Tests of Redis itself (locks, outages) use this alias in both runs when Redis is there.
if REDIS_URL:
    CACHES["redis"] = _REDIS

# The messenger's own tests run on a bare pipeline; the default stack of behaviors is tested
# on its own (tests/test_default_stack.py) and by the docs, which run with it.
FUNCTIONALKIT: dict[str, object] = {"BEHAVIORS": []}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
STATIC_URL = "static/"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only

# The example project's API settings: the tests exercise its URLconf.
REST_FRAMEWORK = example.REST_FRAMEWORK
SPECTACULAR_SETTINGS = example.SPECTACULAR_SETTINGS

# Django's Tasks API (the django-tasks backport on 5.2) with its two engines: the database queue
# (django-tasks-db, the default backend, run by `manage.py db_worker`) and RQ on Redis
# (django-tasks-rq, run by `manage.py rqworker`). tests/workers.py starts real workers of both.
INSTALLED_APPS += ["django_tasks", "django_tasks_db", "django_rq", "tests.tasksapp"]
TASKS: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
# RQ's queues live in Redis: the RQ backend only when this run has one (its check needs them).
RQ_QUEUES = {"default": {"URL": REDIS_URL}} if REDIS_URL else {}
if REDIS_URL:
    TASKS["rq"] = {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}
