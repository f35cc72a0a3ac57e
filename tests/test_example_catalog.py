"""The example project's catalog through its API: the guide's cached catalog, invalidated exactly.

Real commits and the default stack of behaviors, as the example project runs: a command's cache
invalidation happens once it committed. Handler calls are counted by spies that wrap the real
handlers, so a read that does not reach its handler was served from the cache.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from django_functionalkit import PagedResult, Result
from django_functionalkit.errors import Error
from django_functionalkit.models import AuditEntry
from django_functionalkit.testing import override_handler
from example_project.catalog import demo, handlers
from example_project.catalog.messages import GetProduct, GetProductCatalog, ProductDto
from example_project.catalog.models import Category, Product
from tests.problems import problem

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("example_project.urls"),
    pytest.mark.usefixtures("default_stack"),
]


@pytest.fixture(autouse=True)
def signed_in(client: Client) -> None:
    """Reading the catalog is open; changing it takes a signed-in user (checked below)."""
    client.force_login(User.objects.create_user("clerk", password="clerk-password"))


@dataclass
class Shop:
    lighting: Category
    furniture: Category
    stationery: Category
    desk_lamp: Product
    floor_lamp: Product
    reading_light: Product
    oak_desk: Product
    notebook: Product


@pytest.fixture
def shop() -> Shop:
    lighting, furniture, stationery = (
        Category.objects.create(name=name) for name in ("Lighting", "Furniture", "Stationery")
    )

    def product(name: str, price: str, stock: int, category: Category) -> Product:
        return Product.objects.create(
            name=name, price=Decimal(price), stock=stock, category=category
        )

    return Shop(
        lighting,
        furniture,
        stationery,
        desk_lamp=product("Desk lamp", "29.90", 12, lighting),
        floor_lamp=product("Floor lamp", "89.00", 4, lighting),
        reading_light=product("Reading light", "19.50", 0, lighting),
        oak_desk=product("Oak desk", "349.00", 3, furniture),
        notebook=product("Notebook", "4.20", 120, stationery),
    )


@pytest.fixture
def computed() -> Iterator[Counter[tuple[Any, ...]]]:
    """How often each catalog page and product reached its handler: ``("page", category,
    page)`` and ``("product", id)``."""
    counts: Counter[tuple[Any, ...]] = Counter()

    def catalog(query: GetProductCatalog) -> PagedResult[ProductDto]:
        counts["page", query.category_id, query.page] += 1
        return handlers.get_product_catalog(query)

    def product(query: GetProduct) -> Result[ProductDto, Error]:
        counts["product", query.product_id] += 1
        return handlers.get_product(query)

    with override_handler(GetProductCatalog, catalog), override_handler(GetProduct, product):
        yield counts


def page(client: Client, category: Category, number: int = 1, size: int = 2) -> list[str] | None:
    """The names on one catalog page (two products to a page); ``None`` past the last page."""
    url = f"/api/products/?category_id={category.pk}&page={number}&page_size={size}"
    response = client.get(url)
    if response.status_code == 404:
        assert problem(response, 404)["code"] == "invalid_page"
        return None
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["results"]]


def product(client: Client, item: Product) -> dict[str, Any]:
    response = client.get(f"/api/products/{item.pk}/")
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def put(client: Client, item: Product, **fields: Any) -> Any:
    return client.put(f"/api/products/{item.pk}/", fields, content_type="application/json")


# -- reading --------------------------------------------------------------------------------


def test_the_catalog_is_a_page_of_a_categorys_products_by_name(client: Client, shop: Shop) -> None:
    first = client.get(f"/api/products/?category_id={shop.lighting.pk}&page_size=2").json()
    assert first["count"] == 3
    assert first["previous"] is None
    assert first["next"] == (
        f"http://testserver/api/products/?category_id={shop.lighting.pk}&page=2&page_size=2"
    )
    assert first["results"][0] == {
        "id": shop.desk_lamp.pk,
        "name": "Desk lamp",
        "price": "29.90",
        "stock": 12,
        "category_id": shop.lighting.pk,
    }
    assert [item["name"] for item in first["results"]] == ["Desk lamp", "Floor lamp"]
    assert page(client, shop.lighting, 2) == ["Reading light"]
    assert page(client, shop.furniture) == ["Oak desk"]
    empty = client.get("/api/products/?category_id=999999").json()
    assert empty == {"count": 0, "next": None, "previous": None, "results": []}
    too_far = problem(
        client.get(f"/api/products/?category_id={shop.lighting.pk}&page=3&page_size=2"), 404
    )
    assert too_far["code"] == "invalid_page"


def test_the_catalog_needs_a_category_and_a_sensible_page(client: Client, shop: Shop) -> None:
    assert set(problem(client.get("/api/products/"), 400)["errors"]) == {"category_id"}
    assert set(problem(client.get("/api/products/?category_id=abc"), 400)["errors"]) == {
        "category_id"
    }
    body = problem(client.get("/api/products/?category_id=1&page=0&page_size=500"), 400)
    assert body["errors"] == {
        "page": ["A page number starts at 1."],
        "page_size": ["A page holds at most 100 items."],
    }


def test_categories_list_with_their_product_counts(client: Client, shop: Shop) -> None:
    assert client.get("/api/categories/").json() == [
        {"id": shop.furniture.pk, "name": "Furniture", "product_count": 1},
        {"id": shop.lighting.pk, "name": "Lighting", "product_count": 3},
        {"id": shop.stationery.pk, "name": "Stationery", "product_count": 1},
    ]


def test_a_product_is_200_or_a_404_problem(client: Client, shop: Shop) -> None:
    assert product(client, shop.oak_desk)["price"] == "349.00"
    assert problem(client.get("/api/products/999999/"), 404) == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "Product 999999 not found",
        "code": "not_found",
    }
    assert set(problem(client.get("/api/products/abc/"), 400)["errors"]) == {"product_id"}


# -- creating and updating ------------------------------------------------------------------


def test_create_is_201_with_where_the_product_is(client: Client, shop: Shop) -> None:
    payload = {"name": "Desk organiser", "price": "14.50", "category_id": shop.stationery.pk}
    response = client.post("/api/products/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert response["Location"] == f"http://testserver/api/products/{created['id']}/"
    assert created == {
        "id": created["id"],
        "name": "Desk organiser",
        "price": "14.50",
        "stock": 0,
        "category_id": shop.stationery.pk,
    }
    assert client.get(response["Location"]).json() == created


def test_invalid_products_report_every_field_and_write_nothing(client: Client, shop: Shop) -> None:
    def create(**payload: Any) -> Any:
        return client.post("/api/products/", payload, content_type="application/json")

    # The serializer holds each field to what its type declares (and the schema publishes).
    body = problem(create(name=" ", price="-5", category_id=0, stock=-1), 400)
    assert body["errors"] == {
        "name": ["Enter a valid value."],
        "price": ["Ensure this value is greater than or equal to 0."],
        "category_id": ["Ensure this value is greater than or equal to 1."],
        "stock": ["Ensure this value is greater than or equal to 0."],
    }
    body = problem(create(name="x" * 201, price="1000000", category_id=shop.lighting.pk), 400)
    assert body["errors"] == {
        "name": ["Ensure this field has no more than 200 characters."],
        "price": ["Ensure that there are no more than 6 digits before the decimal point."],
    }
    body = problem(create(name="Lamp", price="9.999", category_id=shop.lighting.pk), 400)
    # the serializer of Decimal fields refuses more places, before the message's own check
    assert body["errors"] == {"price": ["Ensure that there are no more than 2 decimal places."]}
    body = problem(create(name="Lamp", price="9.99", category_id=999999), 400)
    assert body["errors"] == {"category_id": ["Category 999999 does not exist"]}
    assert body["code"] == "does_not_exist"  # a fact of the data, not of the request's shape
    assert set(problem(create(name="Lamp"), 400)["errors"]) == {"price", "category_id"}
    assert Product.objects.count() == 5


def test_update_takes_the_id_from_the_url(client: Client, shop: Shop) -> None:
    response = put(client, shop.desk_lamp, name="Desk lamp XL", price="34.90")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "id": shop.desk_lamp.pk,
        "name": "Desk lamp XL",
        "price": "34.90",
        "stock": 12,
        "category_id": shop.lighting.pk,
    }
    shop.desk_lamp.refresh_from_db()
    assert (shop.desk_lamp.name, shop.desk_lamp.price) == ("Desk lamp XL", Decimal("34.90"))
    entry = AuditEntry.objects.get(message_type="example_project.catalog.messages.UpdateProduct")
    assert entry.success
    assert entry.request_data == {
        "product_id": shop.desk_lamp.pk,
        "name": "Desk lamp XL",
        "price": "34.90",
        "category_id": None,
    }
    body = problem(put(client, shop.desk_lamp, name="", price="-1", category_id=-3), 400)
    assert set(body["errors"]) == {"name", "price", "category_id"}
    problem(
        client.put(
            "/api/products/999999/", {"name": "X", "price": "1"}, content_type="application/json"
        ),
        404,
    )


# -- the cache ------------------------------------------------------------------------------


def test_reads_are_cached_per_category_and_page(
    client: Client, shop: Shop, computed: Counter[tuple[Any, ...]]
) -> None:
    for _ in range(3):
        page(client, shop.lighting, 1)
        page(client, shop.lighting, 2)
        page(client, shop.furniture)
        product(client, shop.desk_lamp)
    page(client, shop.lighting, 1, size=20)  # another page size is another entry
    assert computed == {
        ("page", shop.lighting.pk, 1): 2,
        ("page", shop.lighting.pk, 2): 1,
        ("page", shop.furniture.pk, 1): 1,
        ("product", shop.desk_lamp.pk): 1,
    }
    # A failure is never cached: a missing product reaches its handler every time.
    client.get("/api/products/999999/")
    client.get("/api/products/999999/")
    assert computed["product", 999999] == 2


def test_an_update_recomputes_its_product_and_its_categorys_pages_only(
    client: Client, shop: Shop, computed: Counter[tuple[Any, ...]]
) -> None:
    def read_everything() -> list[object]:
        return [
            page(client, shop.lighting, 1),
            page(client, shop.lighting, 2),
            page(client, shop.furniture),
            product(client, shop.desk_lamp)["name"],
            product(client, shop.floor_lamp)["name"],
        ]

    read_everything()
    read_everything()
    assert set(computed.values()) == {1}  # the second round came from the cache

    assert put(client, shop.desk_lamp, name="Reading lamp", price="24.90").status_code == 200
    assert read_everything() == [
        ["Floor lamp", "Reading lamp"],  # renamed: it moved to the second place
        ["Reading light"],
        ["Oak desk"],
        "Reading lamp",
        "Floor lamp",
    ]
    assert computed == {
        ("page", shop.lighting.pk, 1): 2,  # both pages of its category
        ("page", shop.lighting.pk, 2): 2,
        ("product", shop.desk_lamp.pk): 2,  # and the product itself
        ("page", shop.furniture.pk, 1): 1,  # another category: still cached
        ("product", shop.floor_lamp.pk): 1,  # another product: still cached
    }


def test_a_move_recomputes_the_pages_of_both_categories_and_nothing_else(
    client: Client, shop: Shop, computed: Counter[tuple[Any, ...]]
) -> None:
    def read_everything() -> list[list[str] | None]:
        return [
            page(client, shop.lighting, 1),
            page(client, shop.lighting, 2),
            page(client, shop.furniture),
            page(client, shop.stationery),
        ]

    read_everything()
    moved = put(
        client, shop.floor_lamp, name="Floor lamp", price="89.00", category_id=shop.furniture.pk
    )
    assert moved.json()["category_id"] == shop.furniture.pk
    assert read_everything() == [
        ["Desk lamp", "Reading light"],
        None,  # the category it left has one page less
        ["Floor lamp", "Oak desk"],
        ["Notebook"],
    ]
    assert computed == {
        ("page", shop.lighting.pk, 1): 2,  # the category it left
        ("page", shop.lighting.pk, 2): 2,
        ("page", shop.furniture.pk, 1): 2,  # the category it joined
        ("page", shop.stationery.pk, 1): 1,  # a third one: still cached
    }


def test_a_failed_change_invalidates_nothing(
    client: Client, shop: Shop, computed: Counter[tuple[Any, ...]]
) -> None:
    def read_everything() -> None:
        page(client, shop.lighting)
        page(client, shop.furniture)
        product(client, shop.desk_lamp)

    read_everything()
    problem(put(client, shop.desk_lamp, name="", price="1"), 400)  # refused by validation
    problem(put(client, shop.desk_lamp, name="Lamp", price="1", category_id=999999), 400)
    body = problem(
        client.post(
            "/api/products/",
            {"name": "Lamp", "price": "1", "category_id": 999999},
            content_type="application/json",
        ),
        400,
    )
    assert body["errors"] == {"category_id": ["Category 999999 does not exist"]}
    read_everything()
    assert set(computed.values()) == {1}
    assert product(client, shop.desk_lamp)["name"] == "Desk lamp"


def test_a_new_product_recomputes_its_categorys_pages_only(
    client: Client, shop: Shop, computed: Counter[tuple[Any, ...]]
) -> None:
    page(client, shop.furniture)
    page(client, shop.stationery)
    payload = {"name": "Bookshelf", "price": "120.00", "category_id": shop.furniture.pk}
    assert (
        client.post("/api/products/", payload, content_type="application/json").status_code == 201
    )
    assert page(client, shop.furniture) == ["Bookshelf", "Oak desk"]
    page(client, shop.stationery)
    assert computed == {("page", shop.furniture.pk, 1): 2, ("page", shop.stationery.pk, 1): 1}


def test_a_change_saved_in_the_admin_reaches_the_cached_api(
    client: Client, shop: Shop, computed: Counter[tuple[Any, ...]]
) -> None:
    assert product(client, shop.oak_desk)["price"] == "349.00"
    assert page(client, shop.furniture) == ["Oak desk"]
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pass"))
    response = client.post(
        f"/admin/example_catalog/product/{shop.oak_desk.pk}/change/",
        {"name": "Oak desk", "price": "299.00", "stock": 3, "category": shop.lighting.pk},
    )
    assert response.status_code == 302, response.content
    assert product(client, shop.oak_desk)["price"] == "299.00"
    assert page(client, shop.furniture) == []  # the category it left
    assert computed == {("product", shop.oak_desk.pk): 2, ("page", shop.furniture.pk, 1): 2}


def test_products_deleted_and_repriced_in_the_admins_list_reach_the_cached_api(
    client: Client, shop: Shop, computed: Counter[tuple[Any, ...]]
) -> None:
    assert page(client, shop.lighting, size=5) == ["Desk lamp", "Floor lamp", "Reading light"]
    assert product(client, shop.notebook)["price"] == "4.20"
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pass"))
    changelist = "/admin/example_catalog/product/"
    selected = [shop.floor_lamp.pk, shop.reading_light.pk]
    deleted = {"action": "delete_selected", "_selected_action": selected, "post": "yes"}
    assert client.post(changelist, deleted).status_code == 302
    assert page(client, shop.lighting, size=5) == ["Desk lamp"]
    rows = Product.objects.order_by("name", "pk")  # the changelist's order
    edited = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": str(len(rows)),
        "_save": "Save",
    }
    for i, row in enumerate(rows):
        price = "3.90" if row == shop.notebook else str(row.price)
        edited |= {f"form-{i}-id": str(row.pk), f"form-{i}-price": price}
        edited |= {f"form-{i}-stock": str(row.stock)}
    assert client.post(changelist, edited).status_code == 302
    assert product(client, shop.notebook)["price"] == "3.90"
    assert computed[("product", shop.notebook.pk)] == 2


def test_the_demo_catalog_loads_once() -> None:
    demo.load()
    demo.load()
    assert sorted(Category.objects.values_list("name", flat=True)) == sorted(demo.CATALOG)
    expected = [(category, name) for category, items in demo.CATALOG.items() for name, *_ in items]
    assert sorted(Product.objects.values_list("category__name", "name")) == sorted(expected)


def test_changing_the_catalog_takes_a_signed_in_user(shop: Shop) -> None:
    anonymous = Client()
    assert anonymous.get(f"/api/products/{shop.desk_lamp.pk}/").status_code == 200
    changed = anonymous.put(
        f"/api/products/{shop.desk_lamp.pk}/",
        {"name": "Lamp", "price": "10.00"},
        content_type="application/json",
    )
    assert changed.status_code in (401, 403)  # DRF: 403 with session authentication
