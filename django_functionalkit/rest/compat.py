"""drf-spectacular's private hooks, under names of ours: the one place ``rest/`` touches them.

The schema of a message view changes how drf-spectacular maps serializers and fields, and
whether an operation lists (``_is_list_view``); drf-spectacular has no public hook for any of
these. ``AutoSchemaHooks`` answers each private name by calling a public one of its own, which
the schema's parts override and extend with ``super()``; ``tests/test_compat.py`` checks each
private name against the installed drf-spectacular, so an upgrade breaks there. Apart from
``django_functionalkit/compat.py`` because DRF is an optional extra (see that module).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema

__all__ = ["AutoSchemaHooks"]


class AutoSchemaHooks(AutoSchema):
    """drf-spectacular's ``AutoSchema``, its private hooks routed to public methods."""

    def map_serializer(self, serializer: Any, direction: str) -> dict[str, Any]:
        """The JSON schema of ``serializer``'s fields (``properties``, ``required``)."""
        schema: dict[str, Any] = self._map_serializer(serializer, direction)  # type: ignore[no-untyped-call]
        return schema

    def is_list_view(self, serializer: Any = None) -> bool:
        """Whether drf-spectacular wraps the response in a list (or a page), and adds filters."""
        return super()._is_list_view(serializer)

    def map_serializer_field(
        self, field: Any, direction: str, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        """The JSON schema of one serializer field."""
        schema: dict[str, Any] = super()._map_serializer_field(  # type: ignore[no-untyped-call]
            field, direction, bypass_extensions
        )
        return schema

    def insert_field_validators(self, field: Any, schema: dict[str, Any]) -> None:
        """Add what ``field``'s validators say (bounds, lengths, patterns) to its ``schema``."""
        super()._insert_field_validators(field, schema)  # type: ignore[no-untyped-call]

    # -- drf-spectacular's names ------------------------------------------------------------------

    def _is_list_view(self, serializer: Any = None) -> bool:
        return self.is_list_view(serializer)

    def _map_serializer_field(
        self, field: Any, direction: str, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        return self.map_serializer_field(field, direction, bypass_extensions)

    def _insert_field_validators(self, field: Any, schema: dict[str, Any]) -> None:
        self.insert_field_validators(field, schema)
