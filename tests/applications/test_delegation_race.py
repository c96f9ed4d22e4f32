"""One principal's periods never overlap, even when deputies are named at the same moment from
several threads and several processes (real PostgreSQL connections, a private database)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.conftest import PG_URL, make_app
from tests.racing import commit_or_refusal, in_processes, in_threads

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not PG_URL, reason="needs real PostgreSQL connections and row locks"),
]
FAR = date(2099, 12, 31)


def _attempt(principal_id: int, deputy_id: int) -> str:
    """Name a deputy in this app context; commit or report the refusal."""
    from hrfund.applications.delegations import create_delegation
    from hrfund.auth.models import User
    from hrfund.core.errors import Conflict
    from hrfund.core.fiscal import tokyo_today
    from hrfund.extensions import db

    return commit_or_refusal(
        lambda: create_delegation(
            db.session.get(User, principal_id),
            deputy=db.session.get(User, deputy_id),
            starts_on=tokyo_today(),
            ends_on=FAR,
        ),
        {Conflict: "conflict"},
    )


@pytest.fixture(scope="module")
def race_app(tmp_path_factory):
    from hrfund.extensions import db

    app, cleanup = make_app("postgresql", tmp_path_factory.mktemp("race"))
    yield app
    with app.app_context():
        db.engine.dispose()
    cleanup()


@pytest.fixture
def race(race_app):
    """A manager and six staff of theirs, committed (each test its own principal)."""
    from hrfund.extensions import db
    from tests import factories

    with race_app.app_context():
        department = factories.department()
        manager = factories.user(["manager", "employee"], department=department)
        deputies = [factories.user(["employee"], department=department) for _ in range(6)]
        db.session.commit()
        ids = manager.id, [d.id for d in deputies]
        db.session.remove()
    return race_app, *ids


def _count(app, principal_id: int) -> int:
    from hrfund.applications.models import Delegation
    from hrfund.extensions import db

    with app.app_context():
        found = db.session.scalar(
            sa.select(sa.func.count(Delegation.id)).where(Delegation.principal_id == principal_id)
        )
        db.session.remove()
        return found


def test_deputies_named_at_once_from_threads_one_wins(race):
    app, principal_id, deputy_ids = race
    results = in_threads(app, _attempt, [(principal_id, d) for d in deputy_ids])
    assert sorted(results) == ["conflict"] * (len(deputy_ids) - 1) + ["ok"], results
    assert _count(app, principal_id) == 1


def test_deputies_named_at_once_from_processes_one_wins(race):
    app, principal_id, deputy_ids = race
    results = in_processes(app, _attempt, [(principal_id, d) for d in deputy_ids[:3]])
    assert sorted(results) == ["conflict", "conflict", "ok"], results
    assert _count(app, principal_id) == 1
