"""``flask seed-scale``: generated data that balances, has every state, and that every role's
pages show (at the ``tiny`` size; ``small`` and ``full`` are the same code with larger counts)."""

from __future__ import annotations

import click
import pytest
import sqlalchemy as sa

from bench.pages import key_pages
from hrfund.applications.models import ApplicationStatus, CallStatus
from hrfund.core.fiscal import current_fiscal_year, tokyo_today
from hrfund.extensions import db
from hrfund.fund import figures
from hrfund.fund.models import EntryKind
from hrfund.placements.models import NominationStatus, PlacementStatus
from hrfund.seed import DEMO_PASSWORD
from hrfund.seed_scale import seed_scale
from hrfund.seed_scale.context import SIZES
from tests.conftest import BACKENDS
from tests.core.scale_data import scale_apps  # noqa: F401 - the fixture

# one worker generates the data once for this module and the query-count test
pytestmark = pytest.mark.xdist_group("seed_scale")


@pytest.fixture(scope="module", params=BACKENDS)
def app(request, scale_apps):  # noqa: F811
    return scale_apps(request.param)


def _values(sql: str) -> set:
    return set(db.session.execute(sa.text(sql)).scalars())


def test_refuses_a_database_that_is_not_empty(app):
    with app.app_context():
        before = db.session.scalar(sa.text("SELECT count(*) FROM users"))
        with pytest.raises(click.ClickException, match="not empty"):
            seed_scale(SIZES["tiny"], echo=lambda _line: None)
        db.session.rollback()
        assert db.session.scalar(sa.text("SELECT count(*) FROM users")) == before


def test_every_state_is_present(app):
    with app.app_context():
        assert _values("SELECT status FROM applications") == {s.value for s in ApplicationStatus}
        assert _values("SELECT status FROM calls") == {s.value for s in CallStatus}
        assert _values("SELECT status FROM placements") == {s.value for s in PlacementStatus}
        assert _values("SELECT direction FROM placements") == {"outgoing", "incoming"}
        assert _values("SELECT status FROM nominations") <= {s.value for s in NominationStatus}
        assert _values("SELECT kind FROM fund_entries") == {k.value for k in EntryKind}
        assert _values("SELECT status FROM training_records") == {
            "enrolled",
            "completed",
            "failed",
            "cancelled",
        }
        assert _values("SELECT verified FROM language_scores") == {True, False}
        expired = db.session.execute(
            sa.text("SELECT count(*) FROM language_scores WHERE expires_on < :today"),
            {"today": tokyo_today()},
        ).scalar()
        assert expired > 0
        assert _values("SELECT status FROM reminder_deliveries") >= {"sent"}
        assert db.session.scalar(
            sa.text("SELECT count(*) FROM notifications WHERE read_at IS NULL")
        )
        # most employees never go abroad, a few go more than once
        per_person = db.session.execute(
            sa.text(
                "SELECT count(*) FROM placements WHERE person_id IS NOT NULL GROUP BY person_id"
            )
        ).scalars()
        employees = db.session.scalar(sa.text("SELECT count(*) FROM users"))
        counts = list(per_person)
        assert len(counts) < employees / 4 and max(counts) >= 2


def test_the_figures_balance(app):
    """Every line and the fund at or above zero; the summary equals the sums of the ledger."""
    with app.app_context():
        total_allocated = 0
        for year in figures.known_fiscal_years():
            summary = figures.summary(year)
            assert summary.fund.unallocated >= 0
            for category, line in summary.lines.items():
                assert line.committed >= 0 and line.disbursed >= 0, (year, category)
                assert line.available >= 0, (year, category, line)
                if summary.closed:  # a closed year holds no commitment
                    assert line.committed == 0, (year, category)
                total_allocated += line.allocated
            summary_year = summary
        signed = "CASE WHEN kind = 'reversal' THEN -amount_jpy ELSE amount_jpy END"
        sums = dict(
            db.session.execute(
                sa.text(
                    f"SELECT coalesce(reversed_kind, kind), sum({signed}) FROM fund_entries "
                    "GROUP BY coalesce(reversed_kind, kind)"
                )
            ).all()
        )
        assert summary_year.fund.contributed == sums["contribution"]
        assert summary_year.fund.allocated == sums["allocation"] == total_allocated
        placements = db.session.execute(sa.text("SELECT id FROM placements")).scalars().all()
        totals = figures.placement_totals(placements)
        assert all(t.committed_jpy >= 0 for t in totals.values())
        foreign = db.session.execute(
            sa.text("SELECT amount, fx_rate, amount_jpy FROM fund_entries WHERE amount IS NOT NULL")
        ).all()
        assert foreign and all(abs(a * r - j) < 1 for a, r, j in foreign)


def test_the_training_summary_rows_equal_the_records_and_scores(app):
    """seed-scale writes the records and scores in bulk, then fills the dashboard's summary
    rows from them."""
    from hrfund.training import summaries

    with app.app_context():
        stored = summaries.stored_rows()
        assert stored["hours"] and stored["levels"]
        assert stored == summaries.from_base_rows()


def test_the_pages_of_every_role_answer(app):
    from hrfund.auth.models import User
    from hrfund.auth.services import create_api_token

    with app.app_context():
        pages = key_pages(db.session.connection(), current_fiscal_year())
        hr = db.session.scalar(sa.select(User).where(User.email == pages[0].login))
        _token, plain = create_api_token(hr, hr, "seed-scale test")
        db.session.commit()
    extra = [
        ("yamada.taro@metro.tokyo.example", "/dashboard"),
        ("admin@metro.tokyo.example", "/admin/users"),
        ("sato.hanako@metro.tokyo.example", "/dashboard"),
    ]
    clients = {}
    for login, path, api in [(p.login, p.path, p.api) for p in pages] + [
        (*e, False) for e in extra
    ]:
        if api:
            response = app.test_client().get(path, headers={"Authorization": f"Bearer {plain}"})
        else:
            if login not in clients:
                clients[login] = app.test_client()
                signed_in = clients[login].post(
                    "/login", data={"email": login, "password": DEMO_PASSWORD}
                )
                assert signed_in.status_code == 302, login
            response = clients[login].get(path)
        assert response.status_code == 200, (login, path, response.data[:300])


def test_every_index_is_there_after_the_bulk_load(app, _apps):
    """The plain indexes of the big tables are dropped for the load and built at the end."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("PostgreSQL only: SQLite keeps its indexes during the load")
    query = sa.text(
        "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1"
    )
    with _apps("postgresql").app_context():
        migrated = db.session.execute(query).scalars().all()
        db.session.remove()
    with app.app_context():
        assert db.session.execute(query).scalars().all() == migrated
