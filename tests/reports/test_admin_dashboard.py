"""The administrator's home page: users by role, locked accounts, active tokens, recent
sign-ins, failed jobs and deliveries, and the scheduler's last and next run — read from the
heartbeat that ``flask scheduler run`` writes — in a fixed number of queries."""

from __future__ import annotations

import signal
from datetime import timedelta

import pytest
import sqlalchemy as sa

from hrfund.auth.models import LoginThrottle, User
from hrfund.auth.sessions import create_api_token, revoke_api_token
from hrfund.core import jobruns
from hrfund.core.db import utcnow
from hrfund.extensions import db as _db
from hrfund.reminders.models import Delivery, DeliveryStatus, ReminderRule
from hrfund.scheduler import _in_app, build_scheduler
from tests import factories
from tests.conftest import make_app
from tests.reminders.test_processes import _env, _scheduler, _wait_for


def _admin_client(app):
    admin = factories.user(["admin"])
    _db.session.commit()
    c = app.test_client()
    signed_in = c.post("/login", data={"email": admin.email, "password": factories.TEST_PASSWORD})
    assert signed_in.status_code == 302, "a response object is always true: check the redirect"
    return c, admin


def _lock(user: User) -> None:
    user.failed_logins = 5
    user.locked_until = utcnow() + timedelta(minutes=15)


def _failed_delivery(recipient: User) -> Delivery:
    rule = _db.session.scalar(sa.select(ReminderRule).order_by(ReminderRule.id))
    delivery = Delivery(
        rule_id=rule.id,
        subject_type="placement",
        subject_id=recipient.id,
        due_on=utcnow().date(),
        recipient_id=recipient.id,
        channel="email",
        status=DeliveryStatus.FAILED,
        attempts=3,
        last_error="SMTP 550 mailbox unavailable",
        title=f"Reminder for {recipient.email}",
        body="…",
    )
    _db.session.add(delivery)
    return delivery


def test_the_admin_home_shows_accounts_tokens_sign_ins_and_failures(app, db):
    hr = factories.user(["hr", "employee"])
    coordinator = factories.user(["coordinator"])
    gone = factories.user(["employee"])
    gone.active = False
    locked = factories.user(["employee"])
    _lock(locked)
    _db.session.add(
        LoginThrottle(
            key_hash="a" * 64, failed_logins=9, locked_until=utcnow() + timedelta(hours=1)
        )
    )
    create_api_token(hr, hr, "script")
    token, _plain = create_api_token(coordinator, coordinator, "city system")
    revoke_api_token(coordinator, token)
    _failed_delivery(hr)
    db.session.commit()
    c, admin = _admin_client(app)  # signing in makes the admin the latest sign-in
    page = c.get("/").get_data(as_text=True)
    assert 'id="dashboard-admin"' in page
    total = _db.session.scalar(sa.select(sa.func.count()).select_from(User))
    assert f'id="admin-users-total"><a href="/admin/users">{total}</a>' in page
    coordinators = _db.session.scalar(
        sa.text(
            "select count(*) from user_roles join users on users.id = user_id "
            "where role = 'coordinator' and users.active"
        )
    )
    assert (
        f'data-role="coordinator"><td>City coordinator</td><td class="text-end">{coordinators}<'
        in page
    )
    assert 'id="admin-locked"><a href="/admin/users?locked=1">1</a>' in page
    assert "1 unknown login name locked" in page
    assert f"/admin/users/{locked.id}" in page.split('id="admin-locked-list"')[1]
    assert 'id="admin-tokens">1<' in page  # the revoked one does not count
    assert f"/admin/users/{admin.id}" in page.split('id="admin-sign-ins"')[1].split("</ul>")[0]
    assert 'id="admin-failed-deliveries">1<' in page
    assert "SMTP 550 mailbox unavailable" in page
    assert 'id="scheduler-never"' in page  # no heartbeat yet: said so, not hidden


def test_the_admin_opens_the_failed_deliveries_but_only_hr_retries(app, db):
    hr = factories.user(["hr", "employee"])
    delivery = _failed_delivery(hr)
    db.session.commit()
    c, _admin = _admin_client(app)
    page = c.get("/").get_data(as_text=True)
    link = page.split('id="admin-failed-deliveries-link" href="', 1)[1].split('"', 1)[0]
    assert link == "/reminders/deliveries?status=failed"
    listing = c.get(link)
    assert listing.status_code == 200
    html = listing.get_data(as_text=True)
    assert "SMTP 550 mailbox unavailable" in html
    assert f"/reminders/deliveries/{delivery.id}/retry" not in html  # reading, not retrying
    export = c.get("/reminders/deliveries/export.csv?status=failed")
    assert export.status_code == 200 and "SMTP 550" in export.get_data(as_text=True)
    assert c.post(f"/reminders/deliveries/{delivery.id}/retry").status_code == 403
    db.session.refresh(delivery)
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 3


