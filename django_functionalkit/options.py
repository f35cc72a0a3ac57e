"""``Option``: a value that may be absent. ``Some(value)`` or ``Nothing()``, never ``None``.

``Nothing`` is a class with one instance: ``Nothing()`` returns it, and ``case Nothing():``
matches it (a bare ``case Nothing:`` would capture anything).
"""

from __future__ import annotations

from collections.abc import Callable
from types import CoroutineType
from typing import TYPE_CHECKING, Any, Final, Generic, Never, NoReturn, TypeAlias, TypeVar, cast

from typing_extensions import TypeIs

from .errors import UnwrapError
from .results import Failure, Success, _async_step, is_async

if TYPE_CHECKING:
    from .results import _Either

__all__ = ["Nothing", "Option", "Some", "is_nothing", "is_some"]

T = TypeVar("T")
U = TypeVar("U")
F = TypeVar("F")
T_co = TypeVar("T_co", covariant=True)

# What the library's own signatures return: the union of the two variants (see results._Either).
_Maybe: TypeAlias = "Some[T] | Nothing"

# Option has no async steps: an async function goes through Result's async railway.
_INSTEAD: Final = {
    "map": "to_result(error).amap(...)",
    "then": "to_result(error).athen(...)",
    "filter": "to_result(error).aensure(...)",
    "if_present": "to_result(error).atap(...)",
    "or_else_get": "or_else(None) and await the call when that is None",
    "unwrap_or_raise": "an exception, or a plain function that returns one",
}


def _refused(method: str, fn: object, returned: object = None) -> TypeError:
    return _async_step(method, fn, returned, instead=_INSTEAD[method])


def _async_factory(exc: object) -> bool:
    return exc is not None and not isinstance(exc, BaseException) and is_async(exc)


class Option(Generic[T_co]):
    """A value (``Some``) or its absence (``Nothing()``). Build one with ``Option.of(x)``."""

    __slots__ = ()

    @staticmethod
    def of(value: T | None) -> _Maybe[T]:
        """``Some(value)``, or ``Nothing()`` when ``value`` is ``None``."""
        return _NOTHING if value is None else Some(value)

    @property
    def value(self) -> T_co:
        raise NotImplementedError

    def is_some(self) -> bool:
        """Whether a value is present; ``is_some(option)`` also narrows the type."""
        raise NotImplementedError

    def is_nothing(self) -> bool:
        """Whether the value is absent; ``is_nothing(option)`` also narrows the type."""
        raise NotImplementedError

    def map(self, fn: Callable[[T_co], U | None]) -> _Maybe[U]:
        """Transform a present value; a ``None`` result becomes ``Nothing()``."""
        raise NotImplementedError

    def then(self, fn: Callable[[T_co], Option[U]]) -> _Maybe[U]:
        """Continue with a step that may itself find nothing (bind)."""
        raise NotImplementedError

    def filter(self, predicate: Callable[[T_co], bool]) -> _Maybe[T_co]:
        """Keep a present value only if it passes ``predicate``."""
        raise NotImplementedError

    def or_else(self, default: U) -> T_co | U:
        """The value, else ``default``."""
        raise NotImplementedError

    def or_else_get(self, fn: Callable[[], U]) -> T_co | U:
        """The value, else ``fn()`` (called only when needed)."""
        raise NotImplementedError

    def unwrap_or_raise(
        self, exc: BaseException | Callable[[], BaseException] | None = None
    ) -> T_co:
        """The value, else raise ``exc`` (an exception or a factory of one; default UnwrapError)."""
        raise NotImplementedError

    def to_result(self, error: F) -> _Either[T_co, F]:
        """``Success(value)``, else ``Failure(error)``."""
        raise NotImplementedError

    def if_present(self, fn: Callable[[T_co], object]) -> _Maybe[T_co]:
        """Run ``fn`` with a present value; the option is unchanged."""
        raise NotImplementedError


