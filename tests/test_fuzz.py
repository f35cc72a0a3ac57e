"""Schemathesis against the example project's OpenAPI schema, in-process."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, settings

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler())
schema.config.generation.update(modes=list(schemathesis.GenerationMode), max_examples=10)


@schema.parametrize()
@settings(derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_anonymous(case: schemathesis.Case, default_stack: None) -> None:
    case.call_and_validate()