def test_users_by_role_count_the_active_accounts(app, db):
    from hrfund.reports.admin_dashboard import admin_dashboard

    before = admin_dashboard().by_role
    factories.user(["coordinator"])
    factories.user(["hr", "employee"])
    gone = factories.user(["auditor"])
    gone.active = False
    db.session.flush()
    after = admin_dashboard().by_role
    assert after["coordinator"] == before["coordinator"] + 1
    assert after["hr"] == before["hr"] + 1 and after["employee"] == before["employee"] + 1
    assert after["auditor"] == before["auditor"]


def test_jobs_write_their_heartbeat_and_failures_show(app, db):
    scheduler = build_scheduler(app)
    dispatch = scheduler.get_job("reminders.dispatch")
    dispatch.func()  # the job exactly as the scheduler runs it
    [run] = [j for j in jobruns.job_runs() if j.job_id == "reminders.dispatch"]
    assert run.status == "ok" and run.finished_at >= run.started_at
    assert run.last_ok_at == run.finished_at and run.consecutive_failures == 0

    def broken_digest():
        raise RuntimeError("SMTP server refused the connection")

    failing = _in_app(app, broken_digest, "reminders.hr_digest", scheduler)
    for _ in range(2):
        with pytest.raises(RuntimeError):
            failing()
    runs = {j.job_id: j for j in jobruns.job_runs()}
    assert runs["reminders.hr_digest"].status == "failed"
    assert runs["reminders.hr_digest"].consecutive_failures == 2
    assert "SMTP server refused" in runs["reminders.hr_digest"].error

    c, _admin = _admin_client(app)
    page = c.get("/").get_data(as_text=True)
    assert 'id="admin-failed-jobs">1<' in page
    assert 'data-job="reminders.hr_digest" class="table-danger"' in page
    assert "SMTP server refused the connection" in page
    assert 'id="scheduler-never"' not in page


def test_the_dashboard_queries_do_not_grow_with_the_data(app, db, query_counter):
    c, _admin = _admin_client(app)
    counts = []
    for rounds in (1, 6):
        for _ in range(rounds):
            user = factories.user(["employee"])
            user.last_login_at = utcnow()
            _lock(user)
            create_api_token(user, user, "t")
            _failed_delivery(user)
        db.session.commit()
        with query_counter() as count:
            assert c.get("/").status_code == 200
        counts.append(count())
    assert counts[0] == counts[1], counts


def test_flask_scheduler_run_records_last_and_next_run(tmp_path):
    """The real process: its first dispatch writes the heartbeat, with the next planned run."""
    app, _cleanup = make_app("sqlite", tmp_path)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    log_path = tmp_path / "scheduler.log"
    process = _scheduler(_env(url), log_path)

    def heartbeat():
        with app.app_context():
            row = _db.session.get(jobruns.JobRun, "reminders.dispatch")
            _db.session.remove()
            return row

    try:
        _wait_for(lambda: (r := heartbeat()) is not None and r.status == "ok", 60, "a heartbeat")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
    row = heartbeat()
    assert row.finished_at is not None and row.next_run_at > row.started_at
    assert row.host


def test_anonymised_placeholders_are_not_counted_or_listed_as_users(app, db):
    """The retention job gives each anonymised record a placeholder "person" of its own: it is
    no account, and thousands of them must not swell the users and deactivated counts."""
    from hrfund.auth.anonymous import new_placeholder
    from hrfund.reports.admin_dashboard import admin_dashboard

    before = admin_dashboard()
    placeholders = [new_placeholder() for _ in range(3)]
    db.session.flush()
    after = admin_dashboard()
    assert (after.users_total, after.users_inactive) == (
        before.users_total,
        before.users_inactive,
    )
    c, _admin = _admin_client(app)
    listing = c.get("/admin/users?per_page=200").get_data(as_text=True)
    for placeholder in placeholders:
        assert f"/admin/users/{placeholder.id}" not in listing
        assert placeholder.email not in listing
