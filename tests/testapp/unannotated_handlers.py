"""A handlers module whose handler forgot its annotation: importing it fails at once."""

from django_functionalkit import handler


@handler
def greet(query):  # type: ignore[no-untyped-def]
    return "hello"
