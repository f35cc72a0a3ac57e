"""The problem responses an operation can answer with, and the ``Problem`` component."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticatedOrReadOnly

from django_functionalkit.declarations import declared_result, is_result
from django_functionalkit.markers import RequiresAuthorization
from django_functionalkit.messages import Message, kind_of
from django_functionalkit.rest.paging import returns_pages
from django_functionalkit.rest.problems import PROBLEM_CONTENT_TYPE

from .hints import schema_component
from .operation import OperationSchema, path_variables

# The body of every error response: problems.problem() builds it.
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An error, as RFC 9457 problem details.",
    "properties": {
        "type": {
            "type": "string",
            "description": "A URI that names the kind of problem; `about:blank` when the status "
            "says it all.",
            "example": "about:blank",
        },
        "title": {"type": "string", "description": "The status, in words.", "example": "Not Found"},
        "status": {"type": "integer", "description": "The HTTP status code.", "example": 404},
        "detail": {"type": "string", "description": "What went wrong, for a person to read."},
        "code": {
            "type": "string",
            "description": "What went wrong, for a program to check (`email_taken`, `invalid`).",
        },
        "errors": {
            "type": "object",
            "description": "The messages of each invalid field, by field name "
            "(`non_field_errors` for the input as a whole).",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["type", "title", "status", "detail"],
}

_PROBLEMS: dict[int, str] = {
    400: "The input is invalid: `errors` names each field's problems.",
    401: "Not authenticated: the message needs a known, active user.",
    403: "Not allowed: the user lacks a role, a permission, or the right to this object.",
    404: "Nothing matches the URL, or the page is past the last one.",
    409: "The change conflicts with the current state.",
    500: "An unexpected error, logged on the server.",
}


class ProblemResponses(OperationSchema):
    """Describes how a message's operation can fail."""

    def _problem_responses(self, message_type: type[Message]) -> dict[Any, OpenApiResponse]:
        problem = schema_component("Problem", PROBLEM_SCHEMA, "django_functionalkit.Problem")
        self.registry.register_on_missing(problem)
        return {
            (str(status), PROBLEM_CONTENT_TYPE): OpenApiResponse(problem.ref, _PROBLEMS[status])
            for status in self.problem_statuses(message_type)
        }

    def problem_statuses(self, message_type: type[Message]) -> list[int]:
        """The error statuses this operation can answer with (see the package docs)."""
        statuses = [400]
        if issubclass(message_type, RequiresAuthorization) or self._view_restricts():
            statuses += [401, 403]
        names_a_resource = any(v != "format" for v in path_variables(self.path))
        if names_a_resource or returns_pages(message_type):  # a page past the last
            statuses.append(404)
        if kind_of(message_type) == "command" and is_result(declared_result(message_type)):
            statuses.append(409)
        return [*statuses, 500]

    def _view_restricts(self) -> bool:
        """Whether the view's permissions can refuse this operation."""
        safe = self.method in SAFE_METHODS
        return not all(
            isinstance(p, AllowAny) or (safe and isinstance(p, IsAuthenticatedOrReadOnly))
            for p in self.view.get_permissions()
        )
