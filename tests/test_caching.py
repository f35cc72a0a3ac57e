"""CacheBehavior: cached queries and invalidating commands, through real messengers.

Tests on the "default" cache run on the local-memory cache, then on Redis (scripts/test.sh runs
the suite twice); the lock tests use the "redis" alias, and the outage tests a Redis alias on a
closed port.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import caches
from django.db import transaction
from django.test import override_settings
from django.utils.functional import SimpleLazyObject
from time_machine import TimeMachineFixture

from django_functionalkit import (
    Cacheable,
    Command,
    Failure,
    InvalidatesCache,
    Messenger,
    Query,
    Result,
    Success,
    current_context,
    handler,
    messenger,
    set_actor,
)
from django_functionalkit.behaviors.caching import CacheBehavior
from django_functionalkit.behaviors.transaction import TransactionBehavior
from django_functionalkit.errors import Error, InvalidInput, NotFound
from django_functionalkit.registry import Registry, make_spec

# -- a shop to cache: products in categories, and how often each handler ran -----------------------


@dataclass(frozen=True)
class Product:
    id: int
    name: str
    category_id: int


PRODUCTS: dict[int, Product] = {}
CALLS: Counter[str] = Counter()
_calls_lock = threading.Lock()


def count(name: str) -> None:
    with _calls_lock:  # handlers run on several threads in the lock tests
        CALLS[name] += 1


@dataclass(frozen=True)
class GetProduct(Query[Result[Product, NotFound]], Cacheable):
    product_id: int
    cache_timeout = 15 * 60

    @property
    def cache_key(self) -> str:
        return f"product:{self.product_id}"


@dataclass(frozen=True)
class GetProductCatalog(Query[list[str]], Cacheable):
    """The guide's catalog query: one entry per category and page, tagged by category."""

    category_id: int
    page: int = 1
    page_size: int = 20
    cache_timeout = timedelta(minutes=30)

    @property
    def cache_key(self) -> str:
        return f"product-catalog:{self.category_id}:{self.page}:{self.page_size}"

    @property
    def cache_tags(self) -> list[str]:
        return [f"catalog:category:{self.category_id}"]


@dataclass(frozen=True)
class UpdateProduct(Command[Result[Product, Error]], InvalidatesCache):
    """Renames a product: drops its entry and the catalog pages of its category."""

    product_id: int
    name: str

    @property
    def invalidates_keys(self) -> list[str]:
        return [f"product:{self.product_id}"]

    @property
    def invalidates_tags(self) -> list[str]:
        return [f"catalog:category:{PRODUCTS[self.product_id].category_id}"]


def get_product(query: GetProduct) -> Result[Product, NotFound]:
    count("product")
    found = PRODUCTS.get(query.product_id)
    if found is None:
        return Failure(NotFound(f"Product {query.product_id} not found"))
    return Success(found)


def get_product_catalog(query: GetProductCatalog) -> list[str]:
    count(f"catalog {query.category_id}")
    names = sorted(p.name for p in PRODUCTS.values() if p.category_id == query.category_id)
    start = (query.page - 1) * query.page_size
    return names[start : start + query.page_size]


def update_product(command: UpdateProduct) -> Result[Product, Error]:
    if command.name == "boom":
        raise RuntimeError("the database is on fire")
    if not command.name:
        return Failure(InvalidInput("a product needs a name"))
    PRODUCTS[command.product_id] = replace(PRODUCTS[command.product_id], name=command.name)
    return Success(PRODUCTS[command.product_id])


# -- other messages --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GetNickname(Query[str | None], Cacheable):
    """Returns None for most people: a cached None must be a hit."""

    username: str

    @property
    def cache_key(self) -> str:
        return f"nickname:{self.username}"


def get_nickname(query: GetNickname) -> str | None:
    count("nickname")
    return {"ada": "Countess"}.get(query.username)


@dataclass(frozen=True)
class GetDashboard(Query[str], Cacheable):
    """Depends on who asks, and says so."""

    cache_key = "dashboard"
    cache_per_user = True


