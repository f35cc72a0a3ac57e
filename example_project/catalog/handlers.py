"""Handlers of the catalog app. None of them touches the cache: the messages say what is
cached and what a change makes stale, and ``CacheBehavior`` does the rest."""

from __future__ import annotations

from django.db.models import Count

from django_functionalkit import (
    FieldError,
    Option,
    PagedResult,
    Result,
    Success,
    handler,
)
from django_functionalkit.errors import Error, InvalidInput, NotFound

from .messages import (
    CategoryDto,
    CreateProduct,
    GetCategories,
    GetProduct,
    GetProductCatalog,
    ProductDto,
    UpdateProduct,
)
from .models import Category, Product


@handler
def get_categories(query: GetCategories) -> list[CategoryDto]:
    categories = Category.objects.annotate(product_count=Count("products")).order_by("name")
    return [CategoryDto(c.pk, c.name, c.product_count) for c in categories]


@handler
def get_product_catalog(query: GetProductCatalog) -> PagedResult[ProductDto]:
    products = Product.objects.filter(category_id=query.category_id).order_by("name", "pk")
    return PagedResult.of(products, query.page, query.page_size).map(ProductDto.from_model)


@handler
def get_product(query: GetProduct) -> Result[ProductDto, Error]:
    return (
        Option.of(Product.objects.filter(pk=query.product_id).first())
        .to_result(NotFound(f"Product {query.product_id} not found"))
        .map(ProductDto.from_model)
    )


@handler
def create_product(command: CreateProduct) -> Result[ProductDto, Error]:
    return (
        find_category(command.category_id)
        .map(
            lambda category: Product.objects.create(
                name=command.name, price=command.price, stock=command.stock, category=category
            )
        )
        .map(ProductDto.from_model)
    )


@handler
def update_product(command: UpdateProduct) -> Result[ProductDto, Error]:
    """The guide's UpdateProductHandler, without its cache code (see ``UpdateProduct``)."""

    def move(product: Product) -> Result[Product, Error]:
        if command.category_id is None or command.category_id == product.category_id:
            return Success(product)
        return find_category(command.category_id).map(lambda category: product)

    def apply(product: Product) -> Product:
        product.name = command.name
        product.price = command.price
        if command.category_id is not None:
            product.category_id = command.category_id
        product.save(update_fields=["name", "price", "category"])
        return product

    return (
        Option.of(Product.objects.filter(pk=command.product_id).first())
        .to_result(NotFound(f"Product {command.product_id} not found"))
        .tap(lambda _: command.category_before)  # remembered before the save: see UpdateProduct
        .then(move)
        .map(apply)
        .map(ProductDto.from_model)
    )


def find_category(category_id: int) -> Result[Category, Error]:
    """The category, or an invalid ``category_id``: it comes in the body, not the URL (code
    ``does_not_exist``, as DRF answers for a related object that does not exist)."""
    missing = FieldError("category_id", f"Category {category_id} does not exist", "does_not_exist")
    return Option.of(Category.objects.filter(pk=category_id).first()).to_result(
        InvalidInput(str(missing), code="does_not_exist", errors=(missing,))
    )
