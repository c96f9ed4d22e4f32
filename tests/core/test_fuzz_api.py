"""schemathesis against the app's own /api/v1/openapi.json, in process, with a token of each role:
no generated request may end in a server error, and every answer matches the response schema the
document declares for it. Bounded: a few examples per operation and role.
"""

from __future__ import annotations

import time

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from hrfund.auth.services import create_api_token
from tests import factories

ROLES = ("hr", "employee", "coordinator", "auditor", "manager", "admin")
#: Examples per operation (each sent as one role drawn from ROLES, all roles covered in turn).
EXAMPLES = 3


def _tokens(db) -> dict[str, str]:
    tokens = {}
    for role in ROLES:
        user = factories.user(roles=[role])
        _token, plain = create_api_token(user, user, "fuzz")
        tokens[role] = plain
    db.session.commit()
    return tokens


def _run_operation(operation, mode, tokens: dict[str, str], failures: list, counter: list) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), role=st.sampled_from(ROLES))
    def run(case, role):
        counter[0] += 1
        headers = {"Authorization": f"Bearer {tokens[role]}"}
        try:
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )
        except Exception as error:  # a 500, an answer off its schema, or an escaped exception
            failures.append(f"{role} {case.method} {case.formatted_path}: {error!r:.300}")

    run()


def test_schemathesis_finds_no_server_error(app, db):
    factories.city("SEL")
    tokens = _tokens(db)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    counter = [0]
    started = time.monotonic()
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _run_operation(operation, mode, tokens, failures, counter)
    elapsed = time.monotonic() - started
    print(
        f"\nschemathesis: {operations} operations, {counter[0]} requests, "
        f"{len(failures)} failures, {elapsed:.1f}s"
    )
    assert operations >= 50
    assert failures == []
