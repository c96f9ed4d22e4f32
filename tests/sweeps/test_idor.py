"""Cross-city and cross-person IDOR: each attacker tries the other side's objects on every route
that names one (reads, actions, files, exports, feeds; pages and API), and every list, export
and feed with filters that point at the other side.

- Kim (Seoul) on Berlin's placements, milestones, reports, nominations; Anna (Berlin) on
  Seoul's; Yamada on Tanaka's applications, records, scores, notifications, tokens, placement
  and person; Tanaka on Yamada's (tests/sweeps/world.py).
- A route that names an object is tried with the other side's id for every such argument, and
  with the attacker's own parent and the other side's child (``/placements/<mine>/reports/
  <theirs>``). It must answer 403 or 404, change nothing (row counts of every table and the
  other side's rows), and say nothing of the other side (its markers).
- A list is read plain and with each filter set to the other side (``city=BER``, its id, its
  people's addresses, its names): no marker of the other side in any answer.
"""

from __future__ import annotations

import hashlib
import itertools
import re

import pytest
import sqlalchemy as sa

from hrfund.extensions import db
from tests.sweeps.requests import build_url, resolve, send
from tests.sweeps.route_table import ROWS
from tests.sweeps.world import MARKERS, OTHERS, PERSONAS

#: attacker → (victim whose markers must not show, {url argument: the victim's ids},
#: {url argument: the attacker's own ids, for a parent of the victim's child})
ATTACKS = {
    "coordinator": (
        "coordinator2",
        {
            "placement_id": ["@placement_ber"],
            "milestone_id": ["@milestone_ber"],
            "report_id": ["@report_ber"],
            "nomination_id": ["@nomination_ber"],
            "code": ["BER"],
        },
        {"placement_id": ["@placement_sel_active"]},
    ),
    "coordinator2": (
        "coordinator",
        {
            "placement_id": ["@placement_sel", "@placement_sel_active", "@placement_sel_confirmed"],
            "milestone_id": ["@milestone_sel", "@milestone_sel_active_open"],
            "report_id": ["@report_sel"],
            "nomination_id": ["@nomination_sel"],
            "code": ["SEL"],
        },
        {"placement_id": ["@placement_ber"]},
    ),
    "employee": (
        "employee2",
        {
            "application_id": ["@app_tanaka"],
            "record_id": ["@record_tanaka"],
            "score_id": ["@score_tanaka"],
            "user_id": ["@user_employee2"],
            "notification_id": ["@notification_employee2"],
            "token_id": ["@token_employee2", "@feed_employee2"],
            "placement_id": ["@placement_sel_confirmed"],
            "delegation_id": ["@delegation"],
        },
        {"application_id": ["@app_yamada_draft"], "placement_id": ["@placement_sel_active"]},
    ),
    "employee2": (
        "employee",
        {
            "application_id": ["@app_yamada", "@app_yamada_submitted", "@app_yamada_draft"],
            "attachment_id": ["@attachment_yamada"],
            "record_id": ["@record_yamada", "@record_enrolled"],
            "score_id": ["@score_yamada"],
            "user_id": ["@user_employee"],
            "notification_id": ["@notification_employee"],
            "token_id": ["@token_employee", "@feed_employee"],
            "placement_id": ["@placement_sel", "@placement_sel_active"],
            "milestone_id": ["@milestone_sel_active_open"],
            "report_id": ["@report_sel"],
        },
        {"placement_id": ["@placement_sel_confirmed"]},
    ),
}
#: Public by design: a partner city's own page names the city, not its people.
PUBLIC = {"org.city", "api.org_api.get_city"}
#: List filters, each set to the victim's side in turn.
FILTERS = ("city", "city_id", "placement_id", "user", "person", "principal", "q")


def _rows_by_route() -> dict:
    rows: dict = {}
    for endpoint, method, args, body, _expected in ROWS:
        rows.setdefault((endpoint, method), (args, body))
    return rows


def _leaks(response, victim: str) -> list[str]:
    text = response.get_data(as_text=True)
    return [m for m in MARKERS[victim] if m in text]


def _state_digest() -> str:
    """Row counts of every table and a digest of every row of the tables the attacks aim at."""
    parts = []
    for table in db.metadata.sorted_tables:
        if table.name in ("user_sessions", "audit_events", "login_attempts"):
            continue
        parts.append(str(db.session.scalar(sa.select(sa.func.count()).select_from(table))))
    for name in ("applications", "placements", "nominations", "training_records", "notifications"):
        table = db.metadata.tables.get(name)
        if table is not None:
            rows = db.session.execute(sa.select(table).order_by(table.c.id)).all()
            parts.append(hashlib.sha256(repr(rows).encode()).hexdigest())
    return "|".join(parts)


