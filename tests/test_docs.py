"""Runs the Python samples of README.md and every page in docs/, so they cannot drift.

The ```python blocks of a page run in order in one namespace, as a reader would type them
into a shell; top-level ``await`` is allowed. A block whose first line is ``# skip-test``
is shown but not run (for fragments such as a settings excerpt of another project).
"""

from __future__ import annotations

import ast
import asyncio
import re
import sys
import types
from collections.abc import Awaitable
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from django.test import override_settings

from django_functionalkit.testing import isolated_handlers

DOCS = Path(__file__).resolve().parent.parent / "docs"
FENCE = re.compile(
    r"^(?P<indent> *)```python[ \t]*\n(?P<code>.*?)^(?P=indent)```[ \t]*$", re.M | re.S
)
SKIP = "# skip-test"


def python_blocks(page: Path) -> list[tuple[int, str]]:
    """The runnable blocks of a page, each with the line it starts on."""
    text = page.read_text(encoding="utf-8")
    blocks = []
    for match in FENCE.finditer(text):
        code = match.group("code")
        indent = len(match.group("indent"))
        code = "\n".join(line[indent:] for line in code.splitlines())
        if code.lstrip().startswith(SKIP):
            continue
        line = text.count("\n", 0, match.start("code")) + 1
        blocks.append((line, code))
    return blocks


ROOT = DOCS.parent
PAGES = [ROOT / "README.md", *sorted(p for p in DOCS.rglob("*.md") if "_build" not in p.parts)]


async def _awaited(awaitable: Awaitable[object]) -> object:
    return await awaitable


def test_every_page_is_found() -> None:
    assert len(PAGES) > 1, f"no pages under {DOCS}"


# Real commits, as in a project: notifications published in a command are delivered after it
# commits, and audit entries are written as they would be.
@pytest.mark.django_db(transaction=True, databases=["default", "audit"])
@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_samples_run(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType(f"docs_{page.stem.replace('-', '_')}")
    # Registered, so that dataclasses and type hints defined in the samples resolve.
    monkeypatch.setitem(sys.modules, module.__name__, module)
    namespace = module.__dict__
    # The default settings of a project (the default stack of behaviors), and the handlers a
    # page registers do not outlive it.
    with override_settings(FUNCTIONALKIT={}), isolated_handlers():
        _run(page, namespace)


def _run(page: Path, namespace: dict[str, object]) -> None:
    for line, code in python_blocks(page):
        # Blank lines in front keep tracebacks pointing at the page's own line numbers.
        source = "\n" * (line - 1) + code
        compiled = compile(source, str(page), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        outcome = eval(compiled, namespace)  # noqa: S307 - running our own docs is the point
        if asyncio.iscoroutine(outcome):
            # async_to_sync, not asyncio.run: thread-sensitive ORM calls then run on this
            # thread, with its connection and its test transaction.
            async_to_sync(_awaited)(outcome)
