"""Whether a database's transactions read a snapshot: then a miss inside one is never stored.

Under READ COMMITTED (PostgreSQL's default, Django's MySQL default) each statement reads what
is committed when it runs, so a result computed after the generations were read is at least as
new as they are. Under a snapshot (REPEATABLE READ, SERIALIZABLE, SQLite in WAL mode) every
statement reads what was committed when the transaction began: a command that committed since
has bumped the generations already, and a result stamped with them would be older than its
stamp. Such a miss is computed and returned, but not stored.

Decided from the database's settings (``OPTIONS``); a level changed with ``SET TRANSACTION``
inside the code is not seen: set it in ``OPTIONS`` instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django_functionalkit.compat import postgresql_isolation_level

__all__ = ["reads_a_snapshot"]

_SNAPSHOT_LEVELS = frozenset({"REPEATABLE READ", "SERIALIZABLE"})
_WAL = re.compile(r"journal_mode\s*=\s*'?wal\b", re.IGNORECASE)


def reads_a_snapshot(database: Mapping[str, Any]) -> bool:
    """Whether transactions on ``database`` (its settings) read one snapshot from their first
    statement."""
    vendor = database.get("ENGINE", "")
    options: Mapping[str, Any] = database.get("OPTIONS") or {}
    if "sqlite" in vendor:
        return bool(_WAL.search(str(options.get("init_command", ""))))
    return _level_name(options.get("isolation_level")) in _SNAPSHOT_LEVELS


def _level_name(level: Any) -> str:
    """``"REPEATABLE READ"`` for PostgreSQL's ``IsolationLevel.REPEATABLE_READ`` (or its number,
    as Django's PostgreSQL backend reads it) and for MySQL's ``"repeatable read"``."""
    if level is None:
        return ""
    if isinstance(level, int):  # PostgreSQL's, an IsolationLevel or its number
        level = postgresql_isolation_level(level)
    return str(getattr(level, "name", level)).replace("_", " ").upper()
