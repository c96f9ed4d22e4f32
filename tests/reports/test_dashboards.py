"""The dashboards: each role's figures equal what the data says (worked out here from what the
test created, not by the code under test), each role sees only its own scope, and a dashboard's
query count does not grow with the data. SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import time_machine

from hrfund.applications import services as applications
from hrfund.extensions import db as _db
from hrfund.fund import services as fund
from hrfund.fund.models import Category
from hrfund.placements import services as placements
from hrfund.placements.models import Placement
from hrfund.reports import dashboards
from hrfund.training.models import (
    LanguageScore,
    LanguageTest,
    ProgramCategory,
    RecordSource,
    RecordStatus,
    TrainingProgram,
    TrainingRecord,
)
from hrfund.training.records import add_language_score
from tests import factories
from tests.applications.conftest import INSIDE, build_setup

TOKYO = ZoneInfo("Asia/Tokyo")
TODAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=TOKYO)


@pytest.fixture
def world(db):
    """The applications world plus: an approved application (Seoul, proposed), a placement in
    Berlin under way with a payment, an incoming guest, training and language scores."""
    s = build_setup()
    s.today = TODAY
    approved = s.endorsed()
    applications.approve_application(
        s.hr,
        approved,
        city=s.seoul,
        start_on=date(2027, 1, 10),
        end_on=date(2027, 3, 31),
        amount_jpy=500_000,
    )
    s.seoul_placement = _db.session.get(Placement, approved.placement_id)
    s.traveller = factories.user(["employee"], department=s.department, joined_on=date(2012, 4, 1))
    s.berlin_placement = placements.create_outgoing_placement(
        s.hr,
        person=s.traveller,
        city=s.berlin,
        start_on=date(2026, 10, 1),
        end_on=date(2027, 3, 31),
        amount_jpy=300_000,
    )
    s.berlin_coordinator = factories.user(["coordinator"], city_code="BER")
    placements.confirm_placement(
        s.berlin_coordinator,
        s.berlin_placement,
        host_office="Senatsverwaltung",
        host_supervisor="Frau Weber",
    )
    fund.disburse(
        s.hr, paid_on=date(2026, 10, 5), amount_jpy=120_000, placement_id=s.berlin_placement.id
    )
    program = TrainingProgram(
        code="ENG-1",
        title_ja="ビジネス英語",
        title_en="Business English",
        category=ProgramCategory.LANGUAGE,
        hours=Decimal(20),
    )
    seminar = TrainingProgram(
        code="SEM-1",
        title_ja="都市外交セミナー",
        title_en="City diplomacy seminar",
        category=ProgramCategory.SEMINAR,
        hours=Decimal(3),
    )
    _db.session.add_all([program, seminar])
    _db.session.flush()
    _db.session.add_all(
        [
            TrainingRecord(  # in FY2026, its own hours
                user_id=s.employee.id,
                program_id=program.id,
                status=RecordStatus.COMPLETED,
                completed_on=date(2026, 6, 1),
                hours=Decimal("12.5"),
                source=RecordSource.HR,
            ),
            TrainingRecord(  # in FY2026, the program's hours
                user_id=s.traveller.id,
                program_id=seminar.id,
                status=RecordStatus.COMPLETED,
                completed_on=date(2027, 3, 31),
                source=RecordSource.HR,
            ),
            TrainingRecord(  # FY2025: not counted
                user_id=s.employee.id,
                program_id=seminar.id,
                status=RecordStatus.COMPLETED,
                completed_on=date(2026, 3, 31),
                source=RecordSource.HR,
            ),
            TrainingRecord(  # enrolled only: not counted
                user_id=s.colleague.id,
                program_id=program.id,
                status=RecordStatus.ENROLLED,
                source=RecordSource.HR,
            ),
        ]
    )
    add_language_score(
        s.hr, s.traveller, test=LanguageTest.TOEIC.value, score=800, taken_on=date(2026, 5, 1)
    )
    add_language_score(  # the employee's own entry: unverified, not counted
        s.colleague,
        s.colleague,
        test=LanguageTest.TOEIC.value,
        score=990,
        taken_on=date(2026, 5, 1),
    )
    _db.session.commit()
    return s


def _expected_committed_by_city(s):
    # worked out from the postings above: Seoul 500,000 committed; Berlin 300,000 committed of
    # which 120,000 was paid
    return {"SEL": (500_000, 0), "BER": (180_000, 120_000)}


def test_hr_figures_equal_the_data(db, world):
    org = dashboards.organisation_dashboard(TODAY, 2026)
    outgoing = org.summary.lines[Category.OUTGOING]
    assert (outgoing.allocated, outgoing.committed, outgoing.disbursed) == (
        2_000_000,
        680_000,
        120_000,
    )
    assert {c.code: (k, d) for c, k, d in org.committed_by_city} == _expected_committed_by_city(
        world
    )
    assert org.abroad_now == 1  # Berlin: confirmed and between its dates; Seoul not started
    assert org.guests_now == 0
    assert org.upcoming == 1  # Seoul starts within 90 days, proposed
    assert org.exchanges[2026] == {"outgoing": 2, "incoming": 0}
    assert org.concrete_cities == 2 and org.city_target == 30  # Seoul, Berlin: sister cities
    call = next(c for c in org.calls if c.call.id == world.call.id)
    assert call.by_status == {"approved": 1}
    assert org.training_hours["language"] == Decimal("12.5")
    assert org.training_hours["seminar"] == Decimal(3)
    assert sum(org.training_hours.values()) == Decimal("15.5")
    assert org.language_levels["toeic"] == {"A2": 0, "B1": 0, "B2": 1, "C1": 0}  # 800
    assert org.language_levels["ielts"]["C1"] == 1  # the employee's IELTS 7.0, verified by HR
    overdue = [
        m
        for p in (world.seoul_placement, world.berlin_placement)
        for m in p.milestones
        if m.done_at is None and m.due_on < TODAY
    ]
    assert org.overdue_milestones == len(overdue)


def test_employee_manager_and_coordinator_figures(db, world, query_counter):
    mine = dashboards.employee_dashboard(world.employee, TODAY, 2026)
    assert [a.id for a in mine.applications] == [world.seoul_placement.application_id]
    assert [p.id for p in mine.placements] == [world.seoul_placement.id]
    pending = sorted(
        (m.due_on, m.id) for m in world.seoul_placement.milestones if m.done_at is None
    )
    assert [(m.due_on, m.id) for m in mine.milestones] == pending[: dashboards.LIST_LIMIT]
    assert mine.training_hours == Decimal("12.5")
    travelling = dashboards.employee_dashboard(world.traveller, TODAY, 2026)
    assert travelling.training_hours == Decimal(3)  # no hours recorded: the program's 3

    person = factories.user(["employee"], department=world.department, joined_on=date(2010, 4, 1))
    with query_counter() as statements:  # nothing to list: the hours and "anything?" only
        nothing = dashboards.employee_dashboard(person, TODAY, 2026)
    assert (nothing.applications, nothing.placements, nothing.milestones) == ([], [], [])
    assert nothing.training_hours == 0 and statements() == 1
    add_language_score(
        world.hr, person, test=LanguageTest.IELTS.value, score="7.5", taken_on=date(2026, 2, 1)
    )
    waiting = world.draft(person=person)
    applications.submit_application(person, waiting, now=INSIDE)
    manager = dashboards.manager_dashboard(world.manager, TODAY)
    assert manager.waiting_count == 1 and [a.id for a in manager.waiting] == [waiting.id]
    assert [p.id for p in manager.abroad] == [world.berlin_placement.id]
    other = dashboards.manager_dashboard(world.other_manager, TODAY)
    assert other.waiting_count == 0 and other.abroad == []

    seoul = dashboards.coordinator_dashboard(world.coordinator, TODAY)
    assert [p.id for p in seoul.hosted] == [world.seoul_placement.id]
    assert seoul.status_counts == {"proposed": 1}
    assert all(m.placement.city_id == world.seoul.id for m in seoul.milestones)


def _client(app, user):
    from tests.conftest import TEST_PASSWORD

    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def _number(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">(?:<a [^>]*>)?([^<]*)<', html)
    assert match, element_id
    return match.group(1).strip()


@pytest.mark.parametrize("locale", ["en", "ja"])
def test_hr_dashboard_page_answers_in_one_look(app, db, world, locale):
    world.hr.locale = locale
    db.session.commit()
    with time_machine.travel(NOW, tick=False):
        client = _client(app, world.hr)
        html = client.get("/dashboard").get_data(as_text=True)
    assert _number(html, "fund-committed") == "¥680,000"
    assert _number(html, "abroad-now") == "1"
    for chart in ("fund", "cities", "calls", "exchanges", "training", "languages"):
        assert f'id="chart-{chart}"' in html
    assert "<svg" in html and "<table" in html
    assert ("ソウル" if locale == "ja" else "Seoul") in html  # committed by city
    assert ("派遣中の都職員" if locale == "ja" else "TMG staff abroad now") in html
    assert 'id="dashboard-employee"' in html  # an HR officer is also an employee
    assert 'id="dashboard-coordinator"' not in html


def test_each_role_sees_only_its_sections_and_scope(app, db, world):
    with time_machine.travel(NOW, tick=False):
        coordinator = _client(app, world.coordinator).get("/dashboard").get_data(as_text=True)
        employee = _client(app, world.colleague).get("/dashboard").get_data(as_text=True)
        home = _client(app, world.auditor).get("/")
    assert 'id="dashboard-coordinator"' in coordinator
    assert 'id="dashboard-organisation"' not in coordinator
    assert f'/placements/{world.berlin_placement.id}"' not in coordinator  # Berlin's
    assert f'/placements/{world.seoul_placement.id}"' in coordinator
    assert 'id="dashboard-organisation"' not in employee
    assert 'id="dashboard-manager"' not in employee
    assert "You have no applications." in employee
    assert home.status_code == 200 and 'id="dashboard-organisation"' in home.get_data(as_text=True)


def test_dashboard_queries_do_not_grow_with_the_data(app, db, world, query_counter):
    counts = {}
    for role in ("hr", "coordinator", "manager", "employee"):
        counts[role] = []
    for rounds in (1, 4):
        for _ in range(rounds):
            person = factories.user(["employee"], department=world.department)
            p = placements.create_outgoing_placement(
                world.hr,
                person=person,
                city=world.seoul,
                start_on=date(2026, 11, 1),
                end_on=date(2027, 2, 28),
                amount_jpy=10_000,
            )
            placements.confirm_placement(
                world.coordinator, p, host_office="ソウル市庁", host_supervisor="Kim"
            )
        db.session.commit()
        for role in counts:
            with time_machine.travel(NOW, tick=False):
                client = _client(app, getattr(world, role))
                with query_counter() as count:
                    assert client.get("/dashboard").status_code == 200
            counts[role].append(count())
    for role, (first, second) in counts.items():
        assert first == second, f"{role}: {first} then {second} queries"


def test_payments_by_line_and_month_chart(app, db, world):
    from hrfund.reports.views.dashboard import organisation_charts

    with app.test_request_context(headers={"Accept-Language": "en"}):
        chart = organisation_charts(dashboards.organisation_dashboard(TODAY, 2026))["months"]
    assert chart.categories[0] == "Apr" and chart.categories[6] == "Oct"
    outgoing = chart.values[0]  # the first line is outgoing
    assert outgoing[6] == 120_000 and sum(outgoing) == 120_000
    assert all(sum(row) == 0 for row in chart.values[1:])


def test_hr_training_hours_equal_each_records_hours_else_its_programs(db, world):
    """Summed by program before the join: one program's records with and without hours of their
    own, records of another year and not completed: the figures equal the sum of every completed
    record of the year worked out here, record by record."""
    programs = {p.code: p for p in _db.session.scalars(sa.select(TrainingProgram))}
    other = TrainingProgram(
        code="CC-1",
        title_ja="異文化理解",
        title_en="Cross-cultural",
        category=ProgramCategory.CROSS_CULTURAL,
        hours=Decimal(6),
    )
    _db.session.add(other)
    _db.session.flush()
    people = [factories.user(["employee"], department=world.department) for _ in range(4)]
    for person, program, hours, status, on in [
        (people[0], programs["ENG-1"], None, RecordStatus.COMPLETED, date(2026, 4, 1)),
        (people[1], programs["ENG-1"], None, RecordStatus.COMPLETED, date(2026, 11, 30)),
        (people[2], programs["ENG-1"], Decimal("0.5"), RecordStatus.COMPLETED, date(2026, 7, 7)),
        (people[3], programs["ENG-1"], None, RecordStatus.COMPLETED, date(2027, 4, 1)),
        (people[0], other, None, RecordStatus.COMPLETED, date(2026, 8, 1)),
        (people[1], other, Decimal(2), RecordStatus.COMPLETED, date(2026, 8, 1)),
        (people[2], programs["SEM-1"], Decimal(4), RecordStatus.FAILED, date(2026, 9, 1)),
    ]:
        _db.session.add(
            TrainingRecord(
                user_id=person.id,
                program_id=program.id,
                status=status,
                completed_on=on,
                hours=hours,
                source=RecordSource.HR,
            )
        )
    _db.session.commit()
    expected = {c.value: Decimal(0) for c in ProgramCategory}
    for record in _db.session.scalars(sa.select(TrainingRecord)):
        on = record.completed_on
        if record.status == RecordStatus.COMPLETED and date(2026, 4, 1) <= on <= date(2027, 3, 31):
            program = _db.session.get(TrainingProgram, record.program_id)
            hours = record.hours if record.hours is not None else program.hours
            expected[str(program.category)] += hours
    org = dashboards.organisation_dashboard(TODAY, 2026)
    assert org.training_hours == expected
    assert expected["language"] == Decimal("12.5") + 20 + 20 + Decimal("0.5")
    assert expected["cross_cultural"] == 6 + 2


def test_hr_language_levels_count_valid_verified_scores_expiring_later_or_never(db, world):
    """The levels read two ranges of an index (expiring today or later, never expiring): each
    kind of score is counted or not as its validity says."""
    person = factories.user(["employee"], department=world.department)
    verified = {"verified": True, "verified_at": NOW, "verified_by_id": world.hr.id}
    for score, taken_on, expires_on, verdict in [
        (600, date(2020, 1, 1), None, verified),  # never expires: B1
        (950, date(2025, 1, 1), TODAY, verified),  # expires today, still valid: C1
        (700, date(2024, 1, 1), date(2026, 11, 30), verified),  # expired yesterday
        (500, date(2026, 12, 2), date(2028, 12, 2), verified),  # taken tomorrow
        (560, date(2025, 6, 1), None, {"rejected_at": NOW, "rejected_by_id": world.hr.id}),
        (990, date(2025, 7, 1), None, {}),  # not verified
    ]:
        _db.session.add(
            LanguageScore(
                user_id=person.id,
                test=LanguageTest.TOEIC,
                score=Decimal(score),
                taken_on=taken_on,
                expires_on=expires_on,
                **verdict,
            )
        )
    _db.session.commit()
    org = dashboards.organisation_dashboard(TODAY, 2026)
    # the world's verified 800 (B2) and, of the above, the first two
    assert org.language_levels["toeic"] == {"A2": 0, "B1": 1, "B2": 1, "C1": 1}
