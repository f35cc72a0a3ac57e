"""Django's Tasks API from one place: ``django.tasks`` on Django 6, the backport on 5.2.

Library code imports ``task``, ``TaskResult``, ... from here, never from either package, so the
same code runs on both Django versions. Both expose the same public names; the backport is typed
(``py.typed``), so type checkers read it on every version.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import django_tasks as api
    from django_tasks import base, exceptions
else:
    try:
        from django import tasks as api
        from django.tasks import base, exceptions
    except ImportError:  # Django 5.2: the backport, same names
        import django_tasks as api
        from django_tasks import base, exceptions

DEFAULT_TASK_BACKEND_ALIAS = api.DEFAULT_TASK_BACKEND_ALIAS
DEFAULT_TASK_QUEUE_NAME = api.DEFAULT_TASK_QUEUE_NAME
Task = base.Task
TaskContext = api.TaskContext
TaskResult = api.TaskResult
TaskResultDoesNotExist = exceptions.TaskResultDoesNotExist
TaskResultStatus = api.TaskResultStatus
default_task_backend = api.default_task_backend
task = api.task
task_backends = api.task_backends

#: The package the names above come from: ``"django.tasks"`` or ``"django_tasks"``.
SOURCE: str = Task.__module__.rpartition(".")[0]

__all__ = [
    "DEFAULT_TASK_BACKEND_ALIAS",
    "DEFAULT_TASK_QUEUE_NAME",
    "SOURCE",
    "Task",
    "TaskContext",
    "TaskResult",
    "TaskResultDoesNotExist",
    "TaskResultStatus",
    "default_task_backend",
    "task",
    "task_backends",
]
