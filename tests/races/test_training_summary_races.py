"""The training summary rows under concurrent writers: records of one program and year created
at once all count in its one row (an atomic upsert, ``n = n + d``), and two HR officers editing
one record's hours at once move the row by what each of them really changed (the edit reads
the record under its row lock)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from hrfund.auth.models import User
from hrfund.extensions import db
from hrfund.training import services, summaries
from hrfund.training.models import TrainingProgram, TrainingRecord
from hrfund.training.records import record_training, update_record
from tests import factories
from tests.conftest import PG_URL
from tests.racing import commit_or_refusal, in_processes, in_threads

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not PG_URL, reason="races need real PostgreSQL connections"),
    pytest.mark.xdist_group("races"),
]
DAY = date(2025, 6, 1)
WRITERS = 4


def _program_and_people(app, n: int) -> tuple[int, int, list[int]]:
    with app.app_context():
        hr = factories.user(["hr"])
        program = services.create_program(
            None, title_en="Race", title_ja="競争", category="seminar", hours=Decimal(6)
        )
        people = [factories.user() for _ in range(n)]
        db.session.commit()
        ids = hr.id, program.id, [p.id for p in people]
        db.session.remove()
    return ids


def create_record(hr_id: int, program_id: int, person_id: int, hours: str | None) -> str:
    def act():
        hr, person = db.session.get(User, hr_id), db.session.get(User, person_id)
        program = db.session.get(TrainingProgram, program_id)
        record_training(hr, person, program, status="completed", completed_on=DAY, hours=hours)

    return commit_or_refusal(act, {})


def edit_hours(hr_id: int, record_id: int, hours: str) -> str:
    def act():
        hr, record = db.session.get(User, hr_id), db.session.get(TrainingRecord, record_id)
        record.hours  # loaded before the race, as a page that shows the record first would  # noqa: B018
        update_record(hr, record, hours=Decimal(hours))

    return commit_or_refusal(act, {})


def _stored_hours(app, program_id: int):
    with app.app_context():
        stored, computed = summaries.stored_rows(), summaries.from_base_rows()
        db.session.remove()
    assert stored == computed
    return stored["hours"][(2025, program_id)]


@pytest.mark.parametrize("runner", [in_threads, in_processes])
def test_records_created_at_once_all_count_in_one_new_row(race_app, runner):
    hr_id, program_id, people = _program_and_people(race_app, WRITERS)
    hours = ["1.5", None, "2", None]
    results = runner(
        race_app,
        create_record,
        [(hr_id, program_id, p, h) for p, h in zip(people, hours, strict=True)],
    )
    assert results == ["ok"] * WRITERS
    assert _stored_hours(race_app, program_id) == (Decimal("3.5"), 2)


def test_two_edits_of_one_record_at_once(race_app):
    hr_id, program_id, (person,) = _program_and_people(race_app, 1)
    with race_app.app_context():
        record = record_training(
            db.session.get(User, hr_id),
            db.session.get(User, person),
            db.session.get(TrainingProgram, program_id),
            status="completed",
            completed_on=DAY,
            hours="5",
        )
        db.session.commit()
        record_id = record.id
        db.session.remove()
    results = in_threads(race_app, edit_hours, [(hr_id, record_id, "7"), (hr_id, record_id, "9")])
    assert results == ["ok", "ok"]
    with race_app.app_context():
        final = db.session.get(TrainingRecord, record_id).hours
        db.session.remove()
    assert _stored_hours(race_app, program_id) == (final, 0)