def _targets(app, attacker: str):
    """(endpoint, method, args, body) for every route naming an object, with the victim's ids."""
    _victim, theirs, own = ATTACKS[attacker]
    rows = _rows_by_route()
    for rule in app.url_map.iter_rules():
        scoped = [a for a in rule.arguments if a in theirs]
        if not scoped or rule.endpoint in PUBLIC:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            base_args, body = rows.get((rule.endpoint, method), ({}, None))
            if any(a not in base_args and a not in theirs for a in rule.arguments):
                continue  # an argument the table gives no value for
            choices = []
            for arg in rule.arguments:
                if arg in theirs:
                    choices.append([(arg, v) for v in theirs[arg] + own.get(arg, [])])
                else:
                    choices.append([(arg, base_args[arg])])
            for combo in itertools.product(*choices):
                args = dict(combo)
                if not any(args[a] in theirs[a] for a in scoped):
                    continue  # only the attacker's own objects
                yield rule.endpoint, method, args, body


@pytest.mark.parametrize("attacker", sorted(ATTACKS))
def test_the_other_sides_objects_are_refused_and_unchanged(sweep, attacker):
    victim = ATTACKS[attacker][0]
    sweep.page(attacker)  # logged in before the rollbacks begin
    failures, tried = [], 0
    for endpoint, method, args, body in _targets(sweep.app, attacker):
        url = build_url(sweep.app, endpoint, args, sweep)
        tried += 1
        with sweep.isolated():
            before = _state_digest() if method != "GET" else None
            response = send(sweep, attacker, method, url, body, isolate=False)
            changed = method != "GET" and _state_digest() != before
        if response.status_code not in (403, 404) or changed or _leaks(response, victim):
            failures.append(
                f"{method} {url}: {response.status_code}, changed={changed}, "
                f"leaked={_leaks(response, victim)}"
            )
    print(f"\nIDOR, {attacker} on {victim}'s objects: {tried} requests, {len(failures)} wrong")
    assert tried >= 10
    assert not failures, "\n".join(failures)


def _filter_values(sweep, victim: str) -> dict[str, list]:
    email = (PERSONAS | OTHERS)[victim]
    if victim.startswith("coordinator"):
        code = "BER" if victim == "coordinator2" else "SEL"
        placement = "@placement_ber" if code == "BER" else "@placement_sel"
        values = {
            "city": [code],
            "city_id": [f"@city_{code.lower()}"],
            "placement_id": [placement],
            "q": ["Lukas" if code == "BER" else "Lee"],  # a name, not a marker: pages echo q
        }
    else:
        values = {
            "user": [email],
            "person": [email],
            "principal": [email],
            "q": [email.split(".")[0]],
            "placement_id": [
                "@placement_sel_confirmed" if victim == "employee2" else "@placement_sel"
            ],
        }
    return {k: [resolve(v, sweep) for v in vs] for k, vs in values.items()}


@pytest.mark.parametrize("attacker", sorted(ATTACKS))
def test_lists_exports_and_feeds_filtered_to_the_other_side_show_none_of_it(sweep, attacker):
    victim = ATTACKS[attacker][0]
    values = _filter_values(sweep, victim)
    failures, tried = [], 0
    urls = []
    for rule in sweep.app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint.endswith(("static", "openapi")):
            continue
        if rule.arguments - {"fmt", "token"}:
            continue
        args = {"fmt": "csv"} if "fmt" in rule.arguments else {}
        if "token" in rule.arguments:
            if rule.endpoint != "reminders.feed":
                continue
            args = {"token": sweep.feeds[attacker]}
        urls.append(build_url(sweep.app, rule.endpoint, args, sweep))
    for url in sorted(urls):
        tried += 1
        plain = send(sweep, attacker, "GET", url, None)
        if _leaks(plain, victim):
            failures.append(f"GET {url}: leaked {_leaks(plain, victim)}")
        if plain.status_code != 200:
            continue  # no access at all: a filter cannot widen it
        for name in FILTERS:
            for value in values.get(name, []):
                tried += 1
                joiner = "&" if "?" in url else "?"
                response = send(sweep, attacker, "GET", f"{url}{joiner}{name}={value}", None)
                if _leaks(response, victim):
                    failures.append(f"GET {url}?{name}={value}: leaked {_leaks(response, victim)}")
    print(
        f"\nIDOR lists, {attacker} filtering to {victim}: {tried} requests, {len(failures)} leaks"
    )
    assert not failures, "\n".join(failures)


def test_markers_are_seen_by_their_own_side(sweep):
    """The markers are real: each side's own pages show them (else a leak could not be seen)."""
    checks = {
        "coordinator": "/nominations",
        "coordinator2": "/nominations",
        "employee": "/notifications",
        "employee2": "/notifications",
    }
    for persona, url in checks.items():
        text = send(sweep, persona, "GET", url, None).get_data(as_text=True)
        assert any(m in text for m in MARKERS[persona]), (persona, url)
    assert re.search(
        "Lukas Weber", send(sweep, "hr", "GET", "/nominations", None).get_data(as_text=True)
    )
