"""OpenAPI for message views, with drf-spectacular."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema

__all__ = ["MessageSchema"]


class MessageSchema(AutoSchema):
    """Describes a message view from its message and result types."""
