"""Property-based tests of the API against its own OpenAPI schema (schemathesis 4).

The schema is read from /api/schema/ of the WSGI application, in this process, and every
operation is called with generated data, valid and invalid, as each role (authenticated
with a DRF token) on the security tests' world. For every response: no 5xx; the status
code, content type, headers and body conform to the schema; invalid data is refused with a
4xx and valid data is not refused with a 400; and, for signed-in roles, the same valid
request without the token is refused. `manage.py spectacular --validate --fail-on-warn`
must pass as well.

schemathesis' own pytest integration (`schemathesis.pytest.from_fixture`) does not work
with pytest 9 (it reads `Node._nodeid`, which pytest 9 removed), so the operations are
driven here with `APIOperation.as_strategy()` and Hypothesis directly: each role is one
test, and a failure lists every operation that failed with a curl line that reproduces it.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "analyst", "manager", "firm_user")
MAX_EXAMPLES = 25  # per operation and generation mode
# Anonymous requests stop at authentication (401) on every operation but the token one.
MAX_EXAMPLES_ANONYMOUS = 10


# A negative test that puts "-5" or "1.5" in an `<int:...>` path segment never reaches a
# view: the project's 404 handler answers it, with DRF's JSON body, so every check applies.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
    positive_data_acceptance,
]
# Checks that do not apply to one operation, with the reason.
NOT_FOR = {
    # Well-formed but wrong credentials are refused with 400, as DRF's own token view does
    # (and the login tests expect); no generated password is ever right.
    "POST /api/v1/auth/token/": {positive_data_acceptance},
    # An empty file is valid `format: binary`, and refused with 400 "the file is empty".
    "POST /api/v1/imports/": {positive_data_acceptance},
}


@pytest.fixture
def wsgi_app():
    """The project's WSGI application, safe to call inside a test transaction.

    Django's handler closes "old" connections when each request starts and ends; inside
    the test's transaction that would drop its data. Django's test client disconnects the
    same two receivers while it sends a request.
    """
    from smerank.wsgi import application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield application
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _token_headers(rich, role: str) -> dict[str, str]:
    user = {
        "anonymous": None,
        "analyst": rich.world.analyst,
        "manager": rich.world.manager,
        "firm_user": rich.world.firm_user,
    }[role]
    if user is None:
        return {}
    return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}


def _exercise(operation, mode: GenerationMode, headers: dict[str, str], counts: dict) -> None:
    checks = [c for c in CHECKS if c not in NOT_FOR.get(operation.label, ())]
    if headers and mode.is_positive:
        checks.append(ignored_auth)  # the same request without the token must be refused

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES if headers else MAX_EXAMPLES_ANONYMOUS,
        deadline=None,
        database=None,
        derandomize=True,  # the same examples on every run and backend
        phases=[Phase.explicit, Phase.generate],  # no shrinking: a bounded run time
        suppress_health_check=list(HealthCheck),
    )
    def call(case) -> None:
        cache.clear()  # throttles: a generated request is refused for its data, not volume
        counts["calls"] += 1
        case.call_and_validate(headers=headers, checks=checks)

    call()


@pytest.mark.parametrize("role", ROLES)
def test_the_api_conforms_to_its_schema(rich, wsgi_app, role: str, record_property) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    headers = _token_headers(rich, role)
    counts = {"calls": 0, "operations": 0}
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        counts["operations"] += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _exercise(operation, mode, headers, counts)
            except Unsatisfiable:
                # No invalid request exists (no parameters, no body): nothing to send.
                assert mode == GenerationMode.NEGATIVE, operation.label
            except (Exception, BaseExceptionGroup) as exc:  # collect every failure, then fail
                failures.append(f"--- {role} {operation.label} ({mode.value}):\n{exc}")
    record_property("schemathesis_calls", counts["calls"])
    print(f"\nschemathesis, {role}: {counts['operations']} operations, {counts['calls']} calls")
    assert counts["operations"] >= 15, counts
    if failures:
        pytest.fail("\n".join(failures), pytrace=False)


def test_the_schema_is_valid_without_warnings() -> None:
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
