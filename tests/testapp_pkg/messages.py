"""One query, handled in a submodule of the ``handlers`` package."""

from dataclasses import dataclass

from django_functionalkit import Query


@dataclass(frozen=True)
class Ping(Query[str]):
    pass
