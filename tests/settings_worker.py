"""Settings of the worker processes the tests start (tests/workers.py): the test's own database.

The test run's settings, with every alias of the default database pointed at the database the
running test uses (``FK_WORKER_DATABASE``: PostgreSQL's test database, or SQLite's test database
file), so a worker sees the rows the test commits and the test sees the worker's.
``FK_WORKER_CONN_MAX_AGE`` sets its connections' lifetime (bench/engines.py compares them).
"""

import os

from tests.settings import *  # noqa: F403 - the same project, apps and Redis as the test
from tests.settings import DATABASES

for _database in DATABASES.values():
    _database["NAME"] = os.environ["FK_WORKER_DATABASE"]
    _database["CONN_MAX_AGE"] = int(os.environ.get("FK_WORKER_CONN_MAX_AGE", "0"))
    if _database["ENGINE"] == "django.db.backends.sqlite3":
        # The test process writes to the same file: wait for its write lock, and never fsync.
        _database["OPTIONS"] = {"timeout": 20, "init_command": "PRAGMA synchronous=OFF"}

# A short lease for the kill tests (tests/test_delivery_engines.py), as the test process uses.
if "FK_WORKER_LEASE_SECONDS" in os.environ:
    FUNCTIONALKIT = {
        **FUNCTIONALKIT,  # noqa: F405
        "DELIVERY_LEASE_SECONDS": float(os.environ["FK_WORKER_LEASE_SECONDS"]),
    }

# A worker's mail goes to its log, where a test counts what the background handlers sent.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
