"""Checking a problem-details response, for the tests of the HTTP layer."""

from __future__ import annotations

from typing import Any

from django_functionalkit.rest import PROBLEM_CONTENT_TYPE

PROBLEM_KEYS = {"type", "title", "status", "detail"}


def problem(response: Any, status: int) -> dict[str, Any]:
    """The problem-details body of ``response``, checked for shape and status."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body: dict[str, Any] = response.json()
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["type"] == "about:blank"
    return body
