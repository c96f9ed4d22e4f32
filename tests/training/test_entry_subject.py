"""Whose record is being entered: one rule (``records.entry_subject``), pages and API alike."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from hrfund.core.errors import NotAllowed, ValidationFailed
from hrfund.extensions import db as _db
from hrfund.training import records
from hrfund.training.models import TrainingRecord
from tests import factories

TAKEN = date.today() - timedelta(days=20)


def _records_of(user) -> int:
    return _db.session.scalar(
        sa.select(sa.func.count())
        .select_from(TrainingRecord)
        .where(TrainingRecord.user_id == user.id)
    )


def test_the_rule(db):
    employee = factories.user(["employee"], employee_number="T-0001")
    hr = factories.user(["hr", "employee"])
    other = factories.user(["employee"])
    for value in (None, "", "  ", employee.id, employee.email.upper(), " T-0001 "):
        assert records.entry_subject(employee, value) is employee
    with pytest.raises(NotAllowed):
        records.entry_subject(employee, other.email)
    with pytest.raises(NotAllowed):  # refused before the lookup: nobody learns who exists
        records.entry_subject(employee, "nobody@example.org")
    assert records.entry_subject(hr, other.email) == other
    with pytest.raises(ValidationFailed) as refused:
        records.entry_subject(hr, "nobody@example.org", "employee")
    assert set(refused.value.fields) == {"employee"}


def test_the_page_refuses_another_persons_record_as_the_api_does(login_as, make_program, db):
    program = make_program()
    other = factories.user(["employee"])
    _db.session.commit()
    employee = login_as("employee")
    form = {"program": program.id, "status": "completed", "completed_on": TAKEN.isoformat()}
    refused = employee.post("/training/records/new", data=form | {"employee": other.email})
    assert refused.status_code == 403  # was silently recorded for the employee instead
    assert _records_of(other) == 0 and _records_of(employee.user) == 0
    own = employee.post("/training/records/new", data=form | {"employee": employee.user.email})
    assert own.status_code == 302 and _records_of(employee.user) == 1
    hr = login_as("hr")
    by_hr = hr.post("/training/records/new", data=form | {"employee": other.email})
    assert by_hr.status_code == 302 and _records_of(other) == 1