class Some(Option[T_co]):
    """A present value."""

    __slots__ = ("_value",)
    __match_args__: Final = ("value",)

    def __init__(self, value: T_co) -> None:
        if value is None:
            raise TypeError("Some(None) is not an option: use Option.of(value) or Nothing().")
        self._value = value

    def __repr__(self) -> str:
        return f"Some({self._value!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Some) and self._value == other._value

    def __hash__(self) -> int:
        return hash((Some, self._value))

    def __bool__(self) -> bool:
        return True

    @property
    def value(self) -> T_co:
        return self._value

    def is_some(self) -> bool:
        return True

    def is_nothing(self) -> bool:
        return False

    # Each step refuses an async function: by its result where it calls it, by its declaration
    # where it does not, so both variants refuse it alike.

    def map(self, fn: Callable[[T_co], U | None]) -> _Maybe[U]:
        value = fn(self._value)
        if type(value) is CoroutineType:
            raise _refused("map", fn, value)
        return _NOTHING if value is None else Some(value)

    def then(self, fn: Callable[[T_co], Option[U]]) -> _Maybe[U]:
        option: object = fn(self._value)  # object: a plain value or a coroutine is refused
        if isinstance(option, (Some, Nothing)):
            return option
        if type(option) is CoroutineType:
            raise _refused("then", fn, option)
        raise TypeError(
            f"then() expects {getattr(fn, '__qualname__', fn)} to return an Option, "
            f"got {type(option).__name__}: use map() for a plain value."
        )

    def filter(self, predicate: Callable[[T_co], bool]) -> _Maybe[T_co]:
        passed: object = predicate(self._value)  # object: an async predicate is a mistake here
        if type(passed) is CoroutineType:
            raise _refused("filter", predicate, passed)
        return self if passed else _NOTHING

    def or_else(self, default: U) -> T_co | U:
        return self._value

    def or_else_get(self, fn: Callable[[], U]) -> T_co | U:
        if is_async(fn):
            raise _refused("or_else_get", fn)
        return self._value

    def unwrap_or_raise(
        self, exc: BaseException | Callable[[], BaseException] | None = None
    ) -> T_co:
        if _async_factory(exc):
            raise _refused("unwrap_or_raise", exc)
        return self._value

    def to_result(self, error: F) -> _Either[T_co, F]:
        return Success(self._value)

    def if_present(self, fn: Callable[[T_co], object]) -> _Maybe[T_co]:
        done = fn(self._value)
        if type(done) is CoroutineType:
            raise _refused("if_present", fn, done)
        return self


class Nothing(Option[Never]):
    """The absent value. ``Nothing()`` always returns the same instance."""

    __slots__ = ()
    __match_args__: Final = ()
    _instance: Nothing | None = None

    def __new__(cls) -> Nothing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "Nothing()"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Nothing, ())

    def __bool__(self) -> bool:
        return False

    @property
    def value(self) -> NoReturn:
        raise UnwrapError(
            "Cannot read .value of Nothing(): there is no value. Match on Some/Nothing, "
            "or use or_else(...), before reading it."
        )

    def is_some(self) -> bool:
        return False

    def is_nothing(self) -> bool:
        return True

    def map(self, fn: Callable[[Never], object]) -> Nothing:
        if is_async(fn):
            raise _refused("map", fn)
        return self

    def then(self, fn: Callable[[Never], object]) -> Nothing:
        if is_async(fn):
            raise _refused("then", fn)
        return self

    def filter(self, predicate: Callable[[Never], bool]) -> Nothing:
        if is_async(predicate):
            raise _refused("filter", predicate)
        return self

    def or_else(self, default: U) -> U:
        return default

    def or_else_get(self, fn: Callable[[], U]) -> U:
        value = fn()
        if type(value) is CoroutineType:
            raise _refused("or_else_get", fn, value)
        return value

    def unwrap_or_raise(
        self, exc: BaseException | Callable[[], BaseException] | None = None
    ) -> NoReturn:
        if exc is None:
            raise UnwrapError("Expected a value, found Nothing().")
        if isinstance(exc, BaseException):
            raise exc
        made: object = exc()
        if type(made) is CoroutineType:
            raise _refused("unwrap_or_raise", exc, made)
        raise cast("BaseException", made)

    def to_result(self, error: F) -> _Either[Never, F]:
        return Failure(error)

    def if_present(self, fn: Callable[[Never], object]) -> Nothing:
        if is_async(fn):
            raise _refused("if_present", fn)
        return self


_NOTHING: Final = Nothing()


def is_some(option: Option[T]) -> TypeIs[Some[T]]:
    """Whether ``option`` holds a value; narrows it to ``Some`` for type checkers."""
    return isinstance(option, Some)


def is_nothing(option: Option[T]) -> TypeIs[Nothing]:
    """Whether ``option`` is ``Nothing()``; narrows it for type checkers."""
    return option is _NOTHING
