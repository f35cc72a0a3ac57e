"""The catalog's messages and what they return: the guide's product examples.

The guide caches ``GetProductCatalogQuery`` per category and page, and its
``UpdateProductHandler`` removes ``product:{id}`` and every catalog page of the category by
hand. Here the queries name their entries (``cache_key``) and groups (``cache_tags``), and the
commands declare what they make stale; ``CacheBehavior`` drops it once they committed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import cached_property
from typing import Annotated

from annotated_types import Ge, Gt, Le, Lt, MaxLen

from django_functionalkit import (
    Cacheable,
    Command,
    FieldError,
    Invalid,
    InvalidatesCache,
    PagedResult,
    Query,
    Result,
    Unit,
    Valid,
    Validatable,
    Validation,
    unit,
)
from django_functionalkit.errors import Error
from example_project.text import NOT_BLANK

from .models import Product

MAX_PRICE = Decimal(1_000_000)
CENT = Decimal("0.01")
MAX_NAME = 200
MAX_STOCK = 2**31 - 1  # what the stock column holds on every database

# What a request may hold, declared in the types: the message serializer refuses anything else
# with a 400 and the OpenAPI schema says it. validate() keeps the same rules, in the app's own
# words, for messages sent without a view.
ProductName = Annotated[str, MaxLen(MAX_NAME), NOT_BLANK]
# Below 1,000,000 with cents: at most 6 whole digits, which the schema's pattern for a decimal
# string can say (a bound of 1,000,000.00 itself it could not).
Price = Annotated[Decimal, Ge(0), Lt(MAX_PRICE)]
PRICE_DIGITS = {"serializer_kwargs": {"max_digits": 8, "decimal_places": 2}}
CategoryId = Annotated[int, Gt(0)]
Stock = Annotated[int, Ge(0), Le(MAX_STOCK)]


def product_key(product_id: int) -> str:
    """The cache key of one product (``GetProduct``), also what changes to it invalidate."""
    return f"product:{product_id}"


def catalog_tag(category_id: int) -> str:
    """The tag of every cached catalog page of a category."""
    return f"catalog:{category_id}"


@dataclass(frozen=True)
class CategoryDto:
    """What a client sees of a category."""

    id: int
    name: str
    product_count: int


@dataclass(frozen=True)
class ProductDto:
    """What a client sees of a product."""

    id: int
    name: str
    price: Decimal
    stock: int
    category_id: int

    @classmethod
    def from_model(cls, product: Product) -> ProductDto:
        return cls(
            id=product.pk,
            name=product.name,
            price=Decimal(product.price).quantize(CENT),  # as stored, also before a reload
            stock=product.stock,
            category_id=product.category_id,
        )


@dataclass(frozen=True)
class GetCategories(Query[list[CategoryDto]]):
    """Every category, by name, with how many products it holds."""


@dataclass(frozen=True)
class GetProductCatalog(Query[PagedResult[ProductDto]], Cacheable, Validatable):
    """A page of a category's products, by name; cached for 30 minutes per category and page.

    Every page of a category carries the tag `catalog:<category_id>`, so a change to one of
    its products drops all of them at once (the guide lists the keys of every page by hand).
    An unknown category is an empty page.
    """

    category_id: int
    page: int = 1
    page_size: int = 20
    cache_timeout = timedelta(minutes=30)

    @property
    def cache_key(self) -> str:
        return f"product-catalog:{self.category_id}:{self.page}:{self.page_size}"

    @property
    def cache_tags(self) -> tuple[str, ...]:
        return (catalog_tag(self.category_id),)

    def validate(self) -> Validation[Unit, FieldError]:
        return Validation.all(
            check(self.page >= 1, "page", "A page number starts at 1.", "min_value"),
            check(1 <= self.page_size <= 100, "page_size", "A page holds 1 to 100 products."),
        ).map(lambda _: unit)


@dataclass(frozen=True)
class GetProduct(Query[Result[ProductDto, Error]], Cacheable):
    """The product with this id, or `NotFound`; cached under `product:<id>`."""

    product_id: int

    @property
    def cache_key(self) -> str:
        return product_key(self.product_id)


@dataclass(frozen=True)
class CreateProduct(Command[Result[ProductDto, Error]], Validatable, InvalidatesCache):
    """A new product in a category (the guide's CreateProductCommand).

    The category's cached catalog pages are dropped: the product appears on them.
    """

    name: ProductName
    price: Price = field(metadata=PRICE_DIGITS)
    category_id: CategoryId
    stock: Stock = 0

    def validate(self) -> Validation[Unit, FieldError]:
        return Validation.all(
            validate_product_name(self.name),
            validate_price(self.price),
            check(self.category_id > 0, "category_id", "Category ID must be positive", "min_value"),
            validate_stock(self.stock),
        ).map(lambda _: unit)

    @property
    def invalidates_tags(self) -> tuple[str, ...]:
        return (catalog_tag(self.category_id),)


@dataclass(frozen=True)
class UpdateProduct(Command[Result[ProductDto, Error]], Validatable, InvalidatesCache):
    """A new name and price for a product, and maybe a new category (the guide's
    UpdateProductCommand).

    It drops the product's cached entry and every cached catalog page of its category, and of
    the category it left when it moves: nothing else.
    """

    product_id: int
    name: ProductName
    price: Price = field(metadata=PRICE_DIGITS)
    category_id: CategoryId | None = None

    def validate(self) -> Validation[Unit, FieldError]:
        category = self.category_id
        return Validation.all(
            validate_product_name(self.name),
            validate_price(self.price),
            check(category is None or category > 0, "category_id", "Category ID must be positive"),
        ).map(lambda _: unit)

    @cached_property
    def category_before(self) -> int | None:
        """The product's category before this command changed it (``None``: no such product).

        Read once, then remembered on the message: the handler reads it before it saves, so
        that ``invalidates_tags``, which the cache behavior reads after the commit, still
        knows the category the product left.
        """
        found: int | None = (
            Product.objects.filter(pk=self.product_id).values_list("category_id", flat=True).first()
        )
        return found

    @property
    def invalidates_keys(self) -> tuple[str, ...]:
        return (product_key(self.product_id),)

    @property
    def invalidates_tags(self) -> tuple[str, ...]:
        categories = {c for c in (self.category_before, self.category_id) if c is not None}
        return tuple(catalog_tag(c) for c in sorted(categories))


def check(ok: bool, name: str, message: str, code: str = "invalid") -> Validation[Unit, FieldError]:
    return Valid(unit) if ok else Invalid(FieldError(name, message, code))


def validate_stock(stock: int) -> Validation[Unit, FieldError]:
    if stock < 0:
        return Invalid(FieldError("stock", "Stock cannot be negative", "min_value"))
    return check(stock <= MAX_STOCK, "stock", f"Stock cannot exceed {MAX_STOCK}", "max_value")


def validate_product_name(name: str) -> Validation[Unit, FieldError]:
    if not name.strip():
        return Invalid(FieldError("name", "Product name is required", "required"))
    return check(
        len(name) <= MAX_NAME,
        "name",
        f"Product name cannot exceed {MAX_NAME} characters",
        "max_length",
    )


def validate_price(price: Decimal) -> Validation[Unit, FieldError]:
    if price < 0:
        return Invalid(FieldError("price", "Price cannot be negative", "min_value"))
    if price >= MAX_PRICE:
        return Invalid(FieldError("price", "Price must be below 1,000,000", "max_value"))
    whole_cents = price.quantize(CENT) == price
    return check(whole_cents, "price", "Price has at most 2 decimal places", "max_decimal_places")
