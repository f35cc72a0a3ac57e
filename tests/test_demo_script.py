"""``make demo``'s script (scripts/demo.sh): the server with its workers beside it, on a fresh
SQLite database; an order placed through the API is confirmed and emailed by the workers, and
Ctrl-C stops the server and every worker."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.workers import ROOT, alive, descendants, wait_until

TIMEOUT = 60.0  # migrations on a new database, then three processes starting


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path, str]]:
    """The script, started as `make demo` starts it; killed with its processes if the test fails."""
    database, log, port = tmp_path / "demo.sqlite3", tmp_path / "demo.log", free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "REDIS_URL"}
    }
    env |= {
        "DATABASE_URL": f"sqlite:///{database}",
        "PYTHON": sys.executable,
        "PORT": str(port),
        "PYTHONUNBUFFERED": "1",
    }
    with log.open("wb") as out:
        script = subprocess.Popen(  # noqa: S603 - the project's own script
            [str(ROOT / "scripts" / "demo.sh")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a group of its own, as make's in a terminal
            # Ctrl-C's default, even when this test process was started with SIGINT ignored
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509
        )
    try:
        yield script, database, f"http://127.0.0.1:{port}"
    finally:
        for pid in [script.pid, *descendants(script.pid)]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        script.wait(10)


def rows(database: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database, timeout=20) as db:
        return db.execute(sql).fetchall()


@pytest.mark.database("sqlite")  # its own SQLite file, whatever the run's database: run once
def test_make_demo_serves_with_workers_that_deliver_an_order_and_stop_with_it(
    demo: tuple[subprocess.Popen[bytes], Path, str],
) -> None:
    script, database, url = demo
    log = database.with_name("demo.log")
    wait_until(lambda: "Quit the server" in log.read_text(), TIMEOUT, "the demo server started")
    text = log.read_text()
    assert "Admin login: admin / functionalkit" in text
    assert "Workers started" in text

    [(ada,)] = rows(
        database, "SELECT id FROM example_orders_customer WHERE email = 'ada@example.com'"
    )
    body = {
        "customer_id": ada,
        "items": [{"product_id": 1, "quantity": 1}],
        "payment": {"card_number": "4242 4242 4242 4242"},
    }
    request = urllib.request.Request(  # noqa: S310 - our own server on loopback
        f"{url}/api/orders/",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        assert response.status == 201
        placed = json.load(response)

    wait_until(
        lambda: (
            rows(database, "SELECT status FROM functionalkit_delivery")
            == [("succeeded",), ("succeeded",)]
        ),
        TIMEOUT,
        "the order's two deliveries succeeded",
    )
    assert rows(database, "SELECT status FROM example_orders_reservation") == [("confirmed",)]
    wait_until(
        lambda: f"Subject: Order {placed['id']} confirmed" in log.read_text(),
        TIMEOUT,
        "the confirmation email (the console backend's) in the log",
    )

    processes = [script.pid, *descendants(script.pid)]
    assert len(processes) >= 4  # the script, db_worker, the sweeper, runserver (and its child)
    os.killpg(script.pid, signal.SIGINT)  # Ctrl-C
    assert script.wait(TIMEOUT) == 130
    wait_until(lambda: not any(alive(pid) for pid in processes), 10, "every process ended")
    assert log.read_text().rstrip().endswith("Server and workers stopped.")
