"""Error values, and the exceptions that carry them.

Errors are values first: a handler returns ``Failure(NotFound("..."))``. Code that raises, as
the guide's handlers do, raises the matching exception, which carries the same value, so both
map to the same HTTP status::

    Error                      a failure value: code, detail
    ├── NotFound               the thing asked for does not exist            (404)
    ├── Conflict               the change clashes with the current state     (409)
    ├── Forbidden              the actor may not do this                     (403)
    ├── Unauthorized           no authenticated actor                        (401)
    └── InvalidInput           the input is wrong; field errors say where    (400)

    Exception
    └── FunctionalKitError     every exception this library raises
        ├── UnwrapError        read .value of a Failure, .error of a Success, ...
        ├── HandlerRegistrationError   @handler cannot tell which message a handler takes
        ├── HandlerNotFoundError       no handler for a query or command (also a LookupError)
        ├── DuplicateHandlerError      two handlers for one query or command
        └── RaisedError        an Error value raised as an exception; .error holds it
            ├── NotFoundError
            ├── ConflictError
            ├── ForbiddenError
            ├── UnauthorizedError
            └── InvalidInputError
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

__all__ = [
    "Conflict",
    "ConflictError",
    "DuplicateHandlerError",
    "Error",
    "FieldError",
    "Forbidden",
    "ForbiddenError",
    "FunctionalKitError",
    "HandlerNotFoundError",
    "HandlerRegistrationError",
    "InvalidInput",
    "InvalidInputError",
    "NotFound",
    "NotFoundError",
    "RaisedError",
    "Unauthorized",
    "UnauthorizedError",
    "UnwrapError",
]


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one input field; ``field`` is ``None`` for the input as a whole."""

    field: str | None
    message: str
    code: str = "invalid"

    def __str__(self) -> str:
        return self.message if self.field is None else f"{self.field}: {self.message}"


@dataclass(frozen=True, slots=True)
class Error:
    """A failure value: a machine-readable ``code`` and a human-readable ``detail``.

    Subclass it as a frozen dataclass for errors of your own; give ``code`` a new default::

        @dataclass(frozen=True)
        class OutOfStock(Conflict):
            code: str = "out_of_stock"
            product_id: int = 0
    """

    detail: str = ""
    code: str = "error"

    def __str__(self) -> str:
        return self.detail or self.code

    def exception(self) -> RaisedError:
        """The exception that carries this value, for code that raises."""
        for cls in type(self).__mro__:
            exception_type = _EXCEPTION_TYPES.get(cls)
            if exception_type is not None:
                return exception_type(self)
        raise AssertionError("unreachable: Error itself has an exception type")  # pragma: no cover


@dataclass(frozen=True, slots=True)
class NotFound(Error):
    """The thing asked for does not exist."""

    code: str = "not_found"


@dataclass(frozen=True, slots=True)
class Conflict(Error):
    """The change clashes with the current state (a duplicate email, a stale version)."""

    code: str = "conflict"


@dataclass(frozen=True, slots=True)
class Forbidden(Error):
    """The actor is known but may not do this."""

    code: str = "forbidden"


@dataclass(frozen=True, slots=True)
class Unauthorized(Error):
    """There is no authenticated actor."""

    code: str = "unauthorized"


@dataclass(frozen=True, slots=True)
class InvalidInput(Error):
    """The input is wrong; ``errors`` says which fields and why."""

    code: str = "invalid"

    errors: tuple[FieldError, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "errors", tuple(self.errors))  # a list given stays hashable

    @classmethod
    def of(cls, errors: Iterable[FieldError | str], detail: str = "") -> InvalidInput:
        """Collect field errors; a plain string is a problem with the input as a whole."""
        collected = tuple(e if isinstance(e, FieldError) else FieldError(None, e) for e in errors)
        if not detail:
            detail = "; ".join(str(e) for e in collected) or "The input is invalid."
        return cls(detail=detail, errors=collected)

    def fields(self) -> dict[str, list[str]]:
        """The messages grouped by field name (``None`` becomes ``"non_field_errors"``)."""
        grouped: dict[str, list[str]] = {}
        for error in self.errors:
            grouped.setdefault(error.field or "non_field_errors", []).append(error.message)
        return grouped


class FunctionalKitError(Exception):
    """Base class of every exception this library raises."""


class UnwrapError(FunctionalKitError):
    """A value was read from the wrong side: ``.value`` of a ``Failure`` or of ``Nothing``."""


class HandlerRegistrationError(FunctionalKitError, TypeError):
    """A handler cannot be registered: its first parameter does not name a message."""


class HandlerNotFoundError(FunctionalKitError, LookupError):
    """A query or command was dispatched, and no handler is registered for it."""


class DuplicateHandlerError(FunctionalKitError):
    """Two different handlers are registered for one query or command."""


class RaisedError(FunctionalKitError):
    """An ``Error`` value raised as an exception; ``.error`` holds the value."""

    error_type: ClassVar[type[Error]] = Error

    def __init__(self, error: Error | str = "") -> None:
        if isinstance(error, str):
            error = self.error_type(error)
        elif not isinstance(error, self.error_type):
            raise TypeError(
                f"{type(self).__name__} carries a {self.error_type.__name__}, "
                f"not a {type(error).__name__}"
            )
        self.error = error
        super().__init__(str(error))


class NotFoundError(RaisedError):
    """Raised form of ``NotFound``."""

    error_type = NotFound


class ConflictError(RaisedError):
    """Raised form of ``Conflict``."""

    error_type = Conflict


class ForbiddenError(RaisedError):
    """Raised form of ``Forbidden``."""

    error_type = Forbidden


class UnauthorizedError(RaisedError):
    """Raised form of ``Unauthorized``."""

    error_type = Unauthorized


class InvalidInputError(RaisedError):
    """Raised form of ``InvalidInput``."""

    error_type = InvalidInput


_EXCEPTION_TYPES: dict[type[Error], type[RaisedError]] = {
    cls.error_type: cls
    for cls in (
        RaisedError,
        NotFoundError,
        ConflictError,
        ForbiddenError,
        UnauthorizedError,
        InvalidInputError,
    )
}
