# pyright: reportUnnecessaryTypeIgnoreComment=true
"""Checked by mypy --strict and pyright --strict: the signature of ``@handler``.

``@handler`` and ``@handler()`` return what they decorate; an option, which ``@handler`` does
not take yet, is an error for the type checker as it is a ``TypeError`` at run time (an unused
ignore below would fail the check).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_type

from django_functionalkit import Query, handler


@dataclass(frozen=True)
class GetName(Query[str]):
    user_id: int


class GetNameHandler:
    def handle(self, query: GetName) -> str:
        return "ada"


assert_type(handler(GetNameHandler), type[GetNameHandler])
assert_type(handler()(GetNameHandler), type[GetNameHandler])

handler(background=True)  # type: ignore[call-overload]
