"""The dashboard's training summary rows equal the recomputation from the records and scores
after every way those are written (``hrfund.training.summaries``)."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from hrfund.core.fiscal import tokyo_today
from hrfund.extensions import db as _db
from hrfund.reports import retention
from hrfund.reports.organisation import _training_figures
from hrfund.training import imports, rejections, services, summaries, verification
from hrfund.training.models import (
    LanguageLevelCount,
    LanguageScore,
    LanguageTest,
    RecordStatus,
    TrainingHoursTotal,
    TrainingRecord,
)
from hrfund.training.records import add_language_score, record_training, update_record
from tests import factories

DAY = date(2025, 6, 1)  # FY2025


def assert_summaries_match() -> dict:
    _db.session.flush()
    stored = summaries.stored_rows()
    assert stored == summaries.from_base_rows()
    return stored


@pytest.fixture
def hr(db):
    return factories.user(roles=["hr", "employee"])


@pytest.fixture
def employee(db):
    return factories.user()


def test_records_created_by_hr_and_by_the_employee(hr, employee, make_program):
    program = make_program(hours="6")
    record_training(hr, employee, program, status="completed", completed_on=DAY, hours="2.5")
    record_training(
        employee, employee, program, status="completed", completed_on=DAY.replace(day=2)
    )
    record_training(hr, hr, program, status="failed", completed_on=DAY)
    stored = assert_summaries_match()
    assert stored["hours"] == {(2025, program.id): (Decimal("2.5"), 1)}


def test_record_edits_move_hours_years_and_status(hr, employee, make_program):
    program = make_program(hours="6")
    record = record_training(hr, employee, program, status="completed", completed_on=DAY, hours="3")
    other = record_training(hr, hr, program, status="completed", completed_on=DAY)
    assert_summaries_match()
    update_record(hr, record, hours=Decimal("4.5"))
    assert_summaries_match()
    update_record(hr, record, completed_on=date(2026, 4, 1))  # into FY2026
    assert_summaries_match()
    update_record(hr, record, hours=None)
    assert_summaries_match()
    update_record(hr, other, status="failed")
    stored = assert_summaries_match()
    assert stored["hours"] == {(2026, program.id): (Decimal(0), 1)}
    update_record(hr, other, status="completed", hours=Decimal(1))
    assert_summaries_match()


def test_enrolment_completed_cancelled_verified_rejected(hr, employee, make_program):
    program = make_program(hours="6")
    start = tokyo_today() + timedelta(days=10)
    session = services.create_session(
        hr, program, starts_on=start, ends_on=start + timedelta(days=1), capacity=5
    )
    enrolled = services.enrol(employee, session)
    cancelled = services.enrol(hr, session)
    assert_summaries_match()
    services.cancel_enrolment(hr, cancelled)
    assert_summaries_match()
    update_record(hr, enrolled, status="completed", completed_on=tokyo_today())
    assert enrolled.status == RecordStatus.COMPLETED
    assert_summaries_match()
    own = record_training(employee, employee, program, status="completed", completed_on=DAY)
    rejected = record_training(
        employee, employee, program, status="completed", completed_on=DAY.replace(day=3)
    )
    verification.verify_record(hr, own)
    rejections.reject_record(hr, rejected, "no certificate")
    stored = assert_summaries_match()
    assert stored["hours"][(2025, program.id)] == (Decimal(0), 2)  # the figure counts both


def test_import_adds_its_records(hr, make_program, tmp_path):
    program = make_program(code="CC-101", hours="6")
    factories.user(employee_number="A001")
    factories.user(employee_number="A002")
    path = tmp_path / "r.csv"
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(("employee_number", "program", "completed_on", "hours", "score"))
        writer.writerow(["A001", "CC-101", "2025-06-01", "12", ""])
        writer.writerow(["A002", "CC-101", "2026-03-31", "", ""])
        writer.writerow(["A002", "CC-101", "2026-04-01", "1.5", ""])
    batch = imports.create_batch(hr, None, str(path), path=str(path))
    imports.check_batch(hr, batch)
    imports.import_batch(hr, batch)
    stored = assert_summaries_match()
    assert stored["hours"] == {
        (2025, program.id): (Decimal(12), 1),
        (2026, program.id): (Decimal("1.5"), 0),
    }


def test_scores_added_verified_rejected(hr, employee):
    today = tokyo_today()
    add_language_score(hr, employee, test="toeic", score="800", taken_on=today)
    own = add_language_score(employee, employee, test="ielts", score="7.0", taken_on=today)
    refused = add_language_score(employee, employee, test="toefl_ibt", score="90", taken_on=today)
    add_language_score(hr, hr, test="hsk", score="200", taken_on=today)  # no CEFR bands
    assert_summaries_match()
    verification.verify_score(hr, own)
    rejections.reject_score(hr, refused, "not the candidate's")
    stored = assert_summaries_match()
    assert sorted(stored["levels"].values()) == [1, 1]
    assert {k[:2] for k in stored["levels"]} == {("toeic", "B2"), ("ielts", "C1")}


def test_rows_written_through_the_orm_directly(hr, employee, make_program):
    """What the seeds and tests do: rows added, changed and deleted as objects."""
    program, second = make_program(hours="6"), make_program(title="Second", hours="2")
    record = TrainingRecord(
        user=employee,
        program=program,
        status=RecordStatus.COMPLETED,
        completed_on=DAY,
        source="hr",
    )
    score = LanguageScore(
        user=employee,
        test=LanguageTest.IELTS,
        score=Decimal("6.0"),
        taken_on=DAY,
        verified=True,
        verified_at=datetime(2025, 6, 2, tzinfo=UTC),
    )
    _db.session.add_all([record, score])
    assert_summaries_match()
    record.program, record.hours, score.score, score.expires_on = second, Decimal(3), 8, None
    assert_summaries_match()
    _db.session.expire_all()  # a change to a row not loaded first still moves by its old value
    record.completed_on = date(2024, 5, 1)
    score.taken_on = DAY - timedelta(days=1)
    assert_summaries_match()
    _db.session.delete(record)
    _db.session.delete(score)
    stored = assert_summaries_match()
    assert stored == {"hours": {}, "levels": {}}


def test_retention_anonymises_unverified_scores_only(app, hr, employee):
    add_language_score(employee, employee, test="toeic", score="500", taken_on=tokyo_today())
    add_language_score(hr, employee, test="toeic", score="900", taken_on=DAY)
    _db.session.flush()
    later = datetime.now(UTC) + timedelta(days=3000)
    assert retention.anonymise_unverified_scores(later, 100, []) == 1
    assert_summaries_match()


def test_recompute_sets_the_rows_from_the_base_rows(hr, employee, make_program):
    program = make_program(hours="6")
    record_training(hr, employee, program, status="completed", completed_on=DAY, hours="2")
    add_language_score(hr, employee, test="toeic", score="800", taken_on=tokyo_today())
    expected = assert_summaries_match()
    _db.session.execute(sa.update(TrainingHoursTotal).values(own_hours=99))
    _db.session.execute(sa.delete(LanguageLevelCount))
    summaries.recompute()
    assert summaries.stored_rows() == expected


def test_dashboard_figures_equal_the_sums_over_the_base_rows(hr, make_program):
    """Generated records and scores of several years, programs and tests: the dashboard's
    figures from the summary rows equal the grouped reads of the records and scores it made
    before the summaries (``from_records`` below is that query, kept here)."""
    import random

    rng = random.Random(16)
    programs = [
        make_program(title=f"P{i}", category=c, hours=h)
        for i, (c, h) in enumerate(
            [("language", "6"), ("seminar", "2.5"), ("e_learning", "0"), ("language", "12")]
        )
    ]
    people = [factories.user() for _ in range(6)]
    today = tokyo_today()
    for n in range(120):
        day = today - timedelta(days=n * 7 + rng.randrange(7))  # one record a day at most
        _db.session.add(
            TrainingRecord(
                user=rng.choice(people),
                program=rng.choice(programs),
                completed_on=day,
                status=rng.choice(list(RecordStatus)) if n % 3 else RecordStatus.COMPLETED,
                hours=rng.choice([None, Decimal("1.5"), Decimal(4)]),
                source="hr",
            )
        )
    for n in range(80):
        test = rng.choice(["toeic", "ielts", "toefl_ibt", "hsk"])
        top = {"toeic": 990, "ielts": 9, "toefl_ibt": 120, "hsk": 300}[test]
        taken = today - timedelta(days=rng.randrange(-3, 1200))
        verified = rng.random() < 0.7
        _db.session.add(
            LanguageScore(
                user=people[n % 6],
                test=test,
                test_name=str(n),
                score=Decimal(rng.randrange(top)),
                taken_on=taken,
                verified=verified,
                verified_at=datetime.now(UTC) if verified else None,
                expires_on=rng.choice([None, taken + timedelta(days=730), taken]),
            )
        )
    assert_summaries_match()
    for year in (today.year - 2, today.year - 1, today.year):
        for day in (today, today - timedelta(days=400)):
            assert _training_figures(year, day) == from_records(year, day)


def from_records(fiscal_year: int, today: date):
    """The dashboard's two reads of the base rows as they were before the summary rows."""
    from hrfund.core.fiscal import fiscal_year_bounds
    from hrfund.reports.organisation import BANDS, CEFR_BANDS
    from hrfund.training.models import ProgramCategory, TrainingProgram

    start, end = fiscal_year_bounds(fiscal_year)
    hours = {c.value: Decimal(0) for c in ProgramCategory}
    effective = sa.func.coalesce(TrainingRecord.hours, TrainingProgram.hours)
    for category, total in _db.session.execute(
        sa.select(TrainingProgram.category, sa.func.sum(effective))
        .join(TrainingProgram, TrainingProgram.id == TrainingRecord.program_id)
        .where(
            TrainingRecord.status == RecordStatus.COMPLETED,
            TrainingRecord.completed_on.between(start, end),
        )
        .group_by(TrainingProgram.category)
    ):
        hours[str(category)] = Decimal(total)
    levels = {str(t): dict.fromkeys(BANDS, 0) for t in CEFR_BANDS}
    for score in _db.session.scalars(sa.select(LanguageScore)):
        if (
            str(score.test) in levels
            and score.verified
            and score.rejected_at is None
            and score.is_valid_on(today)
        ):
            levels[str(score.test)][summaries.band_of(str(score.test), score.score)] += 1
    return hours, levels


def test_every_counted_column_loads_its_old_value_when_changed():
    """The flush moves the rows by the old values: each column they depend on has them."""
    for model, names in summaries.COUNTED.items():
        for name in names:
            assert sa.inspect(model).attrs[name].active_history, (model, name)
