"""Django REST framework integration: results as responses, one error shape, message views.

Needs the ``rest`` extra: ``pip install "django-functionalkit[rest]"``.
"""

from .exceptions import exception_handler
from .fallback import not_found
from .problems import PROBLEM_CONTENT_TYPE, problem, problem_for, status_for
from .responses import ResultEncoder, problem_response, result_response, to_data
from .views import (
    MessageAPIView,
    MessageMetadata,
    MessageMixin,
    MessageViewSet,
    message_serializer,
    message_serializer_class,
)

__all__ = [
    "PROBLEM_CONTENT_TYPE",
    "MessageAPIView",
    "MessageMetadata",
    "MessageMixin",
    "MessageViewSet",
    "ResultEncoder",
    "exception_handler",
    "message_serializer",
    "message_serializer_class",
    "not_found",
    "problem",
    "problem_for",
    "problem_response",
    "result_response",
    "status_for",
    "to_data",
]
