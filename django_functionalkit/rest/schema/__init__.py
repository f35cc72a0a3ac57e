"""OpenAPI for message views, with drf-spectacular: the message and result types say it all.

``MessageViewSet`` and ``MessageAPIView`` use ``MessageSchema``. An action that names a message
is described from that message; any other action (an ``@action`` with a ``serializer_class``,
say) as drf-spectacular describes it.

=====================  =========================================================================
part of the operation  comes from
=====================  =========================================================================
path parameters        the message field each URL kwarg fills (``url_fields``), with its type
query parameters       GET and DELETE: the message's other fields, with their types, defaults,
                       whether they are required, and the constraints their types declare
                       (``Annotated[int, Ge(1)]``); marker options are never request input
request body           POST, PUT and PATCH: the message's other fields, all of them (the message
                       is built whole, also for PATCH), as the ``<Message>Request`` component
success response       ``R`` of ``Query[R]`` / ``Command[R]``, a ``Result`` unwrapped to its
                       value: 204 with no body for ``Unit`` or ``None``, DRF's paginated shape
                       for a ``PagedResult``, 201 for the view's ``created_actions``, else 200;
                       a dataclass is a component of its own name (``UserDto``)
problem responses      ``application/problem+json`` bodies, the ``Problem`` component (below)
summary, description   the message's docstring: its first paragraph, then the rest
operation id           the message's name in snake case: ``GetUserById`` is ``get_user_by_id``;
                       a message a view dispatches for two actions is ``<name>_<action>`` for
                       the second (``update_user_partial_update``)
=====================  =========================================================================

The problems an action can answer with, decided from its message and URL alone:

======  =======================================================================================
status  documented for
======  =======================================================================================
400     every action: its input can be invalid
401     a message that is ``RequiresAuthorization``, or a view whose permissions can refuse
        the operation (any but ``AllowAny``, and ``IsAuthenticatedOrReadOnly`` on a write)
403     the same
404     an action whose URL has kwargs (retrieve, update, partial_update, destroy): they name
        something that may not exist
409     a command whose result is a ``Result``: it fails with ``Conflict`` when the change
        clashes with what is there (a taken email, say)
500     every action: an unexpected error
======  =======================================================================================

A message served at two endpoints gets one operation id twice, which drf-spectacular numbers
with a warning: name one of them with ``@extend_schema(operation_id=...)``.
"""

from django_functionalkit.declarations import UNDECLARED, declared_result

from .body import RequestBody, request_serializer_class
from .constraints import ExclusiveBounds
from .decimals import DecimalPatterns
from .naming import Naming
from .parameters import Parameters
from .problems import PROBLEM_SCHEMA
from .responses import Responses

__all__ = [
    "PROBLEM_SCHEMA",
    "UNDECLARED",
    "MessageSchema",
    "declared_result",
    "request_serializer_class",
]


class MessageSchema(Naming, Parameters, RequestBody, Responses, ExclusiveBounds, DecimalPatterns):
    """Describes a message view from its message and result types (see the package docs)."""
