"""Real task workers for the tests: started as processes on the test's own database and Redis.

``Workers`` starts django-tasks-db's ``db_worker`` and RQ's worker (``rqworker`` with
django-tasks-rq's job class) through ``manage.py`` with ``tests.settings_worker``, which points
them at the database the running test uses (PostgreSQL's test database, or SQLite's test
database file) and at the same Redis. Each worker runs in a process group of its own, so a stop
(SIGTERM) or a kill (SIGKILL) reaches it and its children (RQ's work horse) at once; whatever is
still running when the test ends, fails or not, is killed, at the latest when Python exits, and
by the kernel if the test process dies without a word (``PR_SET_PDEATHSIG``; RQ's work horse
then runs its job to the end). RQ's work horse leaves its parent's group (``os.setpgrp()``), so
a kill signals the worker's descendants, found through ``/proc``, as well. Every wait is
bounded.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import connection

if TYPE_CHECKING:
    from redis import Redis

ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT = 30.0  # a worker imports Django and runs the system checks before it is ready
STOP_TIMEOUT = 10.0
# Run before the worker's own code (which it then becomes through exec): the kernel kills the
# worker when the test process dies, even by SIGKILL, when no finalizer or atexit handler runs.
LAUNCHER = """
import ctypes, os, signal, sys
prctl = getattr(ctypes.CDLL(None, use_errno=True), "prctl", None)  # Linux only
if prctl:
    prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
if os.getppid() != int(os.environ["FK_WORKER_PARENT"]):
    sys.exit("the test process is gone")
os.execv(sys.executable, [sys.executable, *sys.argv[1:]])
"""

_RUNNING: set[subprocess.Popen[bytes]] = set()


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` until it holds; fail saying ``what`` did not happen in time."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout} s")
        time.sleep(0.02)


class Worker:
    """One worker process (and its process group), with its output in a log file."""

    def __init__(self, name: str, args: list[str], log: Path, env: dict[str, str]) -> None:
        self.name = name
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
                [sys.executable, "-c", LAUNCHER, str(ROOT / "manage.py"), *args],
                cwd=ROOT,
                env={**env, "FK_WORKER_PARENT": str(os.getpid())},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: signals reach its children
            )
        _RUNNING.add(self.process)

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def running(self) -> bool:
        return self.process.poll() is None

    def wait_for_output(self, text: str, timeout: float = STARTUP_TIMEOUT) -> None:
        """Wait until the worker has printed ``text``; fail early if it exited instead."""

        def printed() -> bool:
            if text in self.output():
                return True
            if not self.running():
                raise RuntimeError(f"worker {self.name} exited:\n{self.output()}")
            return False

        try:
            wait_until(printed, timeout, f"worker {self.name} printing {text!r}")
        except TimeoutError as error:
            raise TimeoutError(f"{error}\n{self.output()}") from None

    def stop(self, timeout: float = STOP_TIMEOUT) -> int:
        """SIGTERM (the engines' graceful shutdown), then SIGKILL if it has not exited in time.

        Only the worker's own group: RQ's worker waits for its work horse, which SIGTERM kills.
        """
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return self.kill()
        _RUNNING.discard(self.process)
        return code

    def kill(self) -> int:
        """SIGKILL the worker and its children: no handler, no cleanup, as a crash or OOM kill."""
        _signal_tree(self.process.pid, signal.SIGKILL)
        code = self.process.wait(STOP_TIMEOUT)
        _RUNNING.discard(self.process)
        return code


def _signal_tree(pid: int, signum: int) -> None:
    """Signal a worker's process group and every descendant, whatever group it moved to."""
    family = [pid, *descendants(pid)]  # before the signal: a dead parent's children move away
    for target in family:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(target, signum)  # its group, if it leads one (the worker, a work horse)
        with contextlib.suppress(ProcessLookupError):
            os.kill(target, signum)


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie, dead but not yet reaped, does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def descendants(pid: int) -> list[int]:
    """The ids of a process's children, their children, ... (Linux ``/proc``)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (comm) state ppid ...": comm may hold spaces, so split after its ")"
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # it exited meanwhile
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@atexit.register
def _kill_leftovers() -> None:
    """The last resort: no worker outlives the test run, whatever ended it."""
    for process in list(_RUNNING):
        _signal_tree(process.pid, signal.SIGKILL)
        process.wait(STOP_TIMEOUT)


class Workers:
    """Starts workers for one test; ``close()`` kills whatever is still running."""

    def __init__(self, log_dir: Path, **settings_env: str) -> None:
        self.log_dir = log_dir
        self.started: list[Worker] = []
        self.env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            # the database the test runs on: its test database, not the configured NAME
            "FK_WORKER_DATABASE": str(connection.settings_dict["NAME"]),
            **settings_env,
        }

    def _start(self, name: str, args: list[str]) -> Worker:
        worker = Worker(
            name,
            [*args, "--settings", "tests.settings_worker"],
            self.log_dir / f"{name}.log",
            self.env,
        )
        self.started.append(worker)
        return worker

    def db_worker(self, *options: str, wait: bool = True) -> Worker:
        """django-tasks-db's ``db_worker``, polling every 50 ms; ready once it says it started."""
        name = f"db-{uuid.uuid4().hex[:8]}"
        worker = self._start(
            name,
            [
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.05",
                "--worker-id",
                name,
                *options,
            ],
        )
        if wait:
            worker.wait_for_output(f"Starting worker worker_id={name}")
        return worker

    def rq_worker(self, *options: str, wait: bool = True) -> Worker:
        """RQ's forking worker on the "default" queue with django-tasks-rq's job class."""
        name = f"rq-{uuid.uuid4().hex[:8]}"
        worker = self._start(
            name,
            ["rqworker", "default", "--job-class", "django_tasks_rq.Job", "--name", name, *options],
        )
        if wait:
            worker.wait_for_output("Listening on")
        return worker

    def sweeper(self, *options: str) -> Worker:
        """``manage.py deliver_pending --loop``, polling every 50 ms (it prints nothing until it
        has run a delivery)."""
        name = f"sweeper-{uuid.uuid4().hex[:8]}"
        return self._start(name, ["deliver_pending", "--loop", "--interval", "0.05", *options])

    def close(self) -> None:
        """Kill every worker still running (a test that failed may have left some)."""
        for worker in self.started:
            if worker.running():
                worker.kill()


def forget_rq(redis: Redis) -> None:
    """Delete RQ's keys (queues, jobs, registries, workers): this run's Redis database is ours."""
    keys = list(redis.scan_iter("rq:*"))
    if keys:
        redis.delete(*keys)
