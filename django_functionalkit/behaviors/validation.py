"""``ValidationBehavior``: a message marked ``Validatable`` reaches its handler only when valid.

The sync path calls ``message.validate()``, the async path ``await message.avalidate()`` (by
default the sync one, called on the event loop: override ``avalidate`` for checks that query the
database). An ``Invalid`` result stops the message before its handler with every error at once,
as ``InvalidInput``: ``Failure(InvalidInput)`` for a message whose handler returns a ``Result``,
``InvalidInputError`` raised for any other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from asgiref.sync import async_to_sync

from django_functionalkit.errors import FieldError, InvalidInput
from django_functionalkit.markers import Validatable
from django_functionalkit.validation import Invalid, Validation

from .base import Behavior
from .outcome import refuse

__all__ = ["ValidationBehavior", "invalid_input"]


class ValidationBehavior(Behavior):
    """Runs the checks of messages marked ``Validatable`` and refuses the invalid ones."""

    message_types: ClassVar[tuple[type, ...]] = (Validatable,)

    def handle(self, message: Any, call_next: Callable[[Any], Any]) -> Any:
        """Validate, then run the rest of the pipeline, or refuse with every error."""
        error = invalid_input(message, _validate(message))
        if error is not None:
            return refuse(message, error)
        return call_next(message)

    async def ahandle(self, message: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
        """The async path: ``await message.avalidate()``."""
        error = invalid_input(message, await message.avalidate())
        if error is not None:
            return refuse(message, error)
        return await call_next(message)


def invalid_input(message: object, checked: object) -> InvalidInput | None:
    """Every error of ``checked`` as one ``InvalidInput``, or ``None`` when it is valid."""
    if not isinstance(checked, Validation):
        raise TypeError(
            f"{type(message).__qualname__}.validate() returned {type(checked).__name__}: "
            "return Valid(...) or Invalid(error, ...)."
        )
    if not isinstance(checked, Invalid):
        return None
    return InvalidInput.of(e if isinstance(e, FieldError) else str(e) for e in checked.errors)


def _validate(message: Validatable) -> object:
    """``validate()``, or the async check run to completion when only that one is defined."""
    cls = type(message)
    if cls.validate is Validatable.validate and cls.avalidate is not Validatable.avalidate:
        return async_to_sync(message.avalidate)()
    return message.validate()
