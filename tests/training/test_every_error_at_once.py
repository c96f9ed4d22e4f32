"""Every error at once on the training record and language score forms: a field the form
marks wrong and a rule only the service knows are both said on the first submit, and nothing
is stored (neither the row nor the certificate file)."""

from __future__ import annotations

import io
from datetime import timedelta

import sqlalchemy as sa

from hrfund.core.files import StoredFile
from hrfund.core.fiscal import tokyo_today
from hrfund.extensions import db as _db
from hrfund.training import records
from hrfund.training.models import LanguageScore, TrainingRecord

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = tokyo_today()
NEGATIVE = "Number must be at least 0."


def _count(model) -> int:
    return _db.session.scalar(sa.select(sa.func.count(model.id)))


def _nothing_stored(folder) -> bool:
    files = list(folder.iterdir()) if folder.exists() else []
    return not files and _count(StoredFile) == 0


def test_a_record_says_the_negative_hours_and_the_expiry_before_completion(
    login_as, make_program, upload_folder
):
    program = make_program()
    _db.session.commit()
    client = login_as("employee", locale="en")
    response = client.post(
        "/training/records/new",
        data={
            "program": program.id,
            "status": "completed",
            "completed_on": (TODAY - timedelta(days=10)).isoformat(),
            "expires_on": (TODAY - timedelta(days=20)).isoformat(),
            "hours": "-3",
            "certificate": (io.BytesIO(PDF), "certificate.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert NEGATIVE in page
    assert "The expiry cannot be before the completion date." in page
    assert _count(TrainingRecord) == 0
    assert _nothing_stored(upload_folder)


def test_editing_a_record_says_everything_and_changes_nothing(login_as, make_program):
    program = make_program()
    hr = login_as("hr", locale="en")
    completed = TODAY - timedelta(days=10)
    record = records.record_training(
        hr.user, hr.user, program, status="completed", completed_on=completed, hours="6"
    )
    _db.session.commit()
    response = hr.post(
        f"/training/records/{record.id}/edit",
        data={
            "status": "completed",
            "completed_on": completed.isoformat(),
            "expires_on": (completed - timedelta(days=1)).isoformat(),
            "hours": "-1",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert NEGATIVE in page
    assert "The expiry cannot be before the completion date." in page
    _db.session.expire_all()
    kept = _db.session.get(TrainingRecord, record.id)
    assert (kept.hours, kept.expires_on) == (6, None)


def test_a_score_says_the_missing_score_and_the_date_in_the_future(login_as, upload_folder):
    client = login_as("employee", locale="en")
    response = client.post(
        "/training/scores/new",
        data={
            "test": "ielts",
            "score": "",
            "taken_on": (TODAY + timedelta(days=5)).isoformat(),
            "certificate": (io.BytesIO(PDF), "certificate.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This field is required." in page
    assert "The test date cannot be in the future." in page
    assert _count(LanguageScore) == 0
    assert _nothing_stored(upload_folder)
