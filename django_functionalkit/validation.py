"""``Validation``: like ``Result``, but errors accumulate. ``Valid(value)`` or ``Invalid(*errors)``.

``combine`` keeps every error of both sides, so a form with three bad fields reports three
errors, not the first one. Errors may be plain messages or ``FieldError(field, message, code)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import CoroutineType
from typing import TYPE_CHECKING, Any, Final, Generic, Never, NoReturn, TypeAlias, overload

from typing_extensions import TypeIs, TypeVar

from .errors import UnwrapError
from .results import Failure, Success, _async_step, is_async

if TYPE_CHECKING:
    from .results import _Either

__all__ = ["Invalid", "Valid", "Validation", "is_invalid", "is_valid"]

T = TypeVar("T")
E = TypeVar("E")
U = TypeVar("U")
V = TypeVar("V")
F = TypeVar("F")
# Defaults (PEP 696): a bare Valid(x) has no error type, a bare Invalid(e) no value type.
T_co = TypeVar("T_co", covariant=True, default=Never)
E_co = TypeVar("E_co", covariant=True, default=Never)

# What the library's own signatures return: the union of the two variants (see results._Either).
_Checked: TypeAlias = "Valid[T, E] | Invalid[T, E]"

# Validation has no async steps: an async function goes through Result's async railway.
_INSTEAD: Final = {
    "combine": "plain values (await the async work before combining)",
    "map": "to_result().amap(...)",
    "map_errors": "to_result().amap_error(...), which gets the tuple of errors",
    "then": "to_result().athen(...)",
    "ensure": "to_result().aensure(...)",
    "match": "to_result().amatch(...)",
}


def _refused(method: str, fn: object, returned: object = None) -> TypeError:
    return _async_step(method, fn, returned, instead=_INSTEAD[method])


def _plain(method: str, fn: object, out: V) -> V:
    """``out``, which ``fn`` returned, unless it is a coroutine: an async function is refused."""
    if type(out) is CoroutineType:
        raise _refused(method, fn, out)
    return out


def _refuse_async(method: str, *fns: object) -> None:
    """Refuse the functions a step will not call, when they are async, as if it called them."""
    for fn in fns:
        if is_async(fn):
            raise _refused(method, fn)


class Validation(Generic[T_co, E_co]):
    """A checked value (``Valid``) or every error found (``Invalid``)."""

    __slots__ = ()

    @property
    def value(self) -> T_co:
        raise NotImplementedError

    @property
    def errors(self) -> tuple[E_co, ...]:
        raise NotImplementedError

    def is_valid(self) -> bool:
        """Whether no error was found; ``is_valid(v)`` also narrows the type."""
        raise NotImplementedError

    def is_invalid(self) -> bool:
        """Whether an error was found; ``is_invalid(v)`` also narrows the type."""
        raise NotImplementedError

    def combine(self, other: Validation[U, F], fn: Callable[[T_co, U], V]) -> _Checked[V, E_co | F]:
        """Both values through ``fn`` if both are valid, else the errors of both sides."""
        if isinstance(self, Valid) and isinstance(other, Valid):
            return Valid(_plain("combine", fn, fn(self.value, other.value)))
        _refuse_async("combine", fn)
        errors: tuple[E_co | F, ...] = self._error_tuple() + other._error_tuple()
        return Invalid(*errors)

    def map(self, fn: Callable[[T_co], U]) -> _Checked[U, E_co]:
        """Transform a valid value."""
        if isinstance(self, Valid):
            return Valid(_plain("map", fn, fn(self.value)))
        _refuse_async("map", fn)
        return Invalid(*self.errors)

    def map_errors(self, fn: Callable[[E_co], F]) -> _Checked[T_co, F]:
        """Transform each error."""
        if isinstance(self, Valid):
            _refuse_async("map_errors", fn)
            return Valid(self.value)
        return Invalid(*(_plain("map_errors", fn, fn(e)) for e in self.errors))

    def then(self, fn: Callable[[T_co], Validation[U, F]]) -> _Checked[U, E_co | F]:
        """Continue with a check that needs the valid value (stops at the first invalid)."""
        if isinstance(self, Valid):
            return _checked(_plain("then", fn, fn(self.value)))
        _refuse_async("then", fn)
        return Invalid(*self.errors)

    def ensure(self, predicate: Callable[[T_co], bool], error: F) -> _Checked[T_co, E_co | F]:
        """Keep a valid value that passes ``predicate``; else invalid with ``error``."""
        if not isinstance(self, Valid):
            _refuse_async("ensure", predicate)
        elif not _plain("ensure", predicate, predicate(self.value)):
            return Invalid(error)
        return _checked(self)

    def to_result(self) -> _Either[T_co, tuple[E_co, ...]]:
        """``Success(value)``, else ``Failure(errors)`` with every error."""
        return Success(self.value) if isinstance(self, Valid) else Failure(self.errors)

    def unwrap_or(self, default: U) -> T_co | U:
        """The valid value, else ``default``."""
        return self.value if isinstance(self, Valid) else default

    def match(
        self, *, on_valid: Callable[[T_co], U], on_invalid: Callable[[tuple[E_co, ...]], V]
    ) -> U | V:
        """Call ``on_valid`` with the value or ``on_invalid`` with the errors."""
        if isinstance(self, Valid):
            _refuse_async("match", on_invalid)
            return _plain("match", on_valid, on_valid(self.value))
        _refuse_async("match", on_valid)
        return _plain("match", on_invalid, on_invalid(self.errors))

    def _error_tuple(self) -> tuple[E_co, ...]:
        return () if isinstance(self, Valid) else self.errors

    @overload
    @staticmethod
    def all(validations: Iterable[Validation[T, E]], /) -> _Checked[list[T], E]: ...

    @overload
    @staticmethod
    def all(*validations: Validation[T, E]) -> _Checked[list[T], E]: ...

    @staticmethod
    def all(*validations: Any) -> _Checked[list[Any], Any]:
        """Every value if all are valid, else every error of every one.

        Takes the validations as arguments or as one iterable.
        """
        items: Iterable[Any] = validations
        if len(validations) == 1 and not isinstance(validations[0], Validation):
            items = validations[0]  # the one-iterable form
        values: list[Any] = []
        errors: list[Any] = []
        for item in items:
            if not isinstance(item, Validation):
                raise TypeError(f"Validation.all() takes Validations, got {type(item).__name__}")
            if isinstance(item, Valid):
                values.append(item.value)
            else:
                errors.extend(item.errors)
        return Invalid(*errors) if errors else Valid(values)


class Valid(Validation[T_co, E_co]):
    """A value that passed its checks."""

    __slots__ = ("_value",)
    __match_args__: Final = ("value",)

    def __init__(self, value: T_co) -> None:
        self._value = value

    def __repr__(self) -> str:
        return f"Valid({self._value!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Valid) and self._value == other._value

    def __hash__(self) -> int:
        return hash((Valid, self._value))

    @property
    def value(self) -> T_co:
        return self._value

    @property
    def errors(self) -> NoReturn:
        raise UnwrapError(f"Cannot read .errors of {self!r}: it is valid. Read .value instead.")

    def is_valid(self) -> bool:
        return True

    def is_invalid(self) -> bool:
        return False


class Invalid(Validation[T_co, E_co]):
    """Every error found: ``Invalid("Name is required")`` or ``Invalid(error1, error2)``."""

    __slots__ = ("_errors",)
    __match_args__: Final = ("errors",)

    def __init__(self, *errors: E_co) -> None:
        if not errors:
            raise ValueError("Invalid() needs at least one error.")
        self._errors = errors

    def __repr__(self) -> str:
        return f"Invalid({', '.join(map(repr, self._errors))})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Invalid) and self._errors == other._errors

    def __hash__(self) -> int:
        return hash((Invalid, self._errors))

    @property
    def value(self) -> NoReturn:
        raise UnwrapError(
            f"Cannot read .value of {self!r}: it is invalid. Match on Valid/Invalid, "
            "or check is_valid(validation), before reading the value."
        )

    @property
    def errors(self) -> tuple[E_co, ...]:
        return self._errors

    def is_valid(self) -> bool:
        return False

    def is_invalid(self) -> bool:
        return True


def _checked(validation: Validation[T, E]) -> _Checked[T, E]:
    if isinstance(validation, (Valid, Invalid)):
        return validation
    raise TypeError(f"expected Valid or Invalid, got {type(validation).__name__}")


def is_valid(validation: Validation[T, E]) -> TypeIs[Valid[T, E]]:
    """Whether ``validation`` is valid; narrows it to ``Valid`` for type checkers."""
    return isinstance(validation, Valid)


def is_invalid(validation: Validation[T, E]) -> TypeIs[Invalid[T, E]]:
    """Whether ``validation`` is invalid; narrows it to ``Invalid`` for type checkers."""
    return isinstance(validation, Invalid)
