"""Application fixtures: a funded year, an open call for Seoul and Berlin, people by role."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from hrfund.applications import calls, services
from hrfund.fund import services as fund
from hrfund.training.models import LanguageTest
from hrfund.training.records import add_language_score
from tests import factories

TOKYO = ZoneInfo("Asia/Tokyo")
INSIDE = datetime(2026, 6, 15, 12, 0, tzinfo=TOKYO)


@pytest.fixture(autouse=True)
def english(request):
    """Service messages outside a request speak the default language; read them in English.

    Only for tests on the rolled-back ``db``: a race test must not get it, for ``db`` swaps the
    session for one bound to a single connection, which its threads would then share."""
    if "db" not in request.fixturenames:
        yield
        return
    from flask_babel import force_locale

    request.getfixturevalue("db")
    with force_locale("en"):
        yield


@pytest.fixture
def setup(db):
    s = build_setup()
    db.session.commit()
    return s


def build_setup():
    """Cities, people by role, a funded FY2026 and an open call (inside an app context)."""

    class Setup:
        pass

    s = Setup()
    s.seoul, s.berlin = factories.city("SEL"), factories.city("BER")
    s.department = factories.department("UD-PLN")
    s.other_department = factories.department("ENV-CLM")
    s.hr = factories.user(["hr", "employee"], department=factories.department("GA-PER"))
    s.employee = factories.user(
        ["employee"],
        department=s.department,
        joined_on=date(2015, 4, 1),
        family_name="山田",
        given_name="太郎",
        family_name_romaji="Yamada",
        given_name_romaji="Taro",
    )
    s.colleague = factories.user(
        ["employee"], department=s.other_department, joined_on=date(2024, 4, 1)
    )
    s.manager = factories.user(["manager", "employee"], department=s.department)
    s.other_manager = factories.user(["manager", "employee"], department=s.other_department)
    s.auditor = factories.user(["auditor"])
    s.coordinator = factories.user(["coordinator"], city_code="SEL")
    add_language_score(
        s.hr, s.employee, test=LanguageTest.IELTS.value, score="7.0", taken_on=date(2025, 11, 1)
    )  # recorded by HR: verified
    fund.contribute(s.hr, 10_000_000, date(2026, 4, 1))
    fund.allocate(s.hr, 2026, "outgoing", 2_000_000)
    s.call = calls.create_call(
        s.hr,
        title="2026年度 海外都市派遣 / Overseas secondments FY2026",
        fiscal_year=2026,
        opens_on=date(2026, 6, 1),
        closes_on=date(2026, 6, 30),
        slots=[
            {"city": "SEL", "positions": 2, "months": 6, "estimated_cost_jpy": 1_500_000},
            {"city": "BER", "positions": 1, "months": 6, "estimated_cost_jpy": 2_000_000},
        ],
        rules={"min_years_of_service": 3, "language": {"test": "ielts", "min_score": "6.5"}},
    )
    calls.open_call(s.hr, s.call)

    def draft(person=None, **values):
        defaults = {
            "preferences": ["SEL", "BER"],
            "statement": "都市づくりの知見を深めたい。",
            "start_on": date(2026, 10, 1),
            "end_on": date(2027, 3, 31),
            "travel_jpy": 300_000,
            "stipend_jpy": 600_000,
            "housing_jpy": 400_000,
        }
        return services.create_application(person or s.employee, s.call, **(defaults | values))

    def endorsed(person=None):
        application = draft(person)
        services.submit_application(person or s.employee, application, now=INSIDE)
        services.endorse_application(s.manager, application)
        return application

    s.draft = draft
    s.endorsed = endorsed
    return s
