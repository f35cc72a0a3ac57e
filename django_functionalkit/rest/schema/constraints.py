"""The bounds ``Gt`` and ``Lt`` set, as ``exclusiveMinimum`` / ``exclusiveMaximum``.

drf-spectacular publishes the other constraints from the serializer fields themselves
(``minimum``, ``maxLength``, ``maxItems``, ``pattern``, ...); it knows no exclusive validator.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.settings import spectacular_settings

from django_functionalkit.rest.compat import AutoSchemaHooks
from django_functionalkit.rest.constraints import (
    ExclusiveMaxValueValidator,
    ExclusiveMinValueValidator,
)

_BOUNDS = (
    (ExclusiveMinValueValidator, "minimum", max),
    (ExclusiveMaxValueValidator, "maximum", min),
)


class ExclusiveBounds(AutoSchemaHooks):
    """Publishes the exclusive bounds of message fields."""

    def insert_field_validators(self, field: Any, schema: dict[str, Any]) -> None:
        super().insert_field_validators(field, schema)
        kind = schema.get("type")
        if not {"integer", "number"} & set(kind if isinstance(kind, list) else [kind]):
            return  # a decimal written as a string: bounds apply to numbers only
        for validator in field.validators:
            for validator_class, key, stricter in _BOUNDS:
                if isinstance(validator, validator_class):
                    _exclusive(schema, key, stricter, _number(validator.limit_value))


def _exclusive(schema: dict[str, Any], key: str, stricter: Any, limit: Any) -> None:
    exclusive_key = f"exclusive{key.title()}"
    inclusive = schema.get(key)
    if inclusive is not None and stricter(inclusive, limit) != limit:
        return  # an inclusive bound of the same field is already stricter
    if spectacular_settings.OAS_VERSION.startswith("3.0"):
        schema[key] = limit
        schema[exclusive_key] = True
    else:  # OpenAPI 3.1: the number itself
        schema.pop(key, None)
        schema[exclusive_key] = limit


def _number(value: Any) -> Any:
    """A ``Decimal`` limit as the JSON number it is."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
