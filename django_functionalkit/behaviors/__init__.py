"""Pipeline behaviors: code that runs around handlers, listed in ``FUNCTIONALKIT["BEHAVIORS"]``.

Each lives in a module of its own; they are all importable from here.
"""

from .audit import AuditBehavior
from .authorization import AuthorizationBehavior
from .base import Behavior
from .caching import CacheBehavior
from .exceptions import ExceptionBehavior
from .logging import LoggingBehavior
from .transaction import TransactionBehavior
from .validation import ValidationBehavior

__all__ = [
    "AuditBehavior",
    "AuthorizationBehavior",
    "Behavior",
    "CacheBehavior",
    "ExceptionBehavior",
    "LoggingBehavior",
    "TransactionBehavior",
    "ValidationBehavior",
]
