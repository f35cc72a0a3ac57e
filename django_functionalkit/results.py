"""``Result``: a value or an error, as a value. ``Success(value)`` or ``Failure(error)``.

Sync steps chain on a ``Result``; async steps (``amap``, ``athen``, ...) return an
``AsyncResult``, which has the same methods and is awaited once at the end of the chain.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Generator, Iterable
from functools import partial
from types import CoroutineType, FrameType, FunctionType, MethodType
from typing import Any, Final, Generic, Never, NoReturn, TypeAlias, cast, overload

from typing_extensions import TypeIs, TypeVar

from .errors import UnwrapError

__all__ = [
    "AsyncResult",
    "Failure",
    "Result",
    "Success",
    "is_failure",
    "is_success",
    "partition",
]

T = TypeVar("T")
E = TypeVar("E")
U = TypeVar("U")
V = TypeVar("V")
F = TypeVar("F")
X = TypeVar("X", bound=BaseException)
# Defaults (PEP 696): a bare Success(x) has no error type, a bare Failure(e) no value type,
# and type checkers read the missing one as Never instead of Unknown.
T_co = TypeVar("T_co", covariant=True, default=Never)
E_co = TypeVar("E_co", covariant=True, default=Never)

# What the library's own signatures return: the union of the two variants, so that `match`,
# isinstance and `assert_never` narrow it in every type checker. Users annotate with
# Result[T, E]; the mypy plugin (django_functionalkit.mypy_plugin) reads that as this union.
_Either: TypeAlias = "Success[T, E] | Failure[T, E]"


class Result(Generic[T_co, E_co]):
    """A value (``Success``) or an error (``Failure``). Construct the variants, not this."""

    __slots__ = ()

    # Reading the wrong side raises UnwrapError; narrow first (match, isinstance, is_success).
    @property
    def value(self) -> T_co:
        raise NotImplementedError

    @property
    def error(self) -> E_co:
        raise NotImplementedError

    def is_success(self) -> bool:
        """Whether this is a ``Success``; ``is_success(result)`` also narrows the type."""
        raise NotImplementedError

    def is_failure(self) -> bool:
        """Whether this is a ``Failure``; ``is_failure(result)`` also narrows the type."""
        raise NotImplementedError

    # -- sync railway ------------------------------------------------------------------------

    def map(self, fn: Callable[[T_co], U]) -> _Either[U, E_co]:
        """Transform the value of a success."""
        raise NotImplementedError

    def map_error(self, fn: Callable[[E_co], F]) -> _Either[T_co, F]:
        """Transform the error of a failure."""
        raise NotImplementedError

    def then(self, fn: Callable[[T_co], Result[U, F]]) -> _Either[U, E_co | F]:
        """Continue with a step that may fail itself (bind)."""
        raise NotImplementedError

    def ensure(self, predicate: Callable[[T_co], bool], error: F) -> _Either[T_co, E_co | F]:
        """Keep a success whose value passes ``predicate``; fail with ``error`` otherwise."""
        raise NotImplementedError

    then_if = ensure

    def tap(self, fn: Callable[[T_co], object]) -> _Either[T_co, E_co]:
        """Run a side effect with the value of a success; the result is unchanged."""
        raise NotImplementedError

    then_do = tap

    def tap_error(self, fn: Callable[[E_co], object]) -> _Either[T_co, E_co]:
        """Run a side effect with the error of a failure; the result is unchanged."""
        raise NotImplementedError

    def recover(self, fn: Callable[[E_co], U]) -> _Either[T_co | U, Never]:
        """Turn a failure into a success with the value ``fn(error)``."""
        raise NotImplementedError

    def unwrap_or(self, default: U) -> T_co | U:
        """The value of a success, else ``default``."""
        raise NotImplementedError

    def unwrap_or_else(self, fn: Callable[[E_co], U]) -> T_co | U:
        """The value of a success, else ``fn(error)``."""
        raise NotImplementedError

    def match(self, *, on_success: Callable[[T_co], U], on_failure: Callable[[E_co], V]) -> U | V:
        """Call ``on_success`` with the value or ``on_failure`` with the error."""
        raise NotImplementedError

    # -- async railway: each returns an AsyncResult, awaited once at the end -----------------

    def amap(self, fn: Callable[[T_co], Awaitable[U]]) -> AsyncResult[U, E_co]:
        """``map`` with a coroutine function."""
        return AsyncResult(_amap(self, fn))

    def amap_error(self, fn: Callable[[E_co], Awaitable[F]]) -> AsyncResult[T_co, F]:
        """``map_error`` with a coroutine function."""
        return AsyncResult(_amap_error(self, fn))

    def athen(self, fn: Callable[[T_co], Awaitable[Result[U, F]]]) -> AsyncResult[U, E_co | F]:
        """``then`` with a coroutine function."""
        return AsyncResult(_athen(self, fn))

    def aensure(
        self, predicate: Callable[[T_co], Awaitable[bool]], error: F
    ) -> AsyncResult[T_co, E_co | F]:
        """``ensure`` with a coroutine predicate."""
        return AsyncResult(_aensure(self, predicate, error))

    athen_if = aensure

    def atap(self, fn: Callable[[T_co], Awaitable[object]]) -> AsyncResult[T_co, E_co]:
        """``tap`` with a coroutine function."""
        return AsyncResult(_atap(self, fn))

    athen_do = atap

    def atap_error(self, fn: Callable[[E_co], Awaitable[object]]) -> AsyncResult[T_co, E_co]:
        """``tap_error`` with a coroutine function."""
        return AsyncResult(_atap_error(self, fn))

    def arecover(self, fn: Callable[[E_co], Awaitable[U]]) -> AsyncResult[T_co | U, Never]:
        """``recover`` with a coroutine function."""
        return AsyncResult(_arecover(self, fn))

    async def amatch(
        self,
        *,
        on_success: Callable[[T_co], Awaitable[U]],
        on_failure: Callable[[E_co], Awaitable[V]],
    ) -> U | V:
        """``match`` with coroutine functions."""
        if isinstance(self, Success):
            return await on_success(self.value)
        return await on_failure(self.error)

    # -- building results --------------------------------------------------------------------

    @overload
    @staticmethod
    def from_call(fn: Callable[[], U]) -> _Either[U, Exception]: ...

    @overload
    @staticmethod
    def from_call(fn: Callable[[], U], *exception_types: type[X]) -> _Either[U, X]: ...

    @staticmethod
    def from_call(
        fn: Callable[[], Any], *exception_types: type[BaseException]
    ) -> _Either[Any, Any]:
        """Call ``fn``; a raised exception of the given types (default ``Exception``) fails."""
        catch = exception_types or (Exception,)
        try:
            value = fn()
        except catch as exc:
            return Failure(exc)
        if type(value) is CoroutineType:
            raise _async_step("from_call", fn, value)
        return Success(value)

    @overload
    @staticmethod
    def afrom_call(fn: Callable[[], Awaitable[U]]) -> AsyncResult[U, Exception]: ...

    @overload
    @staticmethod
    def afrom_call(
        fn: Callable[[], Awaitable[U]], *exception_types: type[X]
    ) -> AsyncResult[U, X]: ...

    @staticmethod
    def afrom_call(
        fn: Callable[[], Awaitable[Any]], *exception_types: type[BaseException]
    ) -> AsyncResult[Any, Any]:
        """``from_call`` for a coroutine function."""
        return AsyncResult(_afrom_call(fn, exception_types or (Exception,)))

    @staticmethod
    def all(results: Iterable[Result[T, E]]) -> _Either[list[T], list[E]]:
        """Every value if all succeeded, else every error (not just the first)."""
        values, errors = partition(results)
        if errors:
            return Failure(errors)
        return Success(values)


class Success(Result[T_co, E_co]):
    """The success variant: holds ``value``."""

    __slots__ = ("_value",)
    __match_args__: Final = ("value",)

    def __init__(self, value: T_co) -> None:
        self._value = value

    def __repr__(self) -> str:
        return f"Success({self._value!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Success) and self._value == other._value

    def __hash__(self) -> int:
        return hash((Success, self._value))

    @property
    def value(self) -> T_co:
        return self._value

    @property
    def error(self) -> NoReturn:
        raise UnwrapError(f"Cannot read .error of {self!r}: it succeeded. Read .value instead.")

    def is_success(self) -> bool:
        return True

    def is_failure(self) -> bool:
        return False

    # Each step refuses an async function: by its result where it calls it (cheap), by its
    # declaration where it does not, so both variants refuse it alike.

    def map(self, fn: Callable[[T_co], U]) -> _Either[U, E_co]:
        value = fn(self._value)
        if type(value) is CoroutineType:
            raise _async_step("map", fn, value)
        return Success(value)

    def map_error(self: Success[T_co, Any], fn: Callable[[E_co], F]) -> _Either[T_co, F]:
        if is_async(fn):
            raise _async_step("map_error", fn)
        return self  # the error type of a success is only a type

    def then(self, fn: Callable[[T_co], Result[U, F]]) -> _Either[U, E_co | F]:
        result = fn(self._value)
        if isinstance(result, (Success, Failure)):
            return result
        raise _not_a_result("then", fn, result)

    def ensure(self, predicate: Callable[[T_co], bool], error: F) -> _Either[T_co, E_co | F]:
        passed: object = predicate(self._value)  # object: an async predicate is a mistake here
        if type(passed) is CoroutineType:
            raise _async_step("ensure", predicate, passed)
        if passed:
            return self
        return Failure(error)

    then_if = ensure

    def tap(self, fn: Callable[[T_co], object]) -> _Either[T_co, E_co]:
        done = fn(self._value)
        if type(done) is CoroutineType:
            raise _async_step("tap", fn, done)
        return self

    then_do = tap

    def tap_error(self, fn: Callable[[E_co], object]) -> _Either[T_co, E_co]:
        if is_async(fn):
            raise _async_step("tap_error", fn)
        return self

    def recover(self, fn: Callable[[E_co], U]) -> _Either[T_co | U, Never]:
        if is_async(fn):
            raise _async_step("recover", fn)
        return Success(self._value)

    def unwrap_or(self, default: U) -> T_co | U:
        return self._value

    def unwrap_or_else(self, fn: Callable[[E_co], U]) -> T_co | U:
        if is_async(fn):
            raise _async_step("unwrap_or_else", fn)
        return self._value

    def match(self, *, on_success: Callable[[T_co], U], on_failure: Callable[[E_co], V]) -> U | V:
        if is_async(on_failure):
            raise _async_step("match", on_failure)
        out = on_success(self._value)
        if type(out) is CoroutineType:
            raise _async_step("match", on_success, out)
        return out


class Failure(Result[T_co, E_co]):
    """The failure variant: holds ``error``."""

    __slots__ = ("_error",)
    __match_args__: Final = ("error",)

    def __init__(self, error: E_co) -> None:
        self._error = error

    def __repr__(self) -> str:
        return f"Failure({self._error!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Failure) and self._error == other._error

    def __hash__(self) -> int:
        return hash((Failure, self._error))

    @property
    def value(self) -> NoReturn:
        raise UnwrapError(
            f"Cannot read .value of {self!r}: it failed. Match on Success/Failure, "
            "or check is_success(result), before reading the value."
        )

    @property
    def error(self) -> E_co:
        return self._error

    def is_success(self) -> bool:
        return False

    def is_failure(self) -> bool:
        return True

    def map(self: Failure[Any, E_co], fn: Callable[[T_co], U]) -> _Either[U, E_co]:
        if is_async(fn):
            raise _async_step("map", fn)
        return self  # the value type of a failure is only a type

    def map_error(self, fn: Callable[[E_co], F]) -> _Either[T_co, F]:
        error = fn(self._error)
        if type(error) is CoroutineType:
            raise _async_step("map_error", fn, error)
        return Failure(error)

    def then(self: Failure[Any, E_co], fn: Callable[[T_co], Result[U, F]]) -> _Either[U, E_co | F]:
        if is_async(fn):
            raise _async_step("then", fn)
        return self

    def ensure(self, predicate: Callable[[T_co], bool], error: F) -> _Either[T_co, E_co | F]:
        if is_async(predicate):
            raise _async_step("ensure", predicate)
        return self

    then_if = ensure

    def tap(self, fn: Callable[[T_co], object]) -> _Either[T_co, E_co]:
        if is_async(fn):
            raise _async_step("tap", fn)
        return self

    then_do = tap

    def tap_error(self, fn: Callable[[E_co], object]) -> _Either[T_co, E_co]:
        done = fn(self._error)
        if type(done) is CoroutineType:
            raise _async_step("tap_error", fn, done)
        return self

    def recover(self, fn: Callable[[E_co], U]) -> _Either[T_co | U, Never]:
        value = fn(self._error)
        if type(value) is CoroutineType:
            raise _async_step("recover", fn, value)
        return Success(value)

    def unwrap_or(self, default: U) -> T_co | U:
        return default

    def unwrap_or_else(self, fn: Callable[[E_co], U]) -> T_co | U:
        value = fn(self._error)
        if type(value) is CoroutineType:
            raise _async_step("unwrap_or_else", fn, value)
        return value

    def match(self, *, on_success: Callable[[T_co], U], on_failure: Callable[[E_co], V]) -> U | V:
        if is_async(on_success):
            raise _async_step("match", on_success)
        out = on_failure(self._error)
        if type(out) is CoroutineType:
            raise _async_step("match", on_failure, out)
        return out


_UNSET: Any = object()


class AsyncResult(Generic[T_co, E_co]):
    """A ``Result`` still being computed: the same railway methods, then ``await`` it once.

    ``await Success(cmd).then(validate).athen(reserve).athen(pay).map(to_dto)`` runs the
    steps in order and gives the final ``Result``. Awaiting it again gives the same result.
    """

    __slots__ = ("_awaitable", "_error", "_result", "_waiters")

    def __init__(self, awaitable: Awaitable[_Either[T_co, E_co]]) -> None:
        self._awaitable = awaitable
        self._result: _Either[T_co, E_co] = _UNSET
        self._error: BaseException | None = None
        # None: not started; a list: running, with the futures of other awaiters to wake.
        self._waiters: list[asyncio.Future[_Either[T_co, E_co]]] | None = None

    def __repr__(self) -> str:
        state = "pending" if self._result is _UNSET else repr(self._result)
        return f"<AsyncResult {state}>"

    def __await__(self) -> Generator[Any, Any, _Either[T_co, E_co]]:
        return self._resolve().__await__()

    async def _resolve(self) -> _Either[T_co, E_co]:
        if self._result is not _UNSET:
            return self._result
        if self._error is not None:
            raise self._error
        if self._waiters is not None:  # another awaiter is running the steps: wait for it
            waiter: asyncio.Future[_Either[T_co, E_co]] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            return await waiter
        self._waiters = []
        try:
            self._result = await self._awaitable
        except BaseException as exc:
            self._error = exc
            for waiter in self._waiters:
                if not waiter.done():
                    waiter.set_exception(exc)
            raise
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(self._result)
        return self._result

    def _sync(self, step: Callable[[_Either[T_co, E_co]], _Either[U, F]]) -> AsyncResult[U, F]:
        return AsyncResult(_after(self, step))

    def _async(
        self, step: Callable[[_Either[T_co, E_co]], Awaitable[_Either[U, F]]]
    ) -> AsyncResult[U, F]:
        return AsyncResult(_aafter(self, step))

    # -- the same railway as Result ----------------------------------------------------------

    def map(self, fn: Callable[[T_co], U]) -> AsyncResult[U, E_co]:
        return self._sync(lambda r: r.map(fn))

    def map_error(self, fn: Callable[[E_co], F]) -> AsyncResult[T_co, F]:
        return self._sync(lambda r: r.map_error(fn))

    def then(self, fn: Callable[[T_co], Result[U, F]]) -> AsyncResult[U, E_co | F]:
        return self._sync(lambda r: r.then(fn))

    def ensure(self, predicate: Callable[[T_co], bool], error: F) -> AsyncResult[T_co, E_co | F]:
        return self._sync(lambda r: r.ensure(predicate, error))

    then_if = ensure

    def tap(self, fn: Callable[[T_co], object]) -> AsyncResult[T_co, E_co]:
        return self._sync(lambda r: r.tap(fn))

    then_do = tap

    def tap_error(self, fn: Callable[[E_co], object]) -> AsyncResult[T_co, E_co]:
        return self._sync(lambda r: r.tap_error(fn))

    def recover(self, fn: Callable[[E_co], U]) -> AsyncResult[T_co | U, Never]:
        return self._sync(lambda r: r.recover(fn))

    def amap(self, fn: Callable[[T_co], Awaitable[U]]) -> AsyncResult[U, E_co]:
        return self._async(lambda r: r.amap(fn))

    def amap_error(self, fn: Callable[[E_co], Awaitable[F]]) -> AsyncResult[T_co, F]:
        return self._async(lambda r: r.amap_error(fn))

    def athen(self, fn: Callable[[T_co], Awaitable[Result[U, F]]]) -> AsyncResult[U, E_co | F]:
        return self._async(lambda r: r.athen(fn))

    def aensure(
        self, predicate: Callable[[T_co], Awaitable[bool]], error: F
    ) -> AsyncResult[T_co, E_co | F]:
        return self._async(lambda r: r.aensure(predicate, error))

    athen_if = aensure

    def atap(self, fn: Callable[[T_co], Awaitable[object]]) -> AsyncResult[T_co, E_co]:
        return self._async(lambda r: r.atap(fn))

    athen_do = atap

    def atap_error(self, fn: Callable[[E_co], Awaitable[object]]) -> AsyncResult[T_co, E_co]:
        return self._async(lambda r: r.atap_error(fn))

    def arecover(self, fn: Callable[[E_co], Awaitable[U]]) -> AsyncResult[T_co | U, Never]:
        return self._async(lambda r: r.arecover(fn))

    # -- ends of the chain: coroutines ----------------------------------------------------------

    async def is_success(self) -> bool:
        return (await self).is_success()

    async def is_failure(self) -> bool:
        return (await self).is_failure()

    async def unwrap_or(self, default: U) -> T_co | U:
        return (await self).unwrap_or(default)

    async def unwrap_or_else(self, fn: Callable[[E_co], U]) -> T_co | U:
        return (await self).unwrap_or_else(fn)

    async def match(
        self, *, on_success: Callable[[T_co], U], on_failure: Callable[[E_co], V]
    ) -> U | V:
        return (await self).match(on_success=on_success, on_failure=on_failure)

    async def amatch(
        self,
        *,
        on_success: Callable[[T_co], Awaitable[U]],
        on_failure: Callable[[E_co], Awaitable[V]],
    ) -> U | V:
        return await (await self).amatch(on_success=on_success, on_failure=on_failure)


def is_success(result: Result[T, E]) -> TypeIs[Success[T, E]]:
    """Whether ``result`` succeeded; narrows it to ``Success`` for type checkers."""
    return isinstance(result, Success)


def is_failure(result: Result[T, E]) -> TypeIs[Failure[T, E]]:
    """Whether ``result`` failed; narrows it to ``Failure`` for type checkers."""
    return isinstance(result, Failure)


def partition(results: Iterable[Result[T, E]]) -> tuple[list[T], list[E]]:
    """Split results into the values of the successes and the errors of the failures."""
    values: list[T] = []
    errors: list[E] = []
    for result in results:
        if isinstance(result, Success):
            values.append(result.value)
        elif isinstance(result, Failure):
            errors.append(result.error)
        else:
            raise TypeError(f"partition() takes Results, got {type(result).__name__}")
    return values, errors


def _either(result: Result[T, E]) -> _Either[T, E]:
    if isinstance(result, (Success, Failure)):
        return result
    raise TypeError(f"expected Success or Failure, got {type(result).__name__}")


# -- sync steps refuse async functions -------------------------------------------------------------

# The attribute markcoroutinefunction sets on a plain function that returns an awaitable
# (asgiref's before Python 3.12, inspect's since): Django and asgiref mark theirs so.
_MARK: Final = (
    "_is_coroutine_marker" if hasattr(inspect, "markcoroutinefunction") else "_is_coroutine"
)
_CO_COROUTINE: Final = inspect.CO_COROUTINE

# What to use instead of a sync step given an async function: Result's async railway.
_ASYNC_RAILWAY: Final = {
    "unwrap_or_else": "arecover() and read .value",
    "from_call": "afrom_call()",
    "match": "amatch()",
}


def is_async(fn: object) -> bool:
    """Whether ``fn`` is declared async: ``async def`` (a function, a method, a
    ``functools.partial`` of one, an object's ``__call__``) or marked as such by
    ``markcoroutinefunction``. Cheap: no ``inspect`` on the way of a plain function."""
    if type(fn) is FunctionType:  # the common case first: a def or a lambda
        return bool(fn.__code__.co_flags & _CO_COROUTINE) or hasattr(fn, _MARK)
    target: Any = fn
    kind = type(target)
    while kind is MethodType or kind is partial:
        target = target.__func__ if kind is MethodType else target.func
        kind = type(target)
    if kind is FunctionType:
        return is_async(target)
    call = getattr(kind, "__call__", None)  # noqa: B004 - builtins and classes: a C-level one
    return type(call) is FunctionType and (is_async(call) or hasattr(target, _MARK))


def _async_step(
    method: str, fn: object, returned: object = None, *, instead: str | None = None
) -> TypeError:
    """The refusal of an async function by the sync step ``method`` (closing what it returned)."""
    if returned is not None:
        _discard(returned)
    name = getattr(fn, "__qualname__", None) or repr(fn)
    declared = returned is None or is_async(fn)
    what = f"{name} is async" if declared else f"{name} returned an awaitable"
    if instead is None:
        instead = _ASYNC_RAILWAY.get(method, f"a{method}()") + " for async steps"
    return TypeError(f"{method}() takes a plain function, and {what}: use {instead}.")


def _not_a_result(method: str, fn: Callable[..., object], returned: object) -> TypeError:
    name = getattr(fn, "__qualname__", repr(fn))
    if inspect.isawaitable(returned):
        return _async_step(method, fn, returned)
    return TypeError(
        f"{method}() expects {name} to return a Result, got {type(returned).__name__}: "
        "return Success(...) or Failure(...), or use map() for a plain value."
    )


def _discard(awaitable: object) -> None:
    """Close a step that will never run, and the steps it holds, so none warns "never awaited"."""
    if isinstance(awaitable, AsyncResult):
        awaitable = awaitable._awaitable
    if inspect.iscoroutine(awaitable):
        frame: FrameType | None = awaitable.cr_frame  # None once it has finished
        held = list(frame.f_locals.values()) if frame else []
        awaitable.close()
        for value in held:
            if isinstance(value, AsyncResult) or inspect.iscoroutine(value):
                _discard(value)


# The coroutines behind the async methods. Module functions rather than methods, so that the
# hot sync classes stay small; each resolves one step.


async def _call(fn: Callable[[T], Awaitable[U]], arg: T) -> U:
    # A plain function is accepted too, so a chain can mix sync and async steps freely.
    out: Any = fn(arg)  # Any: a plain function is accepted at run time as well
    if inspect.isawaitable(out):
        out = await out
    return cast("U", out)


async def _amap(r: Result[T, E], fn: Callable[[T], Awaitable[U]]) -> _Either[U, E]:
    return Success(await _call(fn, r.value)) if isinstance(r, Success) else Failure(r.error)


async def _amap_error(r: Result[T, E], fn: Callable[[E], Awaitable[F]]) -> _Either[T, F]:
    return Failure(await _call(fn, r.error)) if isinstance(r, Failure) else Success(r.value)


async def _athen(r: Result[T, E], fn: Callable[[T], Awaitable[Result[U, F]]]) -> _Either[U, E | F]:
    if not isinstance(r, Success):
        return Failure(r.error)
    result = await _call(fn, r.value)
    if isinstance(result, (Success, Failure)):
        return result
    raise _not_a_result("athen", fn, result)


async def _aensure(
    r: Result[T, E], predicate: Callable[[T], Awaitable[bool]], error: F
) -> _Either[T, E | F]:
    if isinstance(r, Success) and not await _call(predicate, r.value):
        return Failure(error)
    return _either(r)


async def _atap(r: Result[T, E], fn: Callable[[T], Awaitable[object]]) -> _Either[T, E]:
    if isinstance(r, Success):
        await _call(fn, r.value)
    return _either(r)


async def _atap_error(r: Result[T, E], fn: Callable[[E], Awaitable[object]]) -> _Either[T, E]:
    if isinstance(r, Failure):
        await _call(fn, r.error)
    return _either(r)


async def _arecover(r: Result[T, E], fn: Callable[[E], Awaitable[U]]) -> _Either[T | U, Never]:
    return Success(await _call(fn, r.error)) if isinstance(r, Failure) else Success(r.value)


async def _afrom_call(
    fn: Callable[[], Awaitable[T]], catch: tuple[type[BaseException], ...]
) -> _Either[T, Any]:
    try:
        out: Any = fn()
        return Success(await out if inspect.isawaitable(out) else out)
    except catch as exc:
        return Failure(exc)


async def _after(
    source: AsyncResult[T, E], step: Callable[[_Either[T, E]], _Either[U, F]]
) -> _Either[U, F]:
    return step(await source)


async def _aafter(
    source: AsyncResult[T, E], step: Callable[[_Either[T, E]], Awaitable[_Either[U, F]]]
) -> _Either[U, F]:
    return await step(await source)
