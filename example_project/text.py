r"""Text patterns the example's messages share, meaning the same in Python and in the ECMA-262
regexes of the schema's readers, whose ``\s`` and ``\d`` differ: Python's ``\s`` also takes
``\x1c``-``\x1f`` and ``\x85``, ECMA's ``\ufeff``; Python's ``\d`` takes every script's digits.
"""

from __future__ import annotations

from django_functionalkit import Pattern

# Spaces and control characters.
INVISIBLE = r"\s\x00-\x1f\x7f-\x9f\ufeff"

# Text with something to read in it: not blank, not only control characters.
NOT_BLANK = Pattern(rf"[^{INVISIBLE}]")

# name@domain.tld, with no spaces or control characters.
EMAIL = rf"^[^@{INVISIBLE}]+@[^@{INVISIBLE}]+\.[^@{INVISIBLE}]+$"
