"""A query whose handler is registered only if discovery imports this app's handlers."""

from dataclasses import dataclass

from django_functionalkit import Query


@dataclass(frozen=True)
class Whisper(Query[str]):
    pass
