"""Django's Tasks API from one place: ``django.tasks`` on Django 6, the backport on 5.2.

Library code imports ``task``, ``TaskResult``, ... from here, never from either package, so the
same code runs on both Django versions. Both expose the same public names; the backport is typed
(``py.typed``), so type checkers read it on every version.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django_tasks import (
        DEFAULT_TASK_BACKEND_ALIAS,
        DEFAULT_TASK_QUEUE_NAME,
        TaskContext,
        TaskResult,
        TaskResultStatus,
        default_task_backend,
        task,
        task_backends,
    )
    from django_tasks.base import Task
    from django_tasks.exceptions import TaskResultDoesNotExist
else:
    try:
        from django.tasks import (
            DEFAULT_TASK_BACKEND_ALIAS,
            DEFAULT_TASK_QUEUE_NAME,
            TaskContext,
            TaskResult,
            TaskResultStatus,
            default_task_backend,
            task,
            task_backends,
        )
        from django.tasks.base import Task
        from django.tasks.exceptions import TaskResultDoesNotExist
    except ImportError:  # Django 5.2: the backport, same names
        from django_tasks import (
            DEFAULT_TASK_BACKEND_ALIAS,
            DEFAULT_TASK_QUEUE_NAME,
            TaskContext,
            TaskResult,
            TaskResultStatus,
            default_task_backend,
            task,
            task_backends,
        )
        from django_tasks.base import Task
        from django_tasks.exceptions import TaskResultDoesNotExist

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
