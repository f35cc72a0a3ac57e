"""The rows the test tasks write: one per run of a task, with the process that ran it."""

from django.db import models


class Run(models.Model):
    """One run of a test task (no unique constraint: a second run shows as a second row)."""

    label = models.CharField(max_length=100)
    pid = models.IntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.label} in {self.pid}"
