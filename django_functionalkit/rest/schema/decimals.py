"""The pattern of a decimal written as a string: exactly the text the message serializer takes.

drf-spectacular's pattern (``^-?\\d{0,26}(?:\\.\\d{0,2})?$``) also admits ``""``, ``"-"`` and
``"."``, which are no numbers, and a minus sign where the field's minimum is 0: a client that
follows the schema would be refused. Here a decimal has at least one digit, ASCII digits only
(JSON Schema's ``\\d``), no more whole digits than ``max_digits - decimal_places``, and a sign
only when the field takes negative values.
"""

from __future__ import annotations

from typing import Any

from rest_framework.fields import DecimalField

from django_functionalkit.rest.compat import AutoSchemaHooks


class DecimalPatterns(AutoSchemaHooks):
    """Publishes a decimal string's pattern as its field parses it."""

    def map_serializer_field(
        self, field: Any, direction: str, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        schema = super().map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, DecimalField) and "pattern" in schema and not field.localize:
            schema["pattern"] = decimal_pattern(field)
        return schema


def decimal_pattern(field: DecimalField) -> str:
    r"""``^-?0*(?:[0-9]{1,W}(?:\.[0-9]{0,D})?|\.[0-9]{1,D})$`` for ``W`` whole and ``D``
    decimal digits (leading zeros are free, as for ``Decimal``); without ``-?`` when the
    minimum is 0 or more."""
    sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
    whole, places = field.max_whole_digits or 0, field.decimal_places or 0
    fraction = rf"\.[0-9]{{1,{places}}}"
    if not whole:  # DRF counts "0" as a whole digit: only a fraction fits
        return rf"^{sign}0*{fraction}$"
    if not places:
        return rf"^{sign}0*[0-9]{{1,{whole}}}$"
    return rf"^{sign}(?:0*[0-9]{{1,{whole}}}(?:\.[0-9]{{0,{places}}})?|{fraction})$"
