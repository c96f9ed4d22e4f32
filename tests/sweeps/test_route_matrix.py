"""The route × role table (tests/sweeps/route_table.py): every route of the app, called by
each caller on real objects with a valid body, answers exactly the status the table states.

A route the table does not list fails ``test_every_route_is_in_the_table``: a new page or
endpoint cannot ship without saying what each role gets from it.
"""

from __future__ import annotations

import pytest

from tests.sweeps.requests import build_url, send
from tests.sweeps.route_table import CALLERS, ROWS


def _app_routes(app) -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }


def test_every_route_is_in_the_table(sweep_app):
    listed = {(endpoint, method) for endpoint, method, *_ in ROWS}
    missing = sorted(_app_routes(sweep_app) - listed)
    assert not missing, f"routes without a row in tests/sweeps/route_table.py: {missing}"
    stale = sorted(listed - _app_routes(sweep_app))
    assert not stale, f"rows for routes the app does not have: {stale}"
    for endpoint, method, _args, _body, expected in ROWS:
        assert len(expected.split()) == len(CALLERS), (endpoint, method, expected)


@pytest.mark.parametrize("caller", CALLERS)
def test_each_route_answers_each_caller_as_the_table_says(sweep, caller):
    column = CALLERS.index(caller)
    failures = []
    for index, (endpoint, method, args, body, expected) in enumerate(ROWS):
        url = build_url(sweep.app, endpoint, args, sweep)
        response = send(sweep, caller, method, url, body, fresh_login=endpoint == "auth.logout")
        want = expected.split()[column] if expected else "?"
        if str(response.status_code) != want:
            failures.append(
                f"#{index} {method} {url}: expected {want}, got {response.status_code} "
                f"{response.get_data()[:160]!r}"
            )
    print(f"\nroute table, {caller}: {len(ROWS)} rows, {len(failures)} unexpected")
    assert not failures, "\n".join(failures)
