"""The one import of Django's Tasks API: django.tasks where Django has it, the backport before."""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterator

import django
import django_tasks
import pytest
from django_tasks import base, exceptions

from django_functionalkit import tasks_api


@pytest.fixture
def reloaded_shim() -> Iterator[None]:
    """The shim is imported again after the test, as the installed Django makes it."""
    yield
    importlib.reload(tasks_api)


def test_on_this_django_the_shim_picks_its_tasks_api() -> None:
    expected = "django.tasks" if django.VERSION >= (6, 0) else "django_tasks"
    assert expected == tasks_api.SOURCE
    if expected == "django_tasks":
        assert tasks_api.task is django_tasks.task
        assert tasks_api.task_backends is django_tasks.task_backends
        assert tasks_api.TaskResultDoesNotExist is exceptions.TaskResultDoesNotExist


def test_where_django_tasks_exists_the_shim_takes_it_over_the_backport(
    monkeypatch: pytest.MonkeyPatch, reloaded_shim: None
) -> None:
    # Django 6's package, stood in for by the backport's objects under Django's module names.
    package = types.ModuleType("django.tasks")
    for name in tasks_api.__all__:
        if name not in {"SOURCE", "Task", "TaskResultDoesNotExist"}:
            setattr(package, name, getattr(django_tasks, name))
    base_module = types.ModuleType("django.tasks.base")
    base_module.Task = type("Task", (base.Task,), {"__module__": "django.tasks.base"})  # type: ignore[attr-defined]
    exceptions_module = types.ModuleType("django.tasks.exceptions")
    exceptions_module.TaskResultDoesNotExist = exceptions.TaskResultDoesNotExist  # type: ignore[attr-defined]
    for module in (package, base_module, exceptions_module):
        monkeypatch.setitem(sys.modules, module.__name__, module)

    importlib.reload(tasks_api)

    assert tasks_api.SOURCE == "django.tasks"
    assert tasks_api.Task is base_module.Task  # type: ignore[attr-defined]
