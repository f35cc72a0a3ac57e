"""Changes made outside commands: ``invalidate`` / ``ainvalidate`` and ``invalidates_on_change``.

Real commits (``transaction=True``): entries are dropped once a transaction commits. Rows are
changed through the real admin, as a signed-in superuser, and read through a cached query whose
handler counts its calls: a read that does not reach it was served from the cache.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.contrib.auth.models import Group, User
from django.core.cache import caches
from django.db import transaction
from django.test import Client

from django_functionalkit import (
    Cacheable,
    Messenger,
    Query,
    ainvalidate,
    handler,
    invalidate,
    invalidate_instances,
    invalidates_on_change,
)
from django_functionalkit.behaviors import CacheBehavior
from example_project.catalog.models import Category, Product

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("example_project.urls")]

bus = Messenger(behaviors=[CacheBehavior()])
computed: Counter[str] = Counter()


@dataclass(frozen=True)
class GetPrice(Query[str], Cacheable):
    product_id: int
    cache_timeout = None  # only an invalidation drops it

    @property
    def cache_key(self) -> str:
        return f"price:{self.product_id}"


@dataclass(frozen=True)
class GetShelf(Query[list[str]], Cacheable):
    category_id: int
    cache_timeout = None

    @property
    def cache_key(self) -> str:
        return f"shelf:{self.category_id}"

    @property
    def cache_tags(self) -> list[str]:
        return [f"shelf:{self.category_id}"]


@dataclass(frozen=True)
class GetMembers(Query[list[str]], Cacheable):
    group_id: int
    cache_timeout = None

    @property
    def cache_key(self) -> str:
        return f"members:{self.group_id}"


def get_price(query: GetPrice) -> str:
    computed[f"price {query.product_id}"] += 1
    product = Product.objects.filter(pk=query.product_id).first()
    return str(product.price) if product else "gone"


def get_shelf(query: GetShelf) -> list[str]:
    computed[f"shelf {query.category_id}"] += 1
    return list(
        Product.objects.filter(category_id=query.category_id).values_list("name", flat=True)
    )


def get_members(query: GetMembers) -> list[str]:
    computed[f"members {query.group_id}"] += 1
    return sorted(User.objects.filter(groups=query.group_id).values_list("username", flat=True))


@pytest.fixture(autouse=True)
def handlers(restore_registry: None) -> Iterator[None]:
    for function in (get_price, get_shelf, get_members):
        handler(function)
    caches["default"].clear()
    computed.clear()
    yield
    caches["default"].clear()


@pytest.fixture
def products() -> Iterator[None]:
    """Products tied to their price entry and to the shelf of their category."""
    tie = invalidates_on_change(
        Product,
        keys=lambda p: f"price:{p.pk}",  # a string is one key
        tags=lambda p: [f"shelf:{p.category_id}"],
    )
    yield
    tie.disconnect()


@pytest.fixture
def lamps() -> Category:
    return Category.objects.create(name="Lamps")


@pytest.fixture
def desks() -> Category:
    return Category.objects.create(name="Desks")


@pytest.fixture
def lamp(lamps: Category) -> Product:
    return Product.objects.create(name="Lamp", price=Decimal("10.00"), stock=1, category=lamps)


@pytest.fixture
def admin(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pass"))
    return client


def change_url(product: Product, action: str = "change") -> str:
    return f"/admin/example_catalog/product/{product.pk}/{action}/"


# -- the admin -------------------------------------------------------------------------------------


def test_a_row_edited_in_the_admin_is_fresh_in_the_cached_query(
    products: None, admin: Client, lamp: Product, lamps: Category
) -> None:
    assert bus.query(GetPrice(lamp.pk)) == "10.00"
    assert bus.query(GetPrice(lamp.pk)) == "10.00"
    form = {"name": "Lamp", "price": "12.50", "stock": 1, "category": lamps.pk}
    response = admin.post(change_url(lamp), form)
    assert response.status_code == 302, response.content
    assert bus.query(GetPrice(lamp.pk)) == "12.50"
    assert computed == {f"price {lamp.pk}": 2}


def test_a_product_moved_in_the_admin_leaves_both_shelves_fresh(
    products: None, admin: Client, lamp: Product, lamps: Category, desks: Category
) -> None:
    assert bus.query(GetShelf(lamps.pk)) == ["Lamp"]
    assert bus.query(GetShelf(desks.pk)) == []
    form = {"name": "Lamp", "price": "10.00", "stock": 1, "category": desks.pk}
    assert admin.post(change_url(lamp), form).status_code == 302
    assert bus.query(GetShelf(lamps.pk)) == []  # the shelf it left: from the row as stored
    assert bus.query(GetShelf(desks.pk)) == ["Lamp"]


def test_a_row_deleted_in_the_admin_is_gone_from_the_cached_query(
    products: None, admin: Client, lamp: Product, lamps: Category
) -> None:
    assert bus.query(GetPrice(lamp.pk)) == "10.00"
    assert bus.query(GetShelf(lamps.pk)) == ["Lamp"]
    assert admin.post(change_url(lamp, "delete"), {"post": "yes"}).status_code == 302
    assert bus.query(GetPrice(lamp.pk)) == "gone"
    assert bus.query(GetShelf(lamps.pk)) == []


def test_the_admins_bulk_delete_action_sends_a_signal_per_row(
    products: None, admin: Client, lamp: Product, lamps: Category
) -> None:
    other = Product.objects.create(name="Bulb", price=Decimal(1), category=lamps)
    assert bus.query(GetShelf(lamps.pk)) == ["Bulb", "Lamp"]
    assert bus.query(GetPrice(other.pk)) == "1.00"
    selected = {"action": "delete_selected", "_selected_action": [lamp.pk, other.pk], "post": "yes"}
    response = admin.post("/admin/example_catalog/product/", selected)
    assert response.status_code == 302, response.content
    assert bus.query(GetShelf(lamps.pk)) == []
    assert bus.query(GetPrice(other.pk)) == "gone"


def test_the_admins_list_editable_saves_row_by_row(
    products: None, admin: Client, lamp: Product
) -> None:
    assert bus.query(GetPrice(lamp.pk)) == "10.00"
    formset = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "form-0-id": str(lamp.pk),
        "form-0-price": "8.00",
        "form-0-stock": "1",
        "_save": "Save",
    }
    response = admin.post("/admin/example_catalog/product/", formset)
    assert response.status_code == 302, response.content
    assert bus.query(GetPrice(lamp.pk)) == "8.00"


# -- transactions ----------------------------------------------------------------------------------


def test_a_save_that_rolls_back_invalidates_nothing(products: None, lamp: Product) -> None:
    assert bus.query(GetPrice(lamp.pk)) == "10.00"

    def save_then_fail() -> None:
        with transaction.atomic():
            lamp.price = Decimal("99.00")
            lamp.save()
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        save_then_fail()
    assert bus.query(GetPrice(lamp.pk)) == "10.00"
    assert computed == {f"price {lamp.pk}": 1}  # still the cached entry: nothing was dropped


def test_invalidate_inside_a_transaction_waits_for_its_commit(lamp: Product) -> None:
    assert bus.query(GetPrice(lamp.pk)) == "10.00"
    with transaction.atomic():
        Product.objects.filter(pk=lamp.pk).update(price=Decimal(11))
        invalidate(keys=[f"price:{lamp.pk}"])
        assert caches["default"].get(f"functionalkit:1:q:price:{lamp.pk}") is not None
        assert computed == {f"price {lamp.pk}": 1}
    assert bus.query(GetPrice(lamp.pk)) == "11.00"
    assert computed == {f"price {lamp.pk}": 2}


def test_a_query_after_invalidate_in_the_same_transaction_sees_the_change(
    lamp: Product,
) -> None:
    assert bus.query(GetPrice(lamp.pk)) == "10.00"
    with transaction.atomic():
        Product.objects.filter(pk=lamp.pk).update(price=Decimal(12))
        invalidate(keys=[f"price:{lamp.pk}"])
        # Not committed yet, so the entry is still there; the transaction's own query skips it.
        assert bus.query(GetPrice(lamp.pk)) == "12.00"
    assert bus.query(GetPrice(lamp.pk)) == "12.00"
    assert computed == {f"price {lamp.pk}": 3}


def test_invalidate_waits_only_for_the_alias_it_names(lamp: Product) -> None:
    assert bus.query(GetPrice(lamp.pk)) == "10.00"
    generation = f"functionalkit:1:key:price:{lamp.pk}"
    before = caches["default"].get(generation)
    with transaction.atomic():
        invalidate(keys=[f"price:{lamp.pk}"], using="orders")  # no transaction there: at once
        assert caches["default"].get(generation) != before
        invalidate(keys=[f"price:{lamp.pk}"], using="default")  # this one waits
        bumped = caches["default"].get(generation)
    assert caches["default"].get(generation) != bumped


def test_invalidate_outside_a_transaction_is_at_once(lamp: Product, lamps: Category) -> None:
    assert bus.query(GetPrice(lamp.pk)) == "10.00"
    assert bus.query(GetShelf(lamps.pk)) == ["Lamp"]
    Product.objects.filter(pk=lamp.pk).update(price=Decimal(11), name="Lantern")
    invalidate(keys=f"price:{lamp.pk}", tags=[f"shelf:{lamps.pk}"])  # a string is one key
    assert bus.query(GetPrice(lamp.pk)) == "11.00"
    assert bus.query(GetShelf(lamps.pk)) == ["Lantern"]


def test_invalidate_after_a_rollback_drops_nothing(lamp: Product) -> None:
    assert bus.query(GetPrice(lamp.pk)) == "10.00"

    def invalidate_then_fail() -> None:
        with transaction.atomic():
            invalidate(keys=[f"price:{lamp.pk}"])
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        invalidate_then_fail()
    assert bus.query(GetPrice(lamp.pk)) == "10.00"
    assert computed == {f"price {lamp.pk}": 1}


def test_an_unknown_cache_alias_is_raised_at_the_call() -> None:
    from django.core.cache import InvalidCacheBackendError

    with pytest.raises(InvalidCacheBackendError):
        invalidate(keys=["price:1"], cache_alias="nowhere")


# -- async -----------------------------------------------------------------------------------------


async def test_ainvalidate_from_async_code(lamp: Product) -> None:
    assert await bus.aquery(GetPrice(lamp.pk)) == "10.00"
    await Product.objects.filter(pk=lamp.pk).aupdate(price=Decimal(13))
    await ainvalidate(keys=(key for key in [f"price:{lamp.pk}"]))  # any iterable
    assert await bus.aquery(GetPrice(lamp.pk)) == "13.00"


def test_ainvalidate_in_a_transaction_waits_for_its_commit(lamp: Product) -> None:
    assert bus.query(GetPrice(lamp.pk)) == "10.00"
    with transaction.atomic():
        Product.objects.filter(pk=lamp.pk).update(price=Decimal(14))
        # Async code called from inside the transaction (async_to_sync) joins it.
        async_to_sync(ainvalidate)(keys=[f"price:{lamp.pk}"])
        assert computed == {f"price {lamp.pk}": 1}
        assert caches["default"].get(f"functionalkit:1:q:price:{lamp.pk}") is not None
    assert bus.query(GetPrice(lamp.pk)) == "14.00"


async def test_an_async_save_of_a_tied_model(products: None, lamp: Product) -> None:
    assert await bus.aquery(GetPrice(lamp.pk)) == "10.00"
    lamp.price = Decimal(15)
    await lamp.asave()
    assert await bus.aquery(GetPrice(lamp.pk)) == "15.00"
    await sync_to_async(lamp.delete)()
    assert await bus.aquery(GetPrice(lamp.pk)) == "gone"


# -- paths that send no signal ---------------------------------------------------------------------


def test_bulk_paths_send_no_signal_and_invalidate_instances_covers_them(
    products: None, lamp: Product, lamps: Category
) -> None:
    assert bus.query(GetPrice(lamp.pk)) == "10.00"
    assert bus.query(GetShelf(lamps.pk)) == ["Lamp"]
    lamp.price = Decimal(20)
    Product.objects.bulk_update([lamp], ["price"])
    created = Product.objects.bulk_create([Product(name="Bulb", price=1, category=lamps)])
    assert bus.query(GetPrice(lamp.pk)) == "10.00"  # stale: bulk_update sends no signal
    assert bus.query(GetShelf(lamps.pk)) == ["Lamp"]  # stale: nor does bulk_create
    invalidate_instances([lamp, *created])
    assert bus.query(GetPrice(lamp.pk)) == "20.00"
    assert bus.query(GetShelf(lamps.pk)) == ["Bulb", "Lamp"]


def test_a_failing_names_function_is_logged_and_the_save_goes_on(
    lamp: Product, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(product: Product) -> list[str]:
        raise LookupError("no such thing")

    tie = invalidates_on_change(Product, keys=broken)
    try:
        with caplog.at_level(logging.WARNING, logger="django_functionalkit"):
            lamp.save()
    finally:
        tie.disconnect()
    assert Product.objects.get(pk=lamp.pk).name == "Lamp"
    assert "changes of example_catalog.Product invalidate failed" in caplog.text
    assert "LookupError: no such thing" in caplog.text


# -- many-to-many ----------------------------------------------------------------------------------


@pytest.fixture
def members() -> Iterator[None]:
    """A user tied to the member lists of their groups."""
    tie = invalidates_on_change(
        User, keys=lambda user: [f"members:{g}" for g in user.groups.values_list("pk", flat=True)]
    )
    yield
    tie.disconnect()


def test_m2m_changes_on_either_side(members: None) -> None:
    staff, guests = (Group.objects.create(name=name) for name in ("staff", "guests"))
    ada, grace = (User.objects.create_user(name) for name in ("ada", "grace"))
    assert bus.query(GetMembers(staff.pk)) == []
    ada.groups.add(staff)  # the forward side
    assert bus.query(GetMembers(staff.pk)) == ["ada"]
    staff.user_set.add(grace)  # the reverse side
    assert bus.query(GetMembers(staff.pk)) == ["ada", "grace"]
    # After a removal ada's keys no longer name staff: they are read before the change too.
    ada.groups.remove(staff)
    assert bus.query(GetMembers(staff.pk)) == ["grace"]
    assert bus.query(GetMembers(guests.pk)) == []
    grace.groups.add(guests)
    staff.user_set.clear()  # a clear on the reverse side: no pk_set
    assert bus.query(GetMembers(staff.pk)) == []
    grace.groups.clear()
    assert bus.query(GetMembers(guests.pk)) == []
    assert computed == {f"members {staff.pk}": 5, f"members {guests.pk}": 2}
