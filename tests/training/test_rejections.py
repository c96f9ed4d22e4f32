"""HR rejects an employee's own language score or training record with a reason: the entry
leaves the queue, counts for nothing, the employee is told once (in the app and by e-mail over
real SMTP) and reads the reason on their development page."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from hrfund.core.audit import AuditEvent
from hrfund.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from hrfund.training import records, rejections
from hrfund.training.eligibility import eligibility
from hrfund.training.models import LanguageScore, TrainingRecord
from tests import factories
from tests.reminders.conftest import deliveries, run, smtp  # noqa: F401 - smtp is a fixture

TOLD = "notice_record_rejected"


@pytest.fixture
def people(db):
    employee = factories.user(["employee"])
    hr = factories.user(["hr", "employee"])
    db.session.commit()
    return employee, hr


def _own_score(employee, score="780"):
    entry = records.add_language_score(
        employee, employee, test="toeic", score=score, taken_on=date(2026, 5, 10)
    )
    assert not entry.verified
    return entry


def _own_record(employee, program):
    return records.record_training(
        employee, employee, program, status="completed", completed_on=date(2026, 4, 20)
    )


def _in_queue(client, text: str) -> bool:
    return text in client.get("/training/verification").get_data(as_text=True)


def test_hr_rejects_a_score_from_the_queue_and_the_employee_is_told_once(
    app,
    db,
    people,
    login_as,
    smtp,  # noqa: F811
):
    smtp.start()
    employee, _hr = people
    score = _own_score(employee)
    db.session.commit()
    hr = login_as("hr")
    page = hr.get("/training/verification").get_data(as_text=True)
    assert f"/training/scores/{score.id}/reject" in page  # the queue offers the rejection
    response = hr.post(
        f"/training/scores/{score.id}/reject",
        data={"reason": "The certificate shows 680, not 780.", "next": "queue"},
    )
    assert response.status_code == 302 and response.location.endswith("/training/verification")
    db.session.expire_all()
    score = db.session.get(LanguageScore, score.id)
    assert score.rejected_at is not None and not score.verified
    assert score.rejection_reason == "The certificate shows 680, not 780."
    assert score.rejected_by_id == hr.user.id
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "language_score.reject")
    )
    assert (event.object_id, event.from_state, event.to_state) == (
        str(score.id),
        "unverified",
        "rejected",
    )
    assert event.comment == "The certificate shows 680, not 780."
    assert f"/training/scores/{score.id}/reject" not in hr.get("/training/verification").get_data(
        as_text=True
    )

    [in_app] = deliveries(TOLD, recipient_id=employee.id, channel="in_app")
    [mail] = deliveries(TOLD, recipient_id=employee.id, channel="email")
    assert in_app.title == "Not accepted: TOEIC 780.0 (May 10, 2026)"
    assert "The certificate shows 680, not 780." in in_app.body
    [message] = smtp.to(employee.email)
    assert "The certificate shows 680, not 780." in message.get_payload(decode=True).decode()
    run(score.rejected_at)  # the dispatcher sends nothing again
    assert len(smtp.to(employee.email)) == 1
    assert len(deliveries(TOLD)) == 2 and mail.recipient_id == employee.id

    # the employee reads why, on their own development page
    c = app.test_client()
    c.post("/login", data={"email": employee.email, "password": factories.TEST_PASSWORD})
    page = c.get(f"/training/people/{employee.id}").get_data(as_text=True)
    assert f'id="score-rejection-{score.id}"' in page
    assert "The certificate shows 680, not 780." in page and "Rejected" in page
    assert f"/training/scores/{score.id}/verify" not in page


def test_a_rejected_entry_counts_for_nothing_and_cannot_be_verified(db, people, make_program):
    employee, hr = people
    score = _own_score(employee, "900")
    program = make_program()
    record = _own_record(employee, program)
    rejections.reject_score(hr, score, "Not your certificate.")
    rejections.reject_record(hr, record, "No attendance list.")
    db.session.commit()
    assert score.rejected_at is not None and record.rejected_at is not None
    with pytest.raises(InvalidTransition):
        records.verify_score(hr, score)
    with pytest.raises(InvalidTransition):
        records.verify_record(hr, record)
    with pytest.raises(InvalidTransition):
        rejections.reject_score(hr, score, "again")
    queue_records, queue_scores = records.unverified_queue()
    assert record.id not in set(
        db.session.scalars(queue_records.with_only_columns(TrainingRecord.id))
    )
    assert score.id not in set(db.session.scalars(queue_scores.with_only_columns(LanguageScore.id)))
    result = eligibility(
        employee, {"language": {"test": "toeic", "min_score": 800}}, on=date(2026, 6, 1)
    )
    assert not result.eligible
    # "not verified yet, ask HR" would be a lie: the score was rejected
    assert all("not verified yet" not in str(u) for u in result.unmet)


def test_a_verified_entry_cannot_be_rejected_and_a_reason_is_required(db, people):
    employee, hr = people
    score = _own_score(employee)
    with pytest.raises(ValidationFailed) as refused:
        rejections.reject_score(hr, score, "   ")
    assert "reason" in refused.value.fields
    with pytest.raises(NotAllowed):
        rejections.reject_score(employee, score, "mine")
    records.verify_score(hr, score)
    with pytest.raises(InvalidTransition):
        rejections.reject_score(hr, score, "too late")
    assert score.rejected_at is None
    assert deliveries(TOLD) == []


def test_page_refuses_without_a_reason_and_auditors_are_refused(db, people, login_as):
    employee, _hr = people
    score = _own_score(employee)
    db.session.commit()
    hr = login_as("hr")
    response = hr.post(f"/training/scores/{score.id}/reject", data={"reason": ""})
    assert response.status_code == 422  # the development page again, with the error
    db.session.expire_all()
    assert db.session.get(LanguageScore, score.id).rejected_at is None
    auditor = login_as("auditor")
    assert (
        auditor.post(f"/training/scores/{score.id}/reject", data={"reason": "x"}).status_code == 403
    )
    page = auditor.get("/training/verification").get_data(as_text=True)
    assert "780" in page  # the auditor reads the queue …
    assert "/reject" not in page and "/verify" not in page  # … without its buttons
    page = auditor.get(f"/training/people/{employee.id}").get_data(as_text=True)
    assert "780" in page and "/reject" not in page and "/verify" not in page


def test_api_rejects_a_record_with_its_reason(db, people, api_as, make_program):
    employee, _hr = people
    record = _own_record(employee, make_program())
    db.session.commit()
    hr = api_as("hr")
    response = hr.post(f"/api/v1/training/records/{record.id}/reject", json={}, headers=hr.headers)
    assert response.status_code == 400 and "reason" in response.json["error"]["fields"]
    response = hr.post(
        f"/api/v1/training/records/{record.id}/reject",
        json={"reason": "Wrong program."},
        headers=hr.headers,
    )
    assert response.status_code == 200, response.json
    assert response.json["rejected"] is True and response.json["verified"] is False
    assert response.json["rejection_reason"] == "Wrong program."
    again = hr.post(
        f"/api/v1/training/records/{record.id}/reject", json={"reason": "x"}, headers=hr.headers
    )
    assert again.status_code == 409
    auditor = api_as("auditor")
    refused = auditor.post(
        f"/api/v1/training/records/{record.id}/reject",
        json={"reason": "x"},
        headers=auditor.headers,
    )
    assert refused.status_code == 403
    assert len(deliveries(TOLD, recipient_id=employee.id)) == 2  # in-app and e-mail, once
