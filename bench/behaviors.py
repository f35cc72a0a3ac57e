"""The built-in behaviors against their baselines, measured in one run.

Run with ``make bench`` (which starts Redis for the Redis row; without FK_REDIS_URL the row is
left out and says so). Prints microseconds per call and the ratio to the baseline:

- the default stack around a query none of its behaviors applies to, against an empty
  pipeline: it must cost the same;
- a cache hit on the local-memory cache and on Redis, against one plain ``cache.get`` on the
  same cache (the least any hit costs);
- an audited command (audit + transaction), against the same command with no behavior.
"""

from __future__ import annotations

import os
import sys
import timeit
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import django
from django.conf import settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
REDIS_URL = os.environ.get("FK_REDIS_URL", "")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    CACHES["redis"] = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL}
settings.configure(
    INSTALLED_APPS=[
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django_functionalkit.apps.FunctionalKitSimpleConfig",
    ],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    CACHES=CACHES,
    USE_TZ=True,
)
django.setup()

from django.contrib.auth.models import Group  # noqa: E402 - Django must be set up first
from django.core.cache import caches  # noqa: E402
from django.core.management import call_command  # noqa: E402

from django_functionalkit import (  # noqa: E402
    Cacheable,
    Command,
    Messenger,
    Query,
    Result,
    Success,
)
from django_functionalkit.conf import DEFAULTS  # noqa: E402
from django_functionalkit.registry import Registry, make_spec  # noqa: E402

NUMBER = 20_000


@dataclass(frozen=True)
class GetPrice(Query[int]):
    product_id: int


@dataclass(frozen=True)
class GetCachedPrice(Query[int], Cacheable):
    product_id: int

    @property
    def cache_key(self) -> str:
        return f"price:{self.product_id}"


@dataclass(frozen=True)
class GetRedisPrice(GetCachedPrice):
    cache_alias = "redis"


@dataclass(frozen=True)
class RenameTeam(Command[Result[int, str]]):
    team_id: int
    name: str


def get_price(query: GetPrice) -> int:
    return query.product_id * 100


def get_cached_price(query: GetCachedPrice) -> int:
    return query.product_id * 100


def rename_team(command: RenameTeam) -> Result[int, str]:
    return Success(Group.objects.filter(pk=command.team_id).update(name=command.name))


def messenger_with(behaviors: list[str]) -> Messenger:
    registry = Registry()
    for target in (get_price, get_cached_price, rename_team):
        registry.register(make_spec(target))
    registry.register(make_spec(get_cached_price, message_type=GetRedisPrice))
    return Messenger(registry, behaviors=behaviors)


def us(fn: Callable[[], object], number: int = NUMBER) -> float:
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6


def main() -> None:
    call_command("migrate", verbosity=0)
    team = Group.objects.create(name="editors")
    empty, default = messenger_with([]), messenger_with(DEFAULTS["BEHAVIORS"])
    plain, cached, redis_cached = GetPrice(1), GetCachedPrice(1), GetRedisPrice(1)
    rename = RenameTeam(team.pk, "writers")
    default.query(cached)  # fill the cache
    rows = [
        (
            "default stack, none applies",
            "empty pipeline",
            us(lambda: empty.query(plain), NUMBER * 10),
            us(lambda: default.query(plain), NUMBER * 10),
        ),
        (
            "cache hit, local memory",
            "one cache.get",
            us(lambda: caches["default"].get("price:1")),
            us(lambda: default.query(cached)),
        ),
    ]
    if REDIS_URL:
        caches["redis"].clear()
        default.query(redis_cached)
        rows.append(
            (
                "cache hit, Redis",
                "one cache.get",
                us(lambda: caches["redis"].get("price:1"), 2_000),
                us(lambda: default.query(redis_cached), 2_000),
            )
        )
    rows.append(
        (
            "audited command (audit + transaction)",
            "same command, no behavior",
            us(lambda: empty.send(rename), 2_000),
            us(lambda: default.send(rename), 2_000),
        )
    )
    print(f"{'case':40} {'baseline':26} {'base us':>9} {'us':>9} {'ratio':>7}")
    for name, baseline, base, cost in rows:
        print(f"{name:40} {baseline:26} {base:9.2f} {cost:9.2f} {cost / base:7.2f}")
    if not REDIS_URL:
        print("(cache hit on Redis left out: FK_REDIS_URL is not set; `make bench` sets it)")


if __name__ == "__main__":
    main()