@dataclass(frozen=True)
class RefreshDashboards(Command[str], InvalidatesCache):
    invalidates_keys = ("dashboard",)


def get_dashboard(query: GetDashboard) -> str:
    count("dashboard")
    actor = current_context().actor
    if actor is None or isinstance(actor, AnonymousUser):
        return "dashboard of a guest"
    return f"dashboard of {getattr(actor, 'username', actor)}"


def refresh_dashboards(command: RefreshDashboards) -> str:
    return "refreshed"


@dataclass(frozen=True)
class GetClock(Query[int], Cacheable):
    cache_key = "clock"
    cache_alias = "local"  # local memory in every run: its clock is the process's, which moves
    cache_timeout = timedelta(seconds=90, milliseconds=500)  # not the cache's default of 300 s


def get_clock(query: GetClock) -> int:
    count("clock")
    return CALLS["clock"]


@dataclass(frozen=True)
class Search(Query[str], Cacheable):
    """Its key holds whatever the user typed: spaces, new lines, hundreds of characters."""

    text: str

    @property
    def cache_key(self) -> str:
        return f"search:{self.text}"


@dataclass(frozen=True)
class ForgetSearch(Command[str], InvalidatesCache):
    text: str

    @property
    def invalidates_keys(self) -> list[str]:
        return [f"search:{self.text}"]


def search(query: Search) -> str:
    count("search")
    return f"results for {query.text[:10]}"


def forget_search(command: ForgetSearch) -> str:
    return "forgotten"


HANDLERS = (
    get_product,
    get_product_catalog,
    update_product,
    get_nickname,
    get_dashboard,
    refresh_dashboards,
    get_clock,
    search,
    forget_search,
)


def cached_name(product_id: int) -> str | None:
    """The product name the cache holds for GetProduct(product_id), read behind the behavior."""
    stored = caches["default"].get(f"functionalkit:1:q:product:{product_id}")
    return None if stored is None else str(stored[1].value.name)


def cached_messenger(*targets: Callable[..., Any]) -> Messenger:
    """A messenger with CacheBehavior only, on a registry of its own."""
    handlers = Registry()
    for target in targets:
        handlers.register(make_spec(target))
    return Messenger(handlers, behaviors=[CacheBehavior()])


@pytest.fixture
def bus() -> Messenger:
    return cached_messenger(*HANDLERS)


@pytest.fixture(autouse=True)
def fresh_shop() -> Iterator[None]:
    """Three products, no calls counted, empty caches, before and after each test."""
    PRODUCTS.clear()
    for product in (Product(1, "tea", 1), Product(2, "coffee", 1), Product(3, "cake", 2)):
        PRODUCTS[product.id] = product
    CALLS.clear()
    aliases = [alias for alias in ("default", "redis") if alias in settings.CACHES]
    for alias in aliases:
        caches[alias].clear()
    yield
    for alias in aliases:
        caches[alias].clear()


# -- which messages --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plain(Query[str]):
    pass


@dataclass(frozen=True)
class CacheableCommand(Command[str], Cacheable):
    cache_key = "a command is never cached"


@dataclass(frozen=True)
class InvalidatingQuery(Query[str], InvalidatesCache):
    pass


def test_it_applies_to_cacheable_queries_and_invalidating_commands_only(bus: Messenger) -> None:
    behavior = CacheBehavior()
    assert behavior.applies_to(GetProduct)
    assert behavior.applies_to(UpdateProduct)
    assert not behavior.applies_to(Plain)
    assert not behavior.applies_to(CacheableCommand)
    assert not behavior.applies_to(InvalidatingQuery)
    assert [type(b) for b in bus.behaviors_for(GetProduct)] == [CacheBehavior]


def test_listed_in_the_settings_it_caches_for_the_global_messenger(restore_registry: None) -> None:
    handler(get_product)
    behaviors = ["django_functionalkit.behaviors.caching.CacheBehavior"]
    with override_settings(FUNCTIONALKIT={"BEHAVIORS": behaviors}):
        assert messenger.query(GetProduct(1)) == Success(PRODUCTS[1])
        assert messenger.query(GetProduct(1)) == Success(PRODUCTS[1])
    assert CALLS["product"] == 1


