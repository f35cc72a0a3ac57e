"""What the functional types cost against the plain Python they replace, measured in one run.

Run with ``make bench``. Prints nanoseconds per operation and the ratio to the baseline; the
figures are for reading, not asserting (the machines are shared and noisy).
"""

from __future__ import annotations

import timeit
from collections.abc import Callable

from django_functionalkit import Failure, Option, Result, Success
from django_functionalkit.errors import NotFound

USERS = {1: "ada", 2: "grace"}


def add_one(x: int) -> int:
    return x + 1


def plain_lookup(user_id: int) -> str | None:
    name = USERS.get(user_id)
    return name.upper() if name is not None else None


def option_lookup(user_id: int) -> Result[str, NotFound]:
    return Option.of(USERS.get(user_id)).to_result(NotFound("missing")).map(str.upper)


def plain_chain(x: int) -> int:
    return add_one(add_one(add_one(x)))


def result_chain(x: int) -> Result[int, str]:
    return Success(x).map(add_one).map(add_one).map(add_one)


def plain_skip(x: int | None) -> int | None:
    return None if x is None else add_one(add_one(add_one(x)))


def failure_chain(x: int) -> Result[int, str]:
    # The failure side skips the steps, yet checks each is not async (as the success side does).
    missing: Result[int, str] = Failure("missing")
    return missing.map(add_one).map(add_one).map(add_one)


def plain_guard(x: int) -> int | str:
    if x < 0:
        return "negative"
    return add_one(x)


def result_guard(x: int) -> Result[int, str]:
    return Success(x).ensure(lambda v: v >= 0, "negative").map(add_one)


def ns_per_call(fn: Callable[[], object], number: int = 200_000) -> float:
    best = min(timeit.repeat(fn, number=number, repeat=5))
    return best / number * 1e9


CASES: list[tuple[str, Callable[[], object], Callable[[], object]]] = [
    ("lookup + to_result + map", lambda: plain_lookup(1), lambda: option_lookup(1)),
    ("lookup, missing", lambda: plain_lookup(9), lambda: option_lookup(9)),
    ("3 maps", lambda: plain_chain(1), lambda: result_chain(1)),
    ("3 maps skipped by a failure", lambda: plain_skip(None), lambda: failure_chain(1)),
    ("ensure + map", lambda: plain_guard(1), lambda: result_guard(1)),
    ("construct", lambda: (1,), lambda: Failure(1)),
]


def main() -> None:
    print(f"{'case':28} {'plain ns':>10} {'typed ns':>10} {'ratio':>7}")
    for name, plain, typed in CASES:
        base = ns_per_call(plain)
        cost = ns_per_call(typed)
        print(f"{name:28} {base:10.0f} {cost:10.0f} {cost / base:7.2f}")


if __name__ == "__main__":
    main()
