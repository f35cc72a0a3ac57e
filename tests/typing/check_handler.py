# pyright: reportUnnecessaryTypeIgnoreComment=true
"""Checked by mypy --strict and pyright --strict: the signature of ``@handler``.

``@handler``, ``@handler()`` and ``@handler(background=True, retry=...)`` return what they
decorate; an unknown option, or a known one of the wrong type, is an error for the type checker
as it is a ``TypeError`` at run time (an unused ignore below would fail the check).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_type

from django_functionalkit import Query, handler
from django_functionalkit.delivery.policy import RetryPolicy


@dataclass(frozen=True)
class GetName(Query[str]):
    user_id: int


class GetNameHandler:
    def handle(self, query: GetName) -> str:
        return "ada"


assert_type(handler(GetNameHandler), type[GetNameHandler])
assert_type(handler()(GetNameHandler), type[GetNameHandler])

assert_type(handler(background=True)(GetNameHandler), type[GetNameHandler])
assert_type(
    handler(background=True, retry=RetryPolicy(attempts=3))(GetNameHandler), type[GetNameHandler]
)

handler(retries=3)  # type: ignore[call-overload]
handler(background="yes")  # type: ignore[call-overload]
