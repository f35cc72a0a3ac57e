"""docs/settings.md documents every key of ``FUNCTIONALKIT``, with its default and a valid sample.

A key added to ``conf.DEFAULTS`` without its section on the page fails here, as does a
documented key the code no longer has, a default the page misstates, or a sample the
library's own validation refuses.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.test import override_settings

from django_functionalkit.conf import DEFAULTS, get_config

PAGE = Path(__file__).resolve().parent.parent / "docs" / "settings.md"
TEXT = PAGE.read_text(encoding="utf-8")
# The part of the page about FUNCTIONALKIT, up to the Django settings.
OWN = TEXT.partition("## `FUNCTIONALKIT`")[2].split("\n## ", 1)[0]
SECTIONS = dict(re.findall(r"^### `([A-Z_]+)`\n(.*?)(?=^### |\Z)", OWN, re.M | re.S))
PYTHON = re.compile(r"^```python\n(.*?)^```$", re.M | re.S)


def _assigned(code: str) -> object:
    """The value a ``FUNCTIONALKIT = {...}`` block assigns, as a Python literal."""
    tree = ast.parse(code)
    for node in tree.body:
        if isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == [
            "FUNCTIONALKIT"
        ]:
            return ast.literal_eval(node.value)
    raise AssertionError(f"no FUNCTIONALKIT = ... in:\n{code}")


def test_every_key_has_a_section_and_every_section_a_key() -> None:
    assert sorted(SECTIONS) == sorted(DEFAULTS)


def test_the_defaults_on_the_page_are_the_codes() -> None:
    excerpts = [code for code in PYTHON.findall(OWN) if "skip-test: the defaults" in code]
    assert len(excerpts) == 1, "the page shows the defaults in one block"
    assert _assigned(excerpts[0]) == DEFAULTS


@pytest.mark.parametrize("key", sorted(DEFAULTS))
def test_each_section_gives_the_default_what_it_takes_and_a_valid_sample(key: str) -> None:
    section = SECTIONS.get(key)
    assert section is not None, f"docs/settings.md has no section for {key}"
    assert re.search(r"^- Default: ", section, re.M), f"{key}: no default line"
    assert re.search(r"^- Takes: ", section, re.M), f"{key}: no line on what it takes"
    if not isinstance(DEFAULTS[key], list):  # lists are spelt out in the excerpt above
        assert f"`{DEFAULTS[key]!r}`".replace("10000", "10_000") in section.replace('"', "'")
    samples = [_assigned(code) for code in PYTHON.findall(section)]
    assert samples, f"{key}: no sample"
    for sample in samples:
        assert isinstance(sample, dict)
        assert key in sample
        with override_settings(FUNCTIONALKIT=sample):
            assert get_config()[key] == sample[key]
