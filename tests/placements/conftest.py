"""Placement fixtures: a funded fiscal year, two cities with a coordinator each, people."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from hrfund.fund import services as fund
from hrfund.fund.models import Category
from hrfund.placements import nominations, services
from tests import factories

FY = 2026
START, END = date(2026, 9, 1), date(2027, 2, 28)


def line(category: str):
    return fund.summary(FY).lines[Category(category)]


@pytest.fixture
def world(db):
    """HR, an employee, coordinators of Seoul and Berlin, and a funded FY2026."""

    class World:
        pass

    w = World()
    w.seoul = factories.city("SEL")
    w.berlin = factories.city("BER")
    w.hr = factories.user(["hr", "employee"])
    w.employee = factories.user(
        ["employee"],
        family_name="山田",
        given_name="太郎",
        family_name_romaji="Yamada",
        given_name_romaji="Taro",
    )
    w.other_employee = factories.user(["employee"])
    w.seoul_coordinator = factories.user(["coordinator"], city_code="SEL")
    w.berlin_coordinator = factories.user(["coordinator"], city_code="BER")
    w.auditor = factories.user(["auditor"])
    w.host = factories.department("GOV-INT")
    fund.contribute(w.hr, 10_000_000, date(2026, 4, 1))
    fund.allocate(w.hr, FY, "outgoing", 3_000_000)
    fund.allocate(w.hr, FY, "incoming", 1_000_000)

    def place(person=None, city=None, amount=1_200_000, start=START, end=END):
        return services.create_outgoing_placement(
            w.hr,
            person=person or w.employee,
            city=city or w.seoul,
            start_on=start,
            end_on=end,
            amount_jpy=amount,
            purpose="都市づくり政策の調査",
        )

    def nominate(coordinator=None, **kw):
        values = {
            "name": "Lee Jiwoo",
            "email": "lee.jiwoo@seoul.example",
            "position": "Deputy Director, Urban Planning",
            "start_on": START,
            "end_on": END,
        } | kw
        start = values["start_on"] if isinstance(values["start_on"], date) else START
        # nominated a month ahead: a nomination's dates lie in the future when it is made
        with time_machine.travel(start - timedelta(days=30)):
            return nominations.nominate(coordinator or w.seoul_coordinator, **values)

    w.place = place
    w.nominate = nominate
    db.session.commit()
    return w
