"""Cancelling a task while the work it waits for is held on Django's database thread."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest


async def cancel_twice_then_release(task: asyncio.Task[Any], release: threading.Event) -> None:
    """Cancel ``task`` twice (a timeout, then the client gone) while the database thread is
    held, then let the thread go on: ``task`` ends cancelled, the held work done."""
    task.cancel()  # what the task does next now waits for the database thread
    await asyncio.sleep(0.05)
    task.cancel()
    await asyncio.sleep(0.05)
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await task