# -- queries ---------------------------------------------------------------------------------------


def test_a_cached_query_runs_its_handler_once(bus: Messenger) -> None:
    assert bus.query(GetProduct(1)) == Success(Product(1, "tea", 1))
    assert bus.query(GetProduct(1)) == Success(Product(1, "tea", 1))
    assert bus.query(GetProduct(2)) == Success(Product(2, "coffee", 1))
    assert CALLS["product"] == 2


async def test_a_cached_query_runs_its_handler_once_on_the_async_path(bus: Messenger) -> None:
    assert await bus.aquery(GetProduct(1)) == Success(Product(1, "tea", 1))
    assert await bus.aquery(GetProduct(1)) == Success(Product(1, "tea", 1))
    # One cache for both paths.
    assert await sync_to_async(bus.query)(GetProduct(1)) == Success(Product(1, "tea", 1))
    assert CALLS["product"] == 1


def test_failures_are_not_cached(bus: Messenger) -> None:
    assert bus.query(GetProduct(9)) == Failure(NotFound("Product 9 not found"))
    PRODUCTS[9] = Product(9, "scones", 2)
    assert bus.query(GetProduct(9)) == Success(Product(9, "scones", 2))
    assert bus.query(GetProduct(9)) == Success(Product(9, "scones", 2))
    assert CALLS["product"] == 2


async def test_failures_are_not_cached_on_the_async_path(bus: Messenger) -> None:
    assert await bus.aquery(GetProduct(9)) == Failure(NotFound("Product 9 not found"))
    assert await bus.aquery(GetProduct(9)) == Failure(NotFound("Product 9 not found"))
    assert CALLS["product"] == 2


def test_plain_values_and_none_are_cached(bus: Messenger) -> None:
    assert bus.query(GetNickname("ada")) == "Countess"
    assert bus.query(GetNickname("ada")) == "Countess"
    assert bus.query(GetNickname("grace")) is None
    assert bus.query(GetNickname("grace")) is None
    assert CALLS["nickname"] == 2


async def test_none_is_cached_on_the_async_path(bus: Messenger) -> None:
    assert await bus.aquery(GetNickname("grace")) is None
    assert await bus.aquery(GetNickname("grace")) is None
    assert CALLS["nickname"] == 1


LOCAL = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "clock"}


