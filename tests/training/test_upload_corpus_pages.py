"""The uploads corpus (test_upload_corpus.py, its cases reused) through the two pages that
store a document with ``store_upload``'s defaults: an application's attachment and a
placement's milestone report. Each bad file is refused with a message, leaves no file on
disk or in the database, never gives a 500, with memory bounded for the
archives and the oversize file.

One test per page walks every case with one set of data: a refusal changes nothing, so each
case meets the same draft and the same placement (and the file stays in its time budget).
"""

from __future__ import annotations

import io

import sqlalchemy as sa

from hrfund.extensions import db as _db
from tests import factories
from tests.applications.conftest import build_setup
from tests.placements.conftest import END, START
from tests.training import test_upload_corpus as corpus_file
from tests.training.test_upload_corpus import (
    CASES,
    CERTIFICATE_CASES,
    MB,
    _bounded,
    _nothing_on_disk,
    _refused,
)

corpus = corpus_file.corpus  # the corpus file's fixtures: its files, its small upload limits
small_limits = corpus_file.small_limits

#: every case the pages can receive ("traversal (windows)" cannot: see test_upload_corpus.py)
PAGE_CASES = sorted(set(CASES) | set(CERTIFICATE_CASES))


def _client(app, user):
    client = app.test_client()
    response = client.post(
        "/login", data={"email": user.email, "password": factories.TEST_PASSWORD}
    )
    assert response.status_code == 302
    return client


def _post(client, url: str, data: dict, name: str, body: bytes):
    def post():
        return client.post(
            url,
            data=data | {"file": (io.BytesIO(body), name)},
            content_type="multipart/form-data",
            headers={"Accept-Language": "en"},
        )

    # memory is bounded where it could run away (archives, the oversize file); tracing every
    # allocation of every page would triple the file's time
    return _bounded(post)[0] if body.startswith(b"PK") or len(body) > MB else post()


def test_the_application_attachment_page_refuses_the_corpus(
    app, db, upload_folder, small_limits, corpus
):
    from hrfund.applications.models import Attachment

    setup = build_setup()
    draft = setup.draft()
    _db.session.commit()
    client = _client(app, setup.employee)
    failures = []
    for case in PAGE_CASES:
        name, body = corpus[case]
        response = _post(
            client, f"/applications/{draft.id}/attachments", {"kind": "cv"}, name, body
        )
        with client.session_transaction() as session:
            flashes = session.pop("_flashes", [])
        refused = [text for category, text in flashes if category == "danger" and text.strip()]
        if response.status_code != 303 or not refused:
            failures.append(f"{case}: {response.status_code}, flashed {flashes!r:.200}")
        if not _nothing_on_disk(upload_folder) or _db.session.scalar(
            sa.select(sa.func.count(Attachment.id))
        ):
            failures.append(f"{case}: a file was kept")
        if not failures:
            _refused(f"attachment page: {case}")
    assert not failures, "\n".join(failures)
    print(f"attachment page: {len(PAGE_CASES)} corpus files refused, 0 kept, 0 server errors")


def test_the_milestone_report_page_refuses_the_corpus(app, db, upload_folder, small_limits, corpus):
    from hrfund.placements import services as placements
    from hrfund.placements.models import Report

    setup = build_setup()
    placement = placements.create_outgoing_placement(
        setup.hr,
        person=setup.employee,
        city=setup.seoul,
        start_on=START,
        end_on=END,
        amount_jpy=1_000_000,
        purpose="都市づくり政策の調査",
    )
    placements.confirm_placement(setup.coordinator, placement, host_office="City Hall")
    placements.start_placement(setup.coordinator, placement)
    _db.session.commit()
    client = _client(app, setup.employee)
    failures = []
    for case in PAGE_CASES:
        name, body = corpus[case]
        data = {"kind": "mid_term", "summary": "中間報告 mid-term summary"}
        response = _post(client, f"/placements/{placement.id}/reports", data, name, body)
        page = response.get_data(as_text=True)
        if response.status_code != 422 or "invalid-feedback" not in page:
            failures.append(f"{case}: {response.status_code} {page[:150]!r}")
        if not _nothing_on_disk(upload_folder) or _db.session.scalar(
            sa.select(sa.func.count(Report.id))
        ):
            failures.append(f"{case}: a file was kept")
        if not failures:
            _refused(f"report page: {case}")
    assert not failures, "\n".join(failures)
    print(f"report page: {len(PAGE_CASES)} corpus files refused, 0 kept, 0 server errors")
