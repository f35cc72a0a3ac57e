"""Tasks the worker tests enqueue; each writes rows the test reads back."""

import os
import time

from django_functionalkit.tasks_api import task

from .models import Run


@task()
def record(label: str) -> None:
    """Write one row: the task ran, in this process."""
    Run.objects.create(label=label, pid=os.getpid())


@task()
def record_then_sleep(label: str, seconds: float) -> None:
    """Write a row (committed at once), sleep, then write a second row ending in ":done"."""
    Run.objects.create(label=label, pid=os.getpid())
    time.sleep(seconds)
    Run.objects.create(label=f"{label}:done", pid=os.getpid())


@task()
def nothing() -> None:
    """Do nothing: what the engine itself costs."""
