"""The pages' list of applications, read as plain rows (applications.listing), shows what the
ORM objects show: the same rows in the same order, the same names in both languages, the same
counts and pages."""

from __future__ import annotations

from datetime import date

import pytest

from hrfund.applications import calls, listing, services
from hrfund.applications.models import Application
from hrfund.core.pagination import paginate
from tests import factories
from tests.applications.conftest import INSIDE


@pytest.fixture
def listed(db, setup):
    """Applications of every kind of row: a department or none, a call named in both languages
    or by its first title only, several preferences or one."""
    setup.endorsed()
    setup.draft(setup.colleague, preferences=["BER"])
    loner = factories.user(["employee"], department=None)
    plain = calls.create_call(
        setup.hr,
        title="Only a title",
        fiscal_year=2026,
        opens_on=INSIDE.date(),
        closes_on=INSIDE.date(),
        slots=[{"city": "SEL", "positions": 1, "months": 3, "estimated_cost_jpy": 100_000}],
    )
    calls.open_call(setup.hr, plain)
    submitted = services.create_application(
        loner,
        plain,
        preferences=["SEL"],
        statement="交流",
        start_on=date(2026, 10, 1),
        end_on=date(2026, 12, 31),
        travel_jpy=1,
        stipend_jpy=0,
        housing_jpy=2,
    )
    services.submit_application(loner, submitted, now=INSIDE)
    setup.draft(setup.hr)  # HR's own draft: in HR's list
    db.session.commit()
    return setup


@pytest.mark.parametrize("locale", ["ja", "en"])
@pytest.mark.parametrize("sort", ["-updated", "-submitted", "submitted"])
def test_rows_show_what_the_objects_show(db, listed, locale, sort):
    stmt = services.filtered(listed.hr, sort=sort)
    expected = db.session.scalars(stmt).all()
    page = listing.list_page(stmt, 1, 50, count_cap=None, locale=locale)
    assert [row.id for row in page.items] == [a.id for a in expected]
    assert len(expected) == 3  # not the colleague's draft
    for row, a in zip(page.items, expected, strict=True):
        department = a.applicant.department
        assert row == listing.ListedApplication(
            id=a.id,
            status=a.status.value,
            applicant=a.applicant.display_name(locale),
            department=department.name(locale) if department else "",
            call=a.call.name(locale),
            preference_codes=a.preference_codes,
            total_jpy=a.total_jpy,
        )
    assert {row.department for row in page.items} >= {""}  # the applicant without one
    assert "Only a title" in {row.call for row in page.items}


@pytest.mark.parametrize("count_cap", [None, 2])
@pytest.mark.parametrize("page_no", [1, 2, 3, 99])
def test_pages_and_counts_are_those_of_the_objects(app, db, listed, count_cap, page_no):
    stmt = services.filtered(listed.hr, sort="-updated")
    with app.test_request_context("/applications"):  # a web page: out of range is corrected
        objects = paginate(stmt, page_no, 1, key=Application.id, count_cap=count_cap)
        rows = listing.list_page(stmt, page_no, 1, count_cap=count_cap, locale="en")
    assert [r.id for r in rows.items] == [a.id for a in objects.items]
    for name in ("page", "per_page", "total", "more", "next_exists", "pages"):
        assert getattr(rows, name) == getattr(objects, name), name


def test_the_filters_calls_are_named_as_the_objects_are(db, listed):
    from hrfund.applications.models import Call

    newest_first = db.session.scalars(Call.__table__.select().order_by(Call.id.desc())).all()
    for locale in ("ja", "en"):
        choices = listing.call_choices(locale)
        assert [id_ for id_, _name in choices] == newest_first
        assert [name for _id, name in choices] == [
            db.session.get(Call, id_).name(locale) for id_ in newest_first
        ]


def test_the_api_items_are_what_the_schema_dumps(db, listed):
    """The API's list builds its items without marshmallow: each is ApplicationSchema's dump,
    for a draft without dates, submitted, endorsed, approved by a deputy (with a placement
    and whom the deputy acted for) and returned with a comment."""
    from datetime import date

    from hrfund.applications.api import _histories
    from hrfund.applications.schemas import ApplicationSchema, ApplicationView, application_item
    from hrfund.core.fiscal import tokyo_today
    from hrfund.training.records import add_language_score

    deputy = factories.user(["hr", "employee"])
    services.create_delegation(
        listed.hr, deputy=deputy, starts_on=tokyo_today(), ends_on=date(2099, 12, 31)
    )
    approved = services.get_application_or_404(
        db.session.scalars(services.filtered(listed.hr, status="endorsed")).first().id, listed.hr
    )
    services.approve_application(
        deputy,
        approved,
        city=listed.seoul,
        start_on=date(2026, 10, 1),
        end_on=date(2027, 3, 31),
        amount_jpy=500_000,
    )
    second = factories.user(["employee"], department=listed.department, joined_on=date(2015, 4, 1))
    add_language_score(
        listed.hr, second, test="ielts", score="7.5", taken_on=date(2025, 11, 1)
    )  # recorded by HR: verified
    returned = listed.endorsed(second)
    services.ACTIONS["return"](listed.hr, returned, comment="予算を見直してください")
    services.create_application(
        listed.other_manager,
        listed.call,
        preferences=[],
        statement="",
        start_on=None,
        end_on=None,
        travel_jpy=0,
        stipend_jpy=0,
        housing_jpy=0,
    )
    db.session.commit()
    stmt = services.filtered(listed.other_manager)  # their own draft
    stmt_hr = services.filtered(listed.hr)
    for scope in (stmt, stmt_hr):
        rows = db.session.execute(listing.api_rows(scope)).all()
        ids = [row.id for row in rows]
        codes, histories = listing.preference_codes(ids), _histories(ids)
        objects = {a.id: a for a in db.session.scalars(scope)}
        assert rows and set(objects) == set(ids)
        for row in rows:
            view = ApplicationView(objects[row.id], histories[row.id])
            assert application_item(row, codes.get(row.id, []), histories[row.id]) == (
                ApplicationSchema().dump(view)
            )
    dumped = {row.id: row for row in db.session.execute(listing.api_rows(stmt_hr))}
    assert dumped[approved.id].placement_id is not None
    assert any(s["on_behalf_of"] for s in _histories([approved.id])[approved.id])
    assert any(s["comment"] for s in _histories([returned.id])[returned.id])
