"""A list page runs the same number of SQL statements with 5 rows as with 50."""

from __future__ import annotations

import pytest

from hrfund.core.audit import record_event
from tests import factories

BIG = 50


def _make_users(n):
    for _ in range(n):
        factories.user(["employee"])


def _make_cities(n):
    for i in range(n):
        factories.city("Q" + "".join(chr(65 + int(d)) for d in f"{i:03d}"))


def _make_departments(n):
    for i in range(n):  # half of them under a parent, which each row shows
        factories.department(parent=factories.department() if i % 2 else None)


def _make_fx_rates(n):
    from datetime import date, timedelta
    from decimal import Decimal

    import sqlalchemy as sa

    from hrfund.extensions import db
    from hrfund.fund.fx import record_fx_rate
    from hrfund.fund.models import FxRate

    start = date(2020, 1, 1) + timedelta(
        days=db.session.scalar(sa.select(sa.func.count(FxRate.id)))
    )
    for i in range(n):
        officer = factories.user(["hr"])  # each rate by another officer, as the page shows
        record_fx_rate(officer, "EUR", start + timedelta(days=i), Decimal("160.5"))


def _make_audit(n):
    for i in range(n):
        record_event(None, "test.event", object_type="thing", object_id=i)


LIST_PAGES = [
    ("/admin/users?per_page=100", "admin", _make_users),
    ("/cities?per_page=100", "employee", _make_cities),
    ("/departments?per_page=100", "employee", _make_departments),
    ("/audit?per_page=100", "auditor", _make_audit),
    ("/fund/fx-rates?per_page=100", "hr", _make_fx_rates),
    ("/api/v1/cities?per_page=100", "api:employee", _make_cities),
    ("/api/v1/departments?per_page=100", "api:employee", _make_departments),
    ("/api/v1/audit?per_page=100", "api:hr", _make_audit),
]


@pytest.mark.parametrize("path,role,make", LIST_PAGES, ids=[p[0] for p in LIST_PAGES])
def test_query_count_does_not_grow_with_rows(db, login_as, api_as, query_counter, path, role, make):
    if role.startswith("api:"):
        c = api_as(role[4:])
        headers = c.headers
    else:
        c = login_as(role)
        headers = {}
    counts = []
    for n in (5, BIG - 5):
        make(n)
        db.session.commit()
        c.get(path, headers=headers)  # warm-up: session bookkeeping writes happen once
        with query_counter() as count:
            response = c.get(path, headers=headers)
        assert response.status_code == 200
        counts.append(count())
    assert counts[0] == counts[1], (
        f"{path}: {counts[0]} statements with few rows, {counts[1]} with many"
    )
