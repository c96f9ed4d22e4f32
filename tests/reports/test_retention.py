"""The retention job: it anonymises exactly what is past its period, keeps the figures, and a
second run changes nothing more. The page shows the periods to HR and auditors."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask_babel import force_locale

from hrfund.applications.models import Application, Attachment
from hrfund.auth.anonymous import is_placeholder
from hrfund.core.audit import AuditEvent
from hrfund.core.db import utcnow
from hrfund.core.files import StoredFile, path_of
from hrfund.fund import services as fund
from hrfund.fund.models import LedgerEntry
from hrfund.placements.models import Nomination, Placement
from hrfund.reminders.models import Delivery, NoticeEvent, Notification
from hrfund.reports import retention
from hrfund.reports.audit_purge import purge_audit_events
from hrfund.reports.retention_jobs import run_retention
from hrfund.scheduler import jobs
from hrfund.training.models import LanguageScore
from tests.reports.privacy_world import build_world


@pytest.fixture
def world(db):
    with force_locale("en"):
        w = build_world()
        db.session.commit()
        yield w


def _snapshot(db):
    """Every row the job may touch, as plain tuples, and the counts of the append-only tables."""

    def rows(model, *columns):
        return sorted(tuple(r) for r in db.session.execute(sa.select(*columns)).all())

    return {
        "applications": rows(
            Application,
            Application.id,
            Application.applicant_id,
            Application.status,
            Application.statement,
            Application.travel_jpy,
            Application.stipend_jpy,
            Application.housing_jpy,
            Application.start_on,
            Application.end_on,
        ),
        "attachments": rows(Attachment, Attachment.id, Attachment.file_id),
        "files": rows(StoredFile, StoredFile.id, StoredFile.owner_id),
        "nominations": rows(Nomination, Nomination.id, Nomination.name, Nomination.email),
        "scores": rows(LanguageScore, LanguageScore.id, LanguageScore.user_id, LanguageScore.score),
        "notifications": rows(Notification, Notification.id),
        "placements": rows(Placement, Placement.id, Placement.person_id, Placement.status),
        "fund_entries": db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)),
    }


def _figures():
    summary = fund.summary(2026)
    return (
        (summary.fund.contributed, summary.fund.allocated),
        {
            c: (line.allocated, line.committed, line.disbursed, line.available)
            for c, line in summary.lines.items()
        },
    )


def test_the_job_anonymises_exactly_what_is_past_its_period(app, db, world):
    w = world
    figures = _figures()
    entries = db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry))
    cv_paths = [path_of(a.file) for a in w.declined.attachments + w.rejected.attachments]
    assert all(p.exists() for p in cv_paths)
    certificate_path = path_of(w.old_unverified.certificate)
    kept_cv = [path_of(a.file) for a in w.withdrawn.attachments + w.approved.attachments]
    person_id = w.person.id
    withdrawn_deliveries = db.session.scalar(
        sa.select(sa.func.count()).where(
            Delivery.subject_type == "notice_event",
            Delivery.subject_id.in_(
                sa.select(NoticeEvent.id).where(
                    NoticeEvent.object_type == "application",
                    NoticeEvent.object_id == w.withdrawn.id,
                )
            ),
        )
    )
    assert db.session.scalar(
        sa.select(sa.func.count()).where(
            NoticeEvent.object_type == "application",
            NoticeEvent.object_id == w.declined.id,
            NoticeEvent.actor_id.is_not(None),
        )
    ), "the decline was told, naming who declined"

    result = run_retention()

    assert result.counts == {
        "applications": 3,  # declined and rejected of the person, rejected of the other
        "nominations": 1,
        "unverified_scores": 2,
        "notifications": len(w.old_notifications),
    }
    db.session.expire_all()
    for application in (w.declined, w.rejected, w.other_rejected):
        assert is_placeholder(application.applicant)
        assert application.statement == ""
        assert application.attachments == []
        assert application.total_jpy == 1_300_000  # the figures stay
        assert application.start_on is not None and application.preference_codes == ["SEL"]
    assert w.declined.applicant_id != w.rejected.applicant_id  # not even linkable to each other
    assert not any(p.exists() for p in cv_paths)
    assert not certificate_path.exists()
    # what is not past its period, or not of an anonymised kind, is untouched
    assert w.withdrawn.applicant_id == person_id and w.withdrawn.statement
    assert w.approved.applicant_id == person_id and len(w.approved.attachments) == 1
    assert all(p.exists() for p in kept_cv)
    assert w.old_nomination.name.startswith("匿名") and w.old_nomination.position == ""
    assert w.old_nomination.status.value == "rejected" and w.old_nomination.start_on
    assert w.new_nomination.name == "Park Minho"
    assert w.accepted_nomination.name == "Kim Yuna"
    assert is_placeholder(w.old_unverified.user) and w.old_unverified.certificate_id is None
    assert w.old_unverified.score == 800
    assert is_placeholder(w.other_unverified.user)
    assert w.new_unverified.user_id == person_id
    assert w.old_verified.user_id == person_id
    left = set(db.session.scalars(sa.select(Notification.id)))
    assert not left & set(w.old_notifications)
    assert w.person_notifications[-1] in left
    # nothing outside the audit log links the person to the anonymised applications any more
    anonymised = [w.declined.id, w.rejected.id, w.other_rejected.id]
    events = sa.select(NoticeEvent).where(
        NoticeEvent.object_type == "application", NoticeEvent.object_id.in_(anonymised)
    )
    assert all(e.actor_id is None for e in db.session.scalars(events))
    told = db.session.scalars(
        sa.select(Delivery).where(
            Delivery.subject_type == "notice_event",
            Delivery.subject_id.in_(
                sa.select(NoticeEvent.id).where(
                    NoticeEvent.object_type == "application", NoticeEvent.object_id.in_(anonymised)
                )
            ),
        )
    ).all()
    assert told == []
    withdrawn_told = sa.select(sa.func.count()).where(
        Delivery.subject_type == "notice_event",
        Delivery.subject_id.in_(
            sa.select(NoticeEvent.id).where(
                NoticeEvent.object_type == "application", NoticeEvent.object_id == w.withdrawn.id
            )
        ),
    )
    assert db.session.scalar(withdrawn_told) == withdrawn_deliveries
    # the money never changed
    assert _figures() == figures
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)) == entries
    # one audit event for the run, with its counts
    event = db.session.get(AuditEvent, result.audit_event_id)
    assert event.action == "retention.run"
    assert event.changes["anonymised"] == result.counts


def test_running_again_changes_nothing_more(app, db, world):
    run_retention()
    before = _snapshot(db)
    runs = db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "retention.run"))
    again = run_retention()
    db.session.expire_all()
    assert set(again.counts.values()) == {0}
    assert _snapshot(db) == before
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "retention.run"))
        == runs + 1
    )


def test_small_batches_do_the_same_work(app, db, world):
    result = run_retention(batch_size=1)
    assert result.counts["applications"] == 3
    assert result.counts["unverified_scores"] == 2
    assert retention.due_counts(utcnow())["applications"] == 0


def test_nothing_is_due_within_the_periods(app, db, world):
    app.config["RETENTION_DAYS_APPLICATIONS"] = 10 * 365
    try:
        before = _snapshot(db)
        result = run_retention()
        assert result.counts["applications"] == 0
        assert _snapshot(db)["applications"] == before["applications"]
    finally:
        app.config["RETENTION_DAYS_APPLICATIONS"] = 3 * 365


def test_audit_events_are_never_changed_by_the_job(app, db, world):
    count = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    far = utcnow() + timedelta(days=11 * 365)
    result = run_retention(far)
    assert result.audit_events_past_period == count
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == count + 1


def test_the_scheduler_runs_it_and_the_cli_too(app, db, world):
    assert "retention.run" in [job_id for job_id, _f, _t in jobs(app)]
    result = CliRunner().invoke(app.cli, ["retention", "run"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "applications: 3" in result.output
    bad = CliRunner().invoke(app.cli, ["retention", "run", "--now", "yesterday"])
    assert bad.exit_code == 2 and "ISO 8601" in bad.output


def test_the_runtime_cannot_purge_but_the_owner_can(app, db, world):
    """In tests the app connects as the owner (the database's creator), as migrations do."""
    with pytest.raises(sa.exc.DBAPIError), db.session.begin_nested():
        db.session.execute(sa.delete(AuditEvent))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    connection = db.session.connection()
    deleted = purge_audit_events(connection, utcnow() + timedelta(days=1))
    assert deleted == total
    left = list(db.session.scalars(sa.select(AuditEvent)))
    assert [e.action for e in left] == ["retention.audit_purged"]
    with pytest.raises(sa.exc.DBAPIError), db.session.begin_nested():  # the trigger is back
        db.session.execute(sa.delete(AuditEvent))


def test_hr_and_auditors_read_the_periods_others_get_403(app, db, world, login_as):
    for role in ("hr", "auditor"):
        page = login_as(role).get("/privacy/retention")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "Applications not approved" in text and "1095" in text
    for role in ("employee", "coordinator", "manager", "admin"):
        assert login_as(role).get("/privacy/retention").status_code == 403


def test_the_page_in_japanese(app, db, world, login_as):
    page = login_as("hr", locale="ja").get("/privacy/retention")
    assert "保存期間" in page.get_data(as_text=True)


def test_the_pages_show_anonymised_records_without_their_person(app, db, world, login_as):
    w = world
    run_retention()
    hr = login_as("hr")
    for url in (
        "/applications",
        f"/applications/{w.declined.id}",
        f"/applications/{w.other_rejected.id}",
        f"/nominations/{w.old_nomination.id}",
        "/nominations",
        "/training/verification",
        "/dashboard",
    ):
        page = hr.get(url)
        assert page.status_code == 200, url
        text = page.get_data(as_text=True)
        for gone in ("Private reasons of Yamada", "Sato&#39;s own reasons", "Lee Jiwoo"):
            assert gone not in text, (url, gone)
    detail = hr.get(f"/applications/{w.declined.id}").get_data(as_text=True)
    assert "Anonymised" in detail
    queue = hr.get("/training/verification").get_data(as_text=True)
    assert "TOEIC" in queue  # the person's own recent unverified score is still to verify
    assert "HSK" not in queue  # the other's only unverified score (HSK) was anonymised


def test_the_page_shows_the_last_run(app, db, world, login_as):
    run_retention()
    page = login_as("auditor").get("/privacy/retention").get_data(as_text=True)
    assert "Rejected nominations: 1" in page
    assert 'id="retention-applications"' in page


def test_the_purge_command_only_counts_without_yes(app, db, world):
    count = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    far = (utcnow() + timedelta(days=11 * 365)).isoformat()
    result = CliRunner().invoke(
        app.cli, ["retention", "purge-audit", "--now", far], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert f"{count} audit events before" in result.output and "--yes" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == count
