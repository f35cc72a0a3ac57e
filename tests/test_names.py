"""Names say what a thing is, and comments say what the code does now (not how it came to be)."""

from __future__ import annotations

import importlib
import io
import re
import tokenize
from pathlib import Path

import pytest

from django_functionalkit import Messenger, testing
from django_functionalkit.audit_payload import SECRET_KEYS, SECRET_WHOLE_KEYS
from django_functionalkit.behaviors import transaction
from django_functionalkit.behaviors.caching import invalidation
from django_functionalkit.registry import Registry

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "django_functionalkit"


def test_the_cache_behaviors_command_path_is_not_named_like_the_messengers() -> None:
    assert invalidation.__all__ == ["arun_and_invalidate", "bump", "run_and_invalidate"]
    assert not hasattr(invalidation, "send")
    assert not hasattr(invalidation, "asend")


def test_the_transactions_turn_locks_say_whose_turn_they_order() -> None:
    assert {"_turn_lock", "_nested_commands_lock", "_db_thread_locks"} <= set(vars(transaction))
    assert not {"_turn", "_children", "_by_context"} & set(vars(transaction))


def test_a_messenger_takes_a_registry_by_that_name() -> None:
    handlers = Registry()
    assert Messenger(registry=handlers).registry is handlers
    with pytest.raises(TypeError, match="handlers"):
        Messenger(handlers=handlers)  # type: ignore[call-arg]


def test_the_testing_helpers_take_a_messenger_by_that_name() -> None:
    bus = Messenger(Registry(), behaviors=[])
    with testing.isolated_handlers(messenger=bus) as handlers:
        assert handlers is bus.registry
    with pytest.raises(TypeError, match="using"):
        testing.capture_notifications(using=bus)  # type: ignore[call-arg]


def test_one_module_is_named_audit_the_behavior() -> None:
    assert importlib.import_module("django_functionalkit.behaviors.audit").AuditBehavior
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("django_functionalkit.audit")


def _listed(page: str, lead: str) -> tuple[str, ...]:
    """The code spans of the list item that starts with ``lead``, up to its parenthesis."""
    item = re.search(rf"^- {re.escape(lead)}(.*?)(?=^- |^$)", page, re.MULTILINE | re.DOTALL)
    assert item, f"no item {lead!r}"
    return tuple(re.findall(r"`([^`]+)`", item.group(1).split("(")[0]))


def test_the_docs_list_exactly_what_is_redacted() -> None:
    page = (ROOT / "docs" / "audit.md").read_text()
    assert _listed(page, "**contains** one of") == SECRET_KEYS
    assert _listed(page, "**is** one of") == SECRET_WHOLE_KEYS
    settings_row = next(
        line
        for line in (ROOT / "docs" / "settings.md").read_text().splitlines()
        if line.startswith("| `AUDIT_REDACT`")
    )
    counts = f"{len(SECRET_KEYS)} key parts and {len(SECRET_WHOLE_KEYS)} whole keys"
    assert counts in settings_row
    assert "audit.md#redaction" in settings_row


# Words of history: a comment says why the code is as it is, not which issue or review changed it.
HISTORY = re.compile(r"\b(the issue|issue's|the review|previously|used to|session \d+)\b", re.I)


def _comments(path: Path) -> list[tuple[int, str]]:
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text()).readline)
    found = []
    for token in tokens:
        if token.type == tokenize.COMMENT or (
            token.type == tokenize.STRING and token.string.lstrip("rbuRBU").startswith('"""')
        ):
            found.append((token.start[0], token.string))
    return found


def test_no_comment_or_docstring_tells_history() -> None:
    historical = [
        f"{path.relative_to(ROOT)}:{line}: {text.strip()[:80]}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line, text in _comments(path)
        if HISTORY.search(text)
    ]
    assert historical == []
