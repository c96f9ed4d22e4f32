"""The disclosure export of one person runs the same number of SQL statements whether the
person has one record of each kind or many (no statement per application, placement, training
record or score)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import time_machine
from flask_babel import force_locale

from hrfund.applications import calls
from hrfund.applications import services as applications
from hrfund.fund import services as fund
from hrfund.placements import milestones
from hrfund.placements import services as placements
from hrfund.training import services as training
from hrfund.training.models import LanguageTest
from hrfund.training.records import add_language_score, record_training
from tests import factories
from tests.conftest import AuthActions
from tests.reports.privacy_world import INSIDE, PDF, Upload


def _one_of_each(hr, person, coordinator, city, program, n: int) -> None:
    """One more application (with a preference and an attachment), placement (with a report),
    training record and language score (each with a certificate) of ``person``."""
    with time_machine.travel(INSIDE, tick=False):
        call = calls.create_call(
            hr,
            title=f"Call {n}",
            fiscal_year=2026,
            opens_on=date(2026, 6, 1),
            closes_on=date(2026, 6, 30),
            slots=[{"city": city.code, "positions": 3, "months": 6, "estimated_cost_jpy": 1}],
        )
        calls.open_call(hr, call)
        application = applications.create_application(
            person,
            call,
            preferences=[city.code],
            statement=f"Statement {n}",
            start_on=date(2026, 10, 1),
            end_on=date(2027, 3, 31),
            travel_jpy=1,
            stipend_jpy=1,
            housing_jpy=1,
        )
        applications.add_attachment(person, application, "cv", Upload(PDF, f"cv-{n}.pdf"))
        applications.submit_application(person, application, now=INSIDE)
        start = date(2026, 10, 1) + timedelta(days=10 * n)
        placement = placements.create_outgoing_placement(
            hr,
            person=person,
            city=city,
            start_on=start,
            end_on=start + timedelta(days=5),
            amount_jpy=1_000,
        )
        placements.confirm_placement(coordinator, placement, host_office="Office")
    with time_machine.travel(start, tick=False):
        placements.start_placement(coordinator, placement, arrived_on=start)
        milestones.submit_report(
            person, placement, "mid_term", f"Summary {n}", Upload(PDF, f"report-{n}.pdf")
        )
    record_training(
        person,
        person,
        program,
        status="completed",
        completed_on=date(2025, 12, 1) - timedelta(days=n),
        certificate=(io.BytesIO(PDF), f"certificate-{n}.pdf"),
    )
    add_language_score(
        person,
        person,
        test=LanguageTest.TOEIC.value,
        score=str(500 + 5 * n),
        taken_on=date(2025, 5, 1) - timedelta(days=n),
        certificate=(io.BytesIO(PDF), f"toeic-{n}.pdf"),
    )


def test_the_export_of_one_person_does_not_run_a_query_per_record(app, db, query_counter):
    with force_locale("en"):
        city = factories.city("SEL")
        hr = factories.user(["hr", "employee"])
        coordinator = factories.user(["coordinator"], city_code="SEL")
        person = factories.user(["employee"], joined_on=date(2015, 4, 1))
        fund.contribute(hr, 100_000_000, date(2026, 4, 1))
        fund.allocate(hr, 2026, "outgoing", 50_000_000)
        program = training.create_program(
            None, title_en="English", title_ja="英語", category="language", hours=Decimal("20")
        )
        db.session.commit()
    client = app.test_client()
    AuthActions(client).login(hr.email)
    path = f"/privacy/people/{person.id}/export"
    counts = []
    for rounds in (1, 4):
        with force_locale("en"):
            for _ in range(rounds):
                _one_of_each(hr, person, coordinator, city, program, len(counts) * 10 + _)
        db.session.commit()
        with query_counter() as count:
            response = client.get(path)
        assert response.status_code == 200
        counts.append(count())
    assert counts[0] == counts[1], f"{counts[0]} statements for one of each, {counts[1]} for five"
