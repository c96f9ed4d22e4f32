"""Mass assignment: every form post and JSON body of the route table, sent by the role that may
act, once as the table has it and once with extra fields (role, roles, city_id, status, amounts,
applicant_id, person_id, owner, created_by, id, …). The extra fields are ignored or refused:
in every table the request wrote to, no column holds an extra's value more often than after the
plain request (each request is rolled back, so both start from the same data).
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from hrfund.extensions import db
from tests.sweeps.requests import build_url, send
from tests.sweeps.route_table import CALLERS, ROWS

BIG = 1_234_567  # within the fund, so that an amount field could take it
#: extra field → the column(s) it would land in; values resolved against the world below
EXTRAS = {
    "role": ("role", "admin"),
    "roles": ("role", "admin"),
    "is_admin": ("is_admin", True),
    "city_id": ("city_id", "@city_ber"),
    "status": ("status", "approved"),
    "applicant_id": ("applicant_id", "@user_employee2"),
    "person_id": ("person_id", "@user_employee2"),
    "user_id": ("user_id", "@user_employee2"),
    "owner_id": ("user_id", "@user_employee2"),
    "created_by": ("created_by_id", "@user_employee2"),
    "created_by_id": ("created_by_id", "@user_employee2"),
    "actor_id": ("actor_id", "@user_employee2"),
    "principal_id": ("principal_id", "@user_employee2"),
    "verified_by_id": ("verified_by_id", "@user_employee2"),
    "department_id": ("department_id", "@dept_pln"),
    "amount_jpy": (None, BIG),
    "committed_jpy": (None, BIG),
    "disbursed_jpy": (None, BIG),
    "allocated_jpy": (None, BIG),
    "estimated_cost_jpy": (None, BIG),
    "id": (None, BIG),
}
SKIP = {"auth.login", "auth.logout", "auth.set_language"}  # no row of anyone's to assign to
_WRITE = re.compile(r"^\s*(?:INSERT\s+INTO|UPDATE)\s+\"?(\w+)", re.IGNORECASE)


def _acting_rows():
    """(row, the first role the table lets succeed) for every writing row."""
    for endpoint, method, args, body, expected in ROWS:
        if method == "GET" or endpoint in SKIP:
            continue
        for caller, status in zip(CALLERS, expected.split(), strict=True):
            if caller != "anon" and status in ("200", "201", "302", "303"):
                yield endpoint, method, args, body, caller
                break


ACTING = list(_acting_rows())


class _Writes:
    """The tables written to while active."""

    def __init__(self, engine):
        self.engine, self.tables = engine, set()

    def _seen(self, _conn, _cursor, statement, *_args):
        if m := _WRITE.match(statement):
            self.tables.add(m.group(1))

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._seen)


def _holding(tables: set[str], extras: dict) -> dict[str, int]:
    """How many rows of ``tables`` hold each extra's value in its column (or in any column,
    for the distinctive big number)."""
    counts: dict[str, int] = {}
    for name in sorted(tables):
        table = db.metadata.tables.get(name)
        if table is None:
            continue
        for key, (column, value) in extras.items():
            columns = [table.c[column]] if column and column in table.c else []
            if column is None:
                columns = [c for c in table.c if isinstance(c.type, sa.Integer | sa.Numeric)]
            for col in columns:
                if isinstance(col.type, sa.Enum) and value not in col.type.enums:
                    continue  # a value the column cannot hold
                n = db.session.scalar(
                    sa.select(sa.func.count()).select_from(table).where(col == value)
                )
                counts[f"{name}.{col.name}={key}"] = n
    return counts


def _extras_for(body, sweep) -> dict:
    present = set(body or {})
    extras = {}
    for key, (column, value) in EXTRAS.items():
        if key in present:
            continue
        if isinstance(value, str) and value.startswith("@"):
            value = sweep.ids[value[1:]]
        extras[key] = (column, value)
    return extras


@pytest.mark.parametrize("part", ("pages", "api"))
def test_extra_fields_are_ignored_or_refused(sweep, part):
    failures, tried = [], 0
    for persona in {caller for *_row, caller in ACTING}:
        sweep.page(persona)  # logged in before the rollbacks begin
    for endpoint, method, args, body, caller in ACTING:
        if endpoint.startswith("api.") != (part == "api"):
            continue
        url = build_url(sweep.app, endpoint, args, sweep)
        extras = _extras_for(body, sweep)
        sent = dict(body or {}) | {k: v for k, (_c, v) in extras.items()}
        if not url.startswith("/api/"):
            sent = {k: (str(v) if isinstance(v, bool | int) else v) for k, v in sent.items()}
        with sweep.isolated(), _Writes(db.engine) as plain_writes:
            plain = send(sweep, caller, method, url, body, isolate=False)
            baseline = _holding(plain_writes.tables, extras)
        with sweep.isolated(), _Writes(db.engine) as extra_writes:
            response = send(sweep, caller, method, url, sent, isolate=False)
            with_extras = _holding(plain_writes.tables | extra_writes.tables, extras)
        if extra_writes.tables - plain_writes.tables:  # wrote elsewhere: count there too
            with sweep.isolated():
                send(sweep, caller, method, url, body, isolate=False)
                baseline = _holding(plain_writes.tables | extra_writes.tables, extras)
        tried += 1
        taken = {k: (baseline.get(k), n) for k, n in with_extras.items() if n > baseline.get(k, 0)}
        if taken:
            failures.append(f"{caller} {method} {url}: stored {taken}")
        if response.status_code >= 500 or (response.status_code < 400 and plain.status_code >= 400):
            failures.append(
                f"{caller} {method} {url}: {plain.status_code} → {response.status_code}"
            )
    print(
        f"\nmass assignment, {part}: {tried} bodies with {len(EXTRAS)} extra fields, "
        f"{len(failures)} taken"
    )
    assert tried >= 20
    assert not failures, "\n".join(failures)


def test_the_check_sees_a_field_that_is_stored(sweep):
    """Control: the amount of a new placement, a real field, is found where it was stored."""
    url = build_url(sweep.app, "placements.new", {}, sweep)
    sweep.page("hr")
    from tests.sweeps.route_bodies import PLACEMENT_FORM

    extras = {"amount_jpy": (None, BIG)}
    with sweep.isolated(), _Writes(db.engine) as writes:
        response = send(
            sweep, "hr", "POST", url, PLACEMENT_FORM | {"amount_jpy": str(BIG)}, isolate=False
        )
        assert response.status_code == 302
        held = _holding(writes.tables, extras)
    assert sum(held.values()) >= 1, held
