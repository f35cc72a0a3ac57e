"""django-functionalkit: CQRS messaging, pipeline behaviors and functional result types for Django.

The public API is what ``__all__`` lists; error values and their exceptions live in
``django_functionalkit.errors``.
"""

import importlib.metadata

from .behaviors import Behavior
from .behaviors.caching.explicit import ainvalidate, invalidate
from .behaviors.caching.model_changes import invalidate_instances, invalidates_on_change
from .constraints import Pattern
from .context import MessageContext, current_context, set_actor
from .errors import FieldError
from .markers import (
    Audited,
    Cacheable,
    InvalidatesCache,
    NonTransactional,
    RequiresAuthorization,
    Stored,
    Validatable,
)
from .messages import (
    Command,
    CommandHandler,
    DomainEvent,
    Notification,
    NotificationHandler,
    Query,
    QueryHandler,
)
from .messenger import Messenger, messenger
from .options import Nothing, Option, Some, is_nothing, is_some
from .paging import PagedResult
from .registry import handler
from .results import AsyncResult, Failure, Result, Success, is_failure, is_success, partition
from .units import Unit, unit
from .validation import Invalid, Valid, Validation, is_invalid, is_valid

# pyproject.toml is the one place the version is written; the installed metadata carries it.
__version__ = importlib.metadata.version("django-functionalkit")

__all__ = [
    "AsyncResult",
    "Audited",
    "Behavior",
    "Cacheable",
    "Command",
    "CommandHandler",
    "DomainEvent",
    "Failure",
    "FieldError",
    "Invalid",
    "InvalidatesCache",
    "MessageContext",
    "Messenger",
    "NonTransactional",
    "Nothing",
    "Notification",
    "NotificationHandler",
    "Option",
    "PagedResult",
    "Pattern",
    "Query",
    "QueryHandler",
    "RequiresAuthorization",
    "Result",
    "Some",
    "Stored",
    "Success",
    "Unit",
    "Valid",
    "Validatable",
    "Validation",
    "ainvalidate",
    "current_context",
    "handler",
    "invalidate",
    "invalidate_instances",
    "invalidates_on_change",
    "is_failure",
    "is_invalid",
    "is_nothing",
    "is_some",
    "is_success",
    "is_valid",
    "messenger",
    "partition",
    "set_actor",
    "unit",
]