@override_settings(CACHES={**settings.CACHES, "local": LOCAL})
def test_an_entry_expires_after_its_timeout(
    bus: Messenger, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(datetime(2026, 1, 1, tzinfo=UTC), tick=False)
    assert bus.query(GetClock()) == 1
    time_machine.shift(timedelta(seconds=90))
    assert bus.query(GetClock()) == 1  # half a second left
    time_machine.shift(timedelta(milliseconds=500))
    assert bus.query(GetClock()) == 2


@dataclass(frozen=True)
class GetHalfHourly(Query[str], Cacheable):
    cache_key = "half-hourly"
    cache_alias = "redis"
    cache_timeout = timedelta(minutes=30)


@dataclass(frozen=True)
class GetForever(Query[str], Cacheable):
    cache_key = "forever"
    cache_alias = "redis"
    cache_timeout = None


def get_half_hourly(query: GetHalfHourly) -> str:
    return "every half hour"


def get_forever(query: GetForever) -> str:
    return "for ever"


@pytest.mark.requires_redis
def test_timeouts_are_seconds_a_timedelta_or_none() -> None:
    bus = cached_messenger(get_product, get_half_hourly, get_forever)
    bus.query(GetHalfHourly())
    bus.query(GetForever())
    redis: Any = caches["redis"]  # django-redis: ttl()
    assert 1790 < redis.ttl("functionalkit:1:q:half-hourly") <= 1800
    assert 1790 < redis.ttl("functionalkit:1:key:half-hourly") <= 1800  # as long as the entry
    assert redis.ttl("functionalkit:1:q:forever") is None  # django-redis: no expiry


def test_keys_are_namespaced_and_versioned(bus: Messenger) -> None:
    cache = caches["default"]
    bus.query(GetProduct(1))
    stamp, value = cache.get("functionalkit:1:q:product:1")
    assert value == Success(Product(1, "tea", 1))
    assert stamp == (cache.get("functionalkit:1:key:product:1"),)
    with override_settings(FUNCTIONALKIT={"CACHE_KEY_PREFIX": "shop", "CACHE_VERSION": 2}):
        bus.query(GetProduct(1))  # a new version sees none of the old entries
        assert cache.get("shop:2:q:product:1") is not None
    bus.query(GetProduct(1))  # back on version 1: still cached
    assert CALLS["product"] == 2


def test_a_hit_is_one_cache_read(bus: Messenger, monkeypatch: pytest.MonkeyPatch) -> None:
    bus.query(GetProductCatalog(1))
    cache = caches["default"]
    reads: list[list[str]] = []
    read = cache.get_many

    def spy(keys: list[str], version: int | None = None) -> dict[str, Any]:
        reads.append(list(keys))
        return read(keys, version=version)

    monkeypatch.setattr(cache, "get_many", spy)
    for name in ("set", "set_many", "add", "incr"):  # and no writes
        monkeypatch.setattr(cache, name, lambda *args, name=name, **kwargs: pytest.fail(name))
    assert bus.query(GetProductCatalog(1)) == ["coffee", "tea"]
    assert reads == [
        [
            "functionalkit:1:q:product-catalog:1:1:20",  # the entry
            "functionalkit:1:key:product-catalog:1:1:20",  # the generation of its key
            "functionalkit:1:tag:catalog:category:1",  # the generation of its tag
        ]
    ]


def test_keys_with_spaces_or_hundreds_of_characters_are_hashed(bus: Messenger) -> None:
    """The local-memory cache warns about keys memcached would refuse (and warnings fail the
    suite): such keys are hashed, by queries and commands alike."""
    text = "green tea\n" + "x" * 300
    assert bus.query(Search(text)) == "results for green tea\n"
    assert bus.query(Search(text)) == "results for green tea\n"
    assert CALLS["search"] == 1
    bus.send(ForgetSearch(text))
    bus.query(Search(text))
    assert CALLS["search"] == 2


# -- per user --------------------------------------------------------------------------------------


def test_per_user_results_never_leak_between_users(bus: Messenger) -> None:
    ada, grace = User(pk=1, username="ada"), User(pk=2, username="grace")
    with set_actor(ada):
        assert bus.query(GetDashboard()) == "dashboard of ada"
    with set_actor(grace):
        assert bus.query(GetDashboard()) == "dashboard of grace"
    assert bus.query(GetDashboard()) == "dashboard of a guest"
    with set_actor(AnonymousUser()):  # anonymous, as no actor at all
        assert bus.query(GetDashboard()) == "dashboard of a guest"
    with set_actor(ada):
        assert bus.query(GetDashboard()) == "dashboard of ada"
    assert CALLS["dashboard"] == 3
    assert caches["default"].get("functionalkit:1:u:user:auth.user:1:q:dashboard") is not None
    assert caches["default"].get("functionalkit:1:u:anonymous:q:dashboard") is not None


def test_invalidating_a_per_user_key_drops_it_for_every_user(bus: Messenger) -> None:
    actors = [User(pk=1, username="ada"), User(pk=2, username="grace"), None]
    for actor in actors * 2:
        with set_actor(actor):
            bus.query(GetDashboard())
    assert CALLS["dashboard"] == 3
    bus.send(RefreshDashboards())
    for actor in actors * 2:
        with set_actor(actor):
            bus.query(GetDashboard())
    assert CALLS["dashboard"] == 6


def test_an_actor_without_identity_is_not_cached(
    bus: Messenger, caplog: pytest.LogCaptureFixture
) -> None:
    with set_actor(object()):
        bus.query(GetDashboard())
        bus.query(GetDashboard())
    assert CALLS["dashboard"] == 2
    assert "cached per user, but the actor" in caplog.text


async def test_async_per_user_loads_a_lazy_request_user_off_the_event_loop(
    bus: Messenger,
) -> None:
    """``request.user`` is lazy; reading it on the event loop would query the database there."""
    loaded_on: list[int] = []

    def load() -> User:
        loaded_on.append(threading.get_ident())
        return User(pk=7, username="ada")

    with set_actor(SimpleLazyObject(load)):
        assert await bus.aquery(GetDashboard()) == "dashboard of ada"
        assert await bus.aquery(GetDashboard()) == "dashboard of ada"
    assert CALLS["dashboard"] == 1
    assert loaded_on != [threading.get_ident()]


# -- invalidation ----------------------------------------------------------------------------------


def warm_catalog(bus: Messenger) -> None:
    """Cache two products and three catalog pages of two categories."""
    for message in (
        GetProduct(1),
        GetProduct(3),
        GetProductCatalog(1, page=1, page_size=1),
        GetProductCatalog(1, page=2, page_size=1),
        GetProductCatalog(2),
    ):
        bus.query(message)
    assert CALLS == {"product": 2, "catalog 1": 2, "catalog 2": 1}


def test_update_product_invalidates_its_product_and_its_category_only(bus: Messenger) -> None:
    warm_catalog(bus)
    assert bus.send(UpdateProduct(1, "green tea")) == Success(Product(1, "green tea", 1))
    assert bus.query(GetProduct(1)) == Success(Product(1, "green tea", 1))
    assert bus.query(GetProductCatalog(1, page=1, page_size=1)) == ["coffee"]
    assert bus.query(GetProductCatalog(1, page=2, page_size=1)) == ["green tea"]
    assert CALLS == {"product": 3, "catalog 1": 4, "catalog 2": 1}
    # The other product and the other category stayed cached.
    assert bus.query(GetProduct(3)) == Success(Product(3, "cake", 2))
    assert bus.query(GetProductCatalog(2)) == ["cake"]
    assert CALLS == {"product": 3, "catalog 1": 4, "catalog 2": 1}


async def test_update_product_invalidates_on_the_async_path(bus: Messenger) -> None:
    await bus.aquery(GetProduct(1))
    await bus.aquery(GetProductCatalog(1))
    await bus.aquery(GetProductCatalog(2))
    assert await bus.asend(UpdateProduct(1, "green tea")) == Success(Product(1, "green tea", 1))
    assert await bus.aquery(GetProduct(1)) == Success(Product(1, "green tea", 1))
    assert await bus.aquery(GetProductCatalog(1)) == ["coffee", "green tea"]
    assert await bus.aquery(GetProductCatalog(2)) == ["cake"]
    assert CALLS == {"product": 2, "catalog 1": 2, "catalog 2": 1}


def test_a_failed_command_invalidates_nothing(bus: Messenger) -> None:
    warm_catalog(bus)
    assert bus.send(UpdateProduct(1, "")) == Failure(InvalidInput("a product needs a name"))
    with pytest.raises(RuntimeError, match="on fire"):
        bus.send(UpdateProduct(1, "boom"))
    bus.query(GetProduct(1))
    bus.query(GetProductCatalog(1, page=2, page_size=1))
    assert CALLS == {"product": 2, "catalog 1": 2, "catalog 2": 1}


def test_an_entry_computed_while_a_command_commits_is_never_served() -> None:
    """The handler reads the product, the update commits and invalidates, then the handler's
    (old) result is stored: it is stamped with the generation it started under, so it misses."""
    handlers = Registry()
    bus = Messenger(handlers, behaviors=[CacheBehavior()])

    def racing_get_product(query: GetProduct) -> Result[Product, NotFound]:
        product = PRODUCTS[query.product_id]
        if not CALLS["racing"]:
            count("racing")
            bus.send(UpdateProduct(query.product_id, "green tea"))
        return Success(product)

    handlers.register(make_spec(racing_get_product))
    handlers.register(make_spec(update_product))
    assert bus.query(GetProduct(1)) == Success(Product(1, "tea", 1))  # what it had read
    assert bus.query(GetProduct(1)) == Success(Product(1, "green tea", 1))


def test_a_lost_generation_is_a_miss_never_a_stale_hit(bus: Messenger) -> None:
    """An evicted or expired generation matches no entry; recreated, it repeats no old value."""
    bus.query(GetProductCatalog(1))
    caches["default"].delete("functionalkit:1:tag:catalog:category:1")
    bus.query(GetProductCatalog(1))
    bus.query(GetProductCatalog(1))
    assert CALLS["catalog 1"] == 2
    bus.send(UpdateProduct(2, "espresso"))
    assert bus.query(GetProductCatalog(1)) == ["espresso", "tea"]


@pytest.mark.django_db(transaction=True)
def test_invalidation_waits_for_the_commit(bus: Messenger) -> None:
    bus.query(GetProduct(1))
    with transaction.atomic():
        bus.send(UpdateProduct(1, "green tea"))
        # After a command in the transaction the cache is bypassed: the handler sees the
        # transaction's own write, and what it returns is not stored (it could still roll back).
        assert bus.query(GetProduct(1)) == Success(Product(1, "green tea", 1))
        # Other connections still read the old row, and the cached entry stays until commit.
        assert cached_name(1) == "tea"
    assert bus.query(GetProduct(1)) == Success(Product(1, "green tea", 1))
    assert CALLS["product"] == 3


@pytest.mark.django_db(transaction=True)
def test_an_async_command_finds_the_transaction_on_the_sync_thread(bus: Messenger) -> None:
    """Async code inside a sync transaction (async_to_sync in a view, say): the transaction is
    open on the thread that called it, and the invalidation waits for its commit."""
    bus.query(GetProduct(1))

    async def update() -> None:
        await bus.asend(UpdateProduct(1, "green tea"))

    with transaction.atomic():
        async_to_sync(update)()
        assert cached_name(1) == "tea"  # not invalidated before the commit
    assert bus.query(GetProduct(1)) == Success(Product(1, "green tea", 1))


ORDERS = {
    "cache outside the transaction": lambda: [CacheBehavior(), TransactionBehavior()],
    "cache inside the transaction": lambda: [TransactionBehavior(), CacheBehavior()],
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("order", ORDERS)
def test_with_the_transaction_behavior_invalidation_follows_the_commit(
    order: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In either order, the entries are dropped once the command's transaction committed."""
    handlers = Registry()
    for target in (get_product, update_product):
        handlers.register(make_spec(target))
    bus = Messenger(handlers, behaviors=ORDERS[order]())
    bus.query(GetProduct(1))
    cache = caches["default"]
    bump = cache.incr
    bumped_in_transaction: list[bool] = []

    def spy(key: str, delta: int = 1, version: int | None = None) -> int:
        bumped_in_transaction.append(transaction.get_connection().in_atomic_block)
        return bump(key, delta, version)

    monkeypatch.setattr(cache, "incr", spy)
    assert bus.send(UpdateProduct(1, "green tea")) == Success(Product(1, "green tea", 1))
    assert bumped_in_transaction == [False, False]  # the product key and the category tag
    assert bus.query(GetProduct(1)) == Success(Product(1, "green tea", 1))
    assert bus.send(UpdateProduct(1, "")) == Failure(InvalidInput("a product needs a name"))
    assert bumped_in_transaction == [False, False]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("order", ORDERS)
async def test_with_the_transaction_behavior_on_the_async_path(order: str) -> None:
    handlers = Registry()
    for target in (get_product, update_product):
        handlers.register(make_spec(target))
    bus = Messenger(handlers, behaviors=ORDERS[order]())
    await bus.aquery(GetProduct(1))
    assert await bus.asend(UpdateProduct(1, "green tea")) == Success(Product(1, "green tea", 1))
    assert await bus.aquery(GetProduct(1)) == Success(Product(1, "green tea", 1))
    assert CALLS["product"] == 2


class Rollback(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_command_invalidates_nothing(bus: Messenger) -> None:
    bus.query(GetProduct(1))

    def update_then_fail() -> None:
        with transaction.atomic():
            bus.send(UpdateProduct(1, "green tea"))
            raise Rollback

    with pytest.raises(Rollback):
        update_then_fail()
    bus.query(GetProduct(1))
    assert CALLS["product"] == 1


@pytest.mark.django_db
def test_a_tests_own_transaction_does_not_delay_invalidation(bus: Messenger) -> None:
    """pytest-django's ``db`` (Django's TestCase) never commits: invalidate as outside a test."""
    bus.query(GetProduct(1))
    bus.send(UpdateProduct(1, "green tea"))
    assert bus.query(GetProduct(1)) == Success(Product(1, "green tea", 1))


# -- outages ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GetWeather(Query[str], Cacheable):
    city: str
    cache_alias = "down"

    @property
    def cache_key(self) -> str:
        return f"weather:{self.city}"


@dataclass(frozen=True)
class ReportStorm(Command[str], InvalidatesCache):
    city: str
    cache_alias = "down"

    @property
    def invalidates_keys(self) -> list[str]:
        return [f"weather:{self.city}"]


def get_weather(query: GetWeather) -> str:
    count("weather")
    return f"rain in {query.city}"


def report_storm(command: ReportStorm) -> str:
    return "reported"


@pytest.fixture
def redis_down() -> Iterator[Messenger]:
    """A Redis cache alias "down" on a closed port, and a messenger that uses it."""
    down = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
    }
    with override_settings(CACHES={**settings.CACHES, "down": down}):
        yield cached_messenger(get_weather, report_storm)


def warnings_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "django_functionalkit" and r.levelno == logging.WARNING
    ]


def test_a_cache_outage_calls_the_handler_and_warns(
    redis_down: Messenger, caplog: pytest.LogCaptureFixture
) -> None:
    started = time.perf_counter()
    assert redis_down.query(GetWeather("Oslo")) == "rain in Oslo"
    assert redis_down.query(GetWeather("Oslo")) == "rain in Oslo"
    assert redis_down.send(ReportStorm("Oslo")) == "reported"
    assert time.perf_counter() - started < 2
    assert CALLS["weather"] == 2
    logged = warnings_logged(caplog)
    assert len(logged) == 3
    assert logged[0].startswith("Cache 'down' failed while reading GetWeather (ConnectionError")
    assert logged[2].startswith("Cache 'down' failed while invalidating after ReportStorm")


async def test_a_cache_outage_on_the_async_path(
    redis_down: Messenger, caplog: pytest.LogCaptureFixture
) -> None:
    assert await redis_down.aquery(GetWeather("Oslo")) == "rain in Oslo"
    assert await redis_down.aquery(GetWeather("Oslo")) == "rain in Oslo"
    assert await redis_down.asend(ReportStorm("Oslo")) == "reported"
    assert CALLS["weather"] == 2
    assert len(warnings_logged(caplog)) == 3


# -- the lock (Redis) ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GetReport(Query[str], Cacheable):
    """Slow to compute, on the Redis alias, which has a lock."""

    name: str
    cache_alias = "redis"

    @property
    def cache_key(self) -> str:
        return f"report:{self.name}"


def get_report(query: GetReport) -> str:
    count("report")
    time.sleep(0.3)
    return f"report {query.name}"


@dataclass(frozen=True)
class GetAsyncReport(Query[str], Cacheable):
    name: str
    cache_alias = "redis"

    @property
    def cache_key(self) -> str:
        return f"async-report:{self.name}"


async def get_async_report(query: GetAsyncReport) -> str:
    count("report")
    await asyncio.sleep(0.3)
    return f"report {query.name}"


def ask_at_once(bus: Messenger, query: GetReport, times: int) -> list[str]:
    """``query`` asked from ``times`` threads at the same moment; their answers."""
    barrier = threading.Barrier(times)
    answers: list[str] = []

    def ask() -> None:
        barrier.wait()
        answers.append(bus.query(query))

    threads = [threading.Thread(target=ask) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.mark.requires_redis
def test_concurrent_misses_compute_once_under_the_lock() -> None:
    bus = cached_messenger(get_report)
    assert ask_at_once(bus, GetReport("q3"), times=8) == ["report q3"] * 8
    assert CALLS["report"] == 1


@pytest.mark.requires_redis
async def test_concurrent_async_misses_compute_once_under_the_lock() -> None:
    bus = cached_messenger(get_async_report)
    answers = await asyncio.gather(*(bus.aquery(GetAsyncReport("q3")) for _ in range(8)))
    assert answers == ["report q3"] * 8
    assert CALLS["report"] == 1


@pytest.mark.requires_redis
def test_misses_wait_no_longer_than_the_lock_timeout() -> None:
    """The handler takes 0.3 s, the lock 0.1 s: the waiter stops waiting (or takes the expired
    lock) and computes the value too, rather than waiting for the slow one."""
    bus = cached_messenger(get_report)
    with override_settings(FUNCTIONALKIT={"CACHE_LOCK_TIMEOUT": 0.1}):
        assert ask_at_once(bus, GetReport("q4"), times=2) == ["report q4"] * 2
    assert CALLS["report"] == 2


@pytest.mark.django_db(transaction=True)
def test_what_a_rolled_back_transaction_read_is_never_cached(bus: Messenger) -> None:
    with transaction.atomic():
        bus.send(UpdateProduct(1, "green tea"))
        assert bus.query(GetProduct(1)) == Success(Product(1, "green tea", 1))
        transaction.set_rollback(True)
    PRODUCTS[1] = replace(PRODUCTS[1], name="tea")  # the products live in memory: roll back
    assert cached_name(1) is None  # nothing was written from inside
    assert bus.query(GetProduct(1)) == Success(Product(1, "tea", 1))


def test_a_stamp_read_back_as_a_list_still_hits(bus: Messenger) -> None:
    """JSON and msgpack serializers give tuples back as lists."""
    bus.query(GetProduct(2))
    key = "functionalkit:1:q:product:2"
    stamp, value = caches["default"].get(key)
    caches["default"].set(key, [list(stamp), value])
    bus.query(GetProduct(2))
    assert CALLS["product"] == 1


@dataclass(frozen=True)
class BrokenInvalidation(Command[str], InvalidatesCache):
    @property
    def invalidates_keys(self) -> list[str]:
        raise LookupError("the product row is gone")


def test_a_failing_invalidation_is_logged_and_the_command_still_succeeds(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus = cached_messenger()
    bus.registry.register(make_spec(lambda command: "done", message_type=BrokenInvalidation))
    with caplog.at_level(logging.WARNING, logger="django_functionalkit"):
        assert bus.send(BrokenInvalidation()) == "done"
    assert "the product row is gone" in caplog.text


@dataclass(frozen=True)
class MoveProduct(Command[str], InvalidatesCache):
    """Declares the catalog of the product's category as it is when asked."""

    product_id: int
    category_id: int

    @property
    def invalidates_tags(self) -> list[str]:
        return [f"catalog:category:{PRODUCTS[self.product_id].category_id}"]


def move_product(command: MoveProduct) -> str:
    PRODUCTS[command.product_id] = replace(
        PRODUCTS[command.product_id], category_id=command.category_id
    )
    return "moved"


@pytest.mark.parametrize("path", ["sync", "async"])
def test_declarations_are_read_before_and_after_the_handler(path: str) -> None:
    """A move invalidates the catalog it leaves and the one it joins."""
    from tests.dispatching import dispatcher

    bus = cached_messenger(get_product_catalog, move_product)
    product = next(p for p in PRODUCTS.values() if p.category_id == 1)
    bus.query(GetProductCatalog(1))
    bus.query(GetProductCatalog(2))
    dispatcher(bus, path)(MoveProduct(product.id, 2))
    assert product.name not in bus.query(GetProductCatalog(1))
    assert product.name in bus.query(GetProductCatalog(2))
    assert CALLS["catalog 1"] == 2
    assert CALLS["catalog 2"] == 2
