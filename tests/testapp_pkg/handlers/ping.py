"""The handler of ``Ping``, one level below the ``handlers`` package."""

from django_functionalkit import handler
from tests.testapp_pkg.messages import Ping


@handler
def ping(query: Ping) -> str:
    return "pong"
