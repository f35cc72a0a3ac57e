"""Settings of the example project: a local demo on SQLite, not a deployment template.

The database and the cache come from the environment when it names them: ``DATABASE_URL``
(``postgres://user:password@host:5432/name``, read by dj-database-url) and ``REDIS_URL``
(``redis://host:6379/0``: the cache, and the queue of RQ workers). Without them: SQLite beside
this file and the local-memory cache, so ``make demo`` needs no service.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "example-project-demo-only"  # noqa: S105 - a local demo, never deployed
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

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
    # Django's Tasks API (the backport on Django 5.2) and its database queue: `manage.py
    # db_worker` runs the tasks; its table lives in the same database (a migration of its own)
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_functionalkit.middleware.FunctionalKitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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

WSGI_APPLICATION = "example_project.wsgi.application"
ASGI_APPLICATION = "example_project.asgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'example.sqlite3'}",
        # Kept between requests and tasks: a worker reconnecting for every task runs a third as
        # many (bench/engines.py). Health checks replace one the server has closed.
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Take SQLite's one write lock when a transaction begins: two orders for the last unit
    # then wait for each other (one gets 409) instead of one failing "database is locked".
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE"}

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL}}

# Tasks run on the database queue by default (`manage.py db_worker`). With Redis, the "rq"
# backend is there too, for RQ workers (`manage.py rqworker --job-class django_tasks_rq.Job`).
TASKS: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
if REDIS_URL:
    INSTALLED_APPS += ["django_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    TASKS["rq"] = {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
# The demo's emails (welcome, order confirmation) are printed where runserver runs.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

REST_FRAMEWORK = {
    "EXCEPTION_HANDLER": "django_functionalkit.rest.exception_handler",
    # A JSON API: messages hold lists and nested objects (an order's items, its payment), which
    # form encodings cannot carry, so the schema offers JSON bodies only (DRF's default also
    # offers forms and multipart).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # DRF's defaults, with a Basic authentication that refuses a NUL in the credentials as a
    # wrong login instead of passing it to the database (a 500 on PostgreSQL).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "example_project.authentication.BasicAuthentication",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "django-functionalkit example",
    "DESCRIPTION": "The guide's users, catalog and orders, each endpoint dispatching one message.",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
