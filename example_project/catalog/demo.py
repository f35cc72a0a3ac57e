"""Demo data of the catalog: a few categories and products; loading it again changes nothing."""

from __future__ import annotations

from decimal import Decimal

from .models import Category, Product

# category -> (product, price, stock)
CATALOG: dict[str, list[tuple[str, str, int]]] = {
    "Lighting": [
        ("Desk lamp", "29.90", 12),
        ("Floor lamp", "89.00", 4),
        ("Reading light", "19.50", 0),
    ],
    "Furniture": [
        ("Oak desk", "349.00", 3),
        ("Office chair", "189.00", 7),
    ],
    "Stationery": [
        ("Notebook", "4.20", 120),
        ("Fountain pen", "36.00", 15),
        ("Ink cartridges", "6.80", 60),
    ],
}


def load() -> None:
    """Create what is missing, by name; products already there keep their price and stock."""
    for category_name, products in CATALOG.items():
        category, _ = Category.objects.get_or_create(name=category_name)
        for name, price, stock in products:
            Product.objects.get_or_create(
                category=category,
                name=name,
                defaults={"price": Decimal(price), "stock": stock},
            )
