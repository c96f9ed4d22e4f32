"""Certificates: checked by content, size and name; stored nowhere when refused; served safely."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from hrfund.core.files import StoredFile, content_disposition
from hrfund.extensions import db as _db
from hrfund.training import records
from hrfund.training.models import LanguageScore
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TAKEN = (date.today() - timedelta(days=10)).isoformat()


def post_score(client, filename, content):
    return client.post(
        "/training/scores/new",
        data={
            "test": "ielts",
            "score": "6.5",
            "taken_on": TAKEN,
            "certificate": (io.BytesIO(content), filename),
        },
        content_type="multipart/form-data",
    )


def stored_nothing(folder) -> bool:
    files = list(folder.iterdir()) if folder.exists() else []
    return (
        not files
        and not _db.session.scalar(sa.select(sa.func.count(StoredFile.id)))
        and not _db.session.scalar(sa.select(sa.func.count(LanguageScore.id)))
    )


@pytest.mark.parametrize(
    ("filename", "content", "expected"),
    [
        ("certificate.pdf", b"MZ\x90\x00 this is an exe renamed", "is not a PDF file"),
        ("certificate.pdf", PNG, "is not a PDF file"),
        ("certificate.exe", PDF, "Upload a file of type PDF, PNG, JPEG"),
        ("../../etc/passwd.pdf", PDF, "The file name is not allowed"),
    ],
)
def test_bad_uploads_are_refused_with_a_clear_message(
    login_as, upload_folder, filename, content, expected
):
    client = login_as("employee", locale="en")
    response = post_score(client, filename, content)
    assert response.status_code == 422
    assert expected in response.get_data(as_text=True)
    assert stored_nothing(upload_folder)


@pytest.mark.parametrize(
    "name", ["..\\..\\boot.pdf", "a/b.pdf", "..", "x\x00.pdf", "../.pdf", "C:\\Windows\\a.pdf", ""]
)
def test_unsafe_names_are_refused_by_the_helper(app, name):
    from hrfund.core.errors import ValidationFailed
    from hrfund.core.files import check_filename

    with app.test_request_context(), pytest.raises(ValidationFailed) as error:
        check_filename(name)
    assert "file" in error.value.fields


def test_oversized_upload_is_refused(login_as, upload_folder):
    client = login_as("employee", locale="en")
    response = post_score(client, "big.pdf", PDF + b"0" * (10 * 1024 * 1024))
    assert response.status_code == 422
    assert "The file is too large: at most 10 MB." in response.get_data(as_text=True)
    assert stored_nothing(upload_folder)


def test_request_beyond_max_content_length_is_413_json(api_as, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    client = api_as("employee")
    response = client.post(
        "/api/v1/language-scores",
        headers=client.headers,
        data=b"x" * 2000,
        content_type="application/json",
    )
    assert response.status_code == 413 and response.json["error"]["code"] == "too_large"


def test_certificate_is_served_to_owner_hr_and_auditor_only(login_as, upload_folder):
    owner = login_as("employee", locale="en")
    response = post_score(owner, "証明書 IELTS.pdf", PDF)
    assert response.status_code == 302
    score = _db.session.scalar(sa.select(LanguageScore))
    assert score.certificate.original_name == "証明書 IELTS.pdf"
    stored = list(upload_folder.iterdir())
    assert len(stored) == 1 and stored[0].name == score.certificate.storage_key
    assert "証明書" not in stored[0].name and not stored[0].name.endswith(".pdf")
    url = f"/training/scores/{score.id}/certificate"

    download = owner.get(url)
    assert download.status_code == 200 and download.data == PDF
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="IELTS.pdf"' in disposition
    assert "filename*=UTF-8''%E8%A8%BC%E6%98%8E%E6%9B%B8%20IELTS.pdf" in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"

    assert login_as("hr").get(url).status_code == 200
    assert login_as("auditor").get(url).status_code == 200
    assert login_as("employee").get(url).status_code == 404  # another employee: not visible
    assert login_as("manager").get(url).status_code == 404
    assert login_as("coordinator").get(url).status_code == 403


def test_content_disposition_fallbacks():
    assert content_disposition("証明書.pdf").startswith('attachment; filename="file.pdf"')
    assert 'filename="a_b.png"' in content_disposition("a b.png")


def test_employee_never_sees_another_employees_records(login_as, api_as):
    other = factories.user(employee_number="O1")
    records.add_language_score(other, other, test="toeic", score=800, taken_on=date(2025, 1, 5))
    _db.session.commit()
    page = login_as("employee")
    assert page.get(f"/training/people/{other.id}").status_code == 404
    api = api_as("employee")
    listed = api.get("/api/v1/language-scores", headers=api.headers).json
    assert listed["total"] == 0
    coordinator = api_as("coordinator")
    assert (
        coordinator.get("/api/v1/language-scores", headers=coordinator.headers).json["total"] == 0
    )
    assert (
        coordinator.get("/api/v1/training/records", headers=coordinator.headers).json["total"] == 0
    )
    assert login_as("coordinator").get(f"/training/people/{other.id}").status_code == 403
    hr = api_as("hr")
    assert hr.get("/api/v1/language-scores", headers=hr.headers).json["total"] == 1


def test_a_rolled_back_upload_leaves_no_file_behind(app, db, upload_folder):
    from hrfund.core.files import store_upload

    kept = store_upload(io.BytesIO(PDF), "kept.pdf")
    db.session.commit()
    store_upload(io.BytesIO(PDF), "dropped.pdf")
    assert len(list(upload_folder.iterdir())) == 2
    db.session.rollback()
    assert [p.name for p in upload_folder.iterdir()] == [kept.storage_key]


def test_a_refused_score_with_a_good_certificate_keeps_no_file(login_as, upload_folder):
    """The certificate is fine but the score is a duplicate: no file of the refused request
    remains in the upload folder."""
    client = login_as("employee")
    assert post_score(client, "ielts.pdf", PDF).status_code == 302
    first = set(upload_folder.iterdir())
    again = post_score(client, "ielts.pdf", PDF)
    assert again.status_code == 422  # said on the form, with what was typed
    html = again.get_data(as_text=True)
    assert "already" in html and 'value="6.5"' in html and f'value="{TAKEN}"' in html
    assert set(upload_folder.iterdir()) == first
