"""Schemathesis fuzzes the example project's API from its own OpenAPI schema, in-process.

Every operation of ``/api/schema/``, with generated valid (positive) and invalid (negative)
input, a bounded number of examples each, derandomized so that a failure repeats in CI; once
anonymous and once signed in (HTTP Basic, which the example accepts as DRF's default). All of
schemathesis's checks run: no 5xx, only documented statuses, content types and headers,
responses that match their schemas, schema-valid input accepted and schema-invalid input
refused. The WSGI app runs in this process, so the run is in both passes of the suite (SQLite,
then PostgreSQL with Redis).
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

pytestmark = pytest.mark.django_db

# Enough to reach every kind of input of an operation; the whole run stays within about 60 s
# per database on a 2-core machine.
EXAMPLES_PER_OPERATION = 100
USERNAME, PASSWORD = "fuzz", "fuzz-password"


def load_schema() -> schemathesis.BaseSchema:
    """The example's schema, to generate every kind of input: valid and invalid."""
    loaded = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler())
    loaded.config.generation.update(
        modes=list(schemathesis.GenerationMode),
        max_examples=EXAMPLES_PER_OPERATION,
        # No NUL in generated text: PostgreSQL cannot store it, so DRF refuses it in every text
        # field (a 400), and JSON Schema could only say so with a pattern on every string.
        allow_x00=False,
    )
    return loaded


anonymous = load_schema()  # its generated credentials are wrong ones: refused, never used
signed_in = load_schema()
# Real credentials, said as such: then schemathesis also checks that each operation which
# needs them refuses the same request without them, or with wrong ones.
signed_in.config.auth.update(basic=(USERNAME, PASSWORD))
signed_in.config.generation.update(with_security_parameters=False)

fuzz_settings = settings(
    derandomize=True,  # the same cases on every run: a failure in CI repeats on a laptop
    database=None,  # and no examples carried over from an earlier run
    deadline=None,  # a first request warms caches; time is bounded by the example count
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # the fixtures hold for every example of a test
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)


# Refusals no schema can declare, since they depend on the data stored, not on the request's
# shape: a body naming a category or a product that does not exist (`does_not_exist`, as DRF
# answers for a related object), a card the payment service declines (`payment_declined`).
# Every other 4xx to a schema-valid request is still a failure.
STATE_REFUSALS = frozenset({"does_not_exist", "payment_declined"})


def positive_data_acceptance_but_for_state(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """schemathesis's positive_data_acceptance, less the refusals of STATE_REFUSALS."""
    if response.status_code == 400 and _problem_code(response) in STATE_REFUSALS:
        return None
    return positive_data_acceptance(ctx, response, case)


def _problem_code(response: schemathesis.Response) -> object:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None


def call_and_validate(case: schemathesis.Case) -> None:
    """The request, then every check of schemathesis (see STATE_REFUSALS for the one changed)."""
    case.call_and_validate(
        excluded_checks=[positive_data_acceptance],
        additional_checks=[positive_data_acceptance_but_for_state],
    )


@pytest.fixture
def api(default_stack: None) -> Iterator[None]:
    """The example project as `make demo` serves it: its behaviors, its demo data."""
    call_command("seed_demo", stdout=io.StringIO())
    # Each request through the WSGI handler ends by closing the database connection, which
    # would close the test's transaction on PostgreSQL; Django's own test client stops that
    # the same way.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def user(api: None) -> User:
    """A signed-in user with no special rights."""
    return User.objects.create_user(USERNAME, "fuzz@example.com", PASSWORD)


@anonymous.parametrize()
@fuzz_settings
def test_anonymous(case: schemathesis.Case, api: None) -> None:
    call_and_validate(case)


@signed_in.parametrize()
@fuzz_settings
def test_signed_in(case: schemathesis.Case, user: User) -> None:
    call_and_validate(case)
