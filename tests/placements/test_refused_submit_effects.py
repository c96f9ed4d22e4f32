"""A nomination or a placement the form refuses produces nothing: no CV file on disk, no notice.

Their services store a file and tell someone (HR of a nomination, the coordinator of a
placement), so the views run the services' pure checks with the form's and the service only
once both pass; running the service in a savepoint and rolling it back left the file behind
and had sent the notice's signal.
"""

from __future__ import annotations

import io
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine

from hrfund.core import signals
from hrfund.placements.models import Nomination, Placement
from tests import factories
from tests.placements.conftest import END, START

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def uploads(app, tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(folder))
    return folder


def _login(app, user):
    c = app.test_client()
    c.post("/login", data={"email": user.email, "password": factories.TEST_PASSWORD})
    return c


@contextmanager
def _sent(signal):
    seen: list = []

    def receiver(sender, **_):
        seen.append(sender)

    signal.connect(receiver)
    try:
        yield seen
    finally:
        signal.disconnect(receiver)


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_a_nomination_refused_by_its_form_stores_no_cv_and_tells_no_one(app, db, world, uploads):
    data = {
        "name": "Lee\x07Jiwoo",  # a control character: only the form refuses it
        "email": "lee.jiwoo@seoul.example",
        "position": "Deputy Director, Water Supply",
        "start_on": START.isoformat(),
        "end_on": END.isoformat(),
    }
    with time_machine.travel(START - timedelta(days=30)), _sent(signals.nomination_made) as told:
        coordinator = _login(app, world.seoul_coordinator)
        response = coordinator.post(
            "/nominations/new",
            data=data | {"cv": (io.BytesIO(PDF), "cv.pdf")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 422
        assert told == [] and _files(uploads) == []
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Nomination)) == 0

        accepted = coordinator.post(  # the control: the same, well typed, stores and tells
            "/nominations/new",
            data=data | {"name": "Lee Jiwoo", "cv": (io.BytesIO(PDF), "cv.pdf")},
            content_type="multipart/form-data",
        )
        assert accepted.status_code == 302
        assert len(told) == 1 and len(_files(uploads)) == 1


def test_a_placement_refused_by_its_form_tells_no_coordinator(app, db, world):
    hr = _login(app, world.hr)
    data = {
        "person": world.employee.email,
        "city": "SEL",
        "start_on": "2026-10-01",
        "end_on": "2027-03-31",
        "amount_jpy": "900000",
        "purpose": "x" * 2001,  # longer than the form allows; the service has no limit
    }
    with _sent(signals.placement_created) as told:
        response = hr.post("/placements/new", data=data)
        assert response.status_code == 422
        assert told == []
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Placement)) == 0

        accepted = hr.post("/placements/new", data=data | {"purpose": "上下水道の技術交流"})
        assert accepted.status_code == 302 and len(told) == 1
