"""Notifications (pages, API, unread badge), rules and delivery log pages, the iCal feed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from hrfund.reminders.models import CalendarToken, Notification, ReminderRule
from tests import factories
from tests.placements.conftest import END, START
from tests.reminders.conftest import at, deliveries, rule, run

pytestmark = pytest.mark.usefixtures("quiet_mail")


def _notify(user, n: int = 1, title: str = "Reminder"):
    for i in range(n):
        factories_db().session.add(Notification(user_id=user.id, title=f"{title} {i}", body="b"))
    factories_db().session.commit()


def factories_db():
    from hrfund.extensions import db

    return db


# ---------------------------------------------------------------- notifications


def test_notifications_api_unread_filter_and_read(db, api_as):
    c = api_as("employee")
    other = api_as("employee")
    _notify(c.user, 3)
    _notify(other.user, 1)
    body = c.get("/api/v1/notifications", headers=c.headers).get_json()
    assert body["total"] == 3 and body["unread"] == 3
    first = body["items"][0]["id"]
    answer = c.post(f"/api/v1/notifications/{first}/read", headers=c.headers)
    assert answer.status_code == 200 and answer.get_json()["read"] is True
    unread = c.get("/api/v1/notifications?unread=1", headers=c.headers).get_json()
    assert unread["total"] == 2 and unread["unread"] == 2
    assert first not in [n["id"] for n in unread["items"]]
    # someone else's notification does not exist for this caller
    theirs = other.get("/api/v1/notifications", headers=other.headers).get_json()["items"][0]
    assert (
        c.post(f"/api/v1/notifications/{theirs['id']}/read", headers=c.headers).status_code == 404
    )


def test_unread_badge_and_list_page(db, login_as):
    c = login_as("employee")
    page = c.get("/").data.decode()
    assert 'id="unread-badge"' not in page
    _notify(c.user, 2, title="Visa due")
    page = c.get("/").data.decode()
    assert 'id="unread-badge">2' in page
    listing = c.get("/notifications").data.decode()
    assert "Visa due 0" in listing and "Visa due 1" in listing
    note = db.session.scalars(
        sa.select(Notification).where(Notification.user_id == c.user.id)
    ).first()
    assert c.post(f"/notifications/{note.id}/read").status_code == 302
    assert 'id="unread-badge">1' in c.get("/").data.decode()
    c.post("/notifications/read-all")
    assert 'id="unread-badge"' not in c.get("/").data.decode()


@pytest.mark.parametrize(
    "url,role",
    [
        ("/notifications?per_page=100", "employee"),
        ("/api/v1/notifications?per_page=100", "api:employee"),
        ("/reminders/deliveries?per_page=100", "hr"),
    ],
)
def test_list_query_counts_do_not_grow(db, login_as, api_as, query_counter, url, role):
    if role.startswith("api:"):
        c = api_as(role[4:])
        headers = c.headers
    else:
        c = login_as(role)
        headers = {}
    recipients = [factories.user(["employee"]) for _ in range(3)]
    hr_rule = rule("placement_start_30")

    def add(n):
        from hrfund.reminders.models import Delivery

        for i in range(n):
            person = recipients[i % 3]
            d = Delivery(
                rule_id=hr_rule.id,
                subject_type="placement",
                subject_id=10_000 + i + add.offset,
                due_on=date(2026, 9, 1),
                recipient_id=person.id,
                channel="email",
                status="failed",
                attempts=1,
                title="t",
                body="b",
                claimed_at=None,
            )
            db.session.add(d)
            db.session.add(Notification(user_id=c.user.id, title=f"n{i}", body="b"))
        add.offset += n
        db.session.commit()

    add.offset = 0
    add(5)
    c.get(url, headers=headers)  # first use of a token or session writes once
    with query_counter() as small:
        assert c.get(url, headers=headers).status_code == 200
    add(45)
    with query_counter() as big:
        assert c.get(url, headers=headers).status_code == 200
    assert big() == small()


# ---------------------------------------------------------------- rules and log pages


def test_hr_changes_a_rule_from_the_page(db, login_as):
    c = login_as("hr")
    r = rule("placement_start_7")
    page = c.get("/reminders/rules").data.decode()
    assert "rule-placement_start_7" in page
    response = c.post(
        f"/reminders/rules/{r.id}",
        data={"offset_days": "10", "channels": ["email"], "enabled": "on"},
    )
    assert response.status_code == 302
    db.session.refresh(r)
    assert (r.offset_days, r.channels, r.enabled) == (10, "email", True)
    c.post(f"/reminders/rules/{r.id}", data={"offset_days": "10", "channels": ["email"]})
    db.session.refresh(r)
    assert r.enabled is False
    bad = c.post(
        f"/reminders/rules/{r.id}",
        data={"offset_days": "-3", "channels": ["email"]},
        follow_redirects=True,
    )
    assert b"0 to 366" in bad.data
    db.session.refresh(r)
    assert r.offset_days == 10


def test_only_hr_changes_rules(db, login_as):
    r = db.session.scalar(sa.select(ReminderRule))
    assert (
        login_as("auditor").post(f"/reminders/rules/{r.id}", data={"offset_days": "1"}).status_code
        == 403
    )
    assert login_as("auditor").get("/reminders/rules").status_code == 200


def test_delivery_log_filters(db, world, login_as):
    world.place()
    run(at(START - 30 * DAY))
    c = login_as("hr")
    r = rule("placement_start_30")
    page = c.get(f"/reminders/deliveries?rule_id={r.id}&channel=in_app").data.decode()
    [in_app] = deliveries("placement_start_30", channel="in_app")
    [email] = deliveries("placement_start_30", channel="email")
    assert f"delivery-{in_app.id}" in page and f"delivery-{email.id}" not in page
    page = c.get(f"/reminders/deliveries?q={world.employee.email}").data.decode()
    assert f"delivery-{email.id}" in page


def test_reminders_run_command_prints_counts(app, db, world):
    world.place()
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["reminders", "run", "--now", (START - 30 * DAY).isoformat() + "T09:00:00+09:00"]
    )
    assert result.exit_code == 0, result.output
    assert "sent: " in result.output and "already sent: 0" in result.output
    again = runner.invoke(
        args=["reminders", "run", "--now", (START - 30 * DAY).isoformat() + "T10:00:00+09:00"]
    )
    assert "sent: 0" in again.output and "failed: 0" in again.output


# ---------------------------------------------------------------- calendar


def _feed(c, city_id=None) -> str:
    data = {"city_id": str(city_id)} if city_id else {}
    response = c.post("/calendar/feeds", data=data, follow_redirects=True)
    page = response.data.decode()
    start = page.index("/calendar/cal_")
    return page[start : page.index(".ics", start) + 4]


def _events(cal: Calendar) -> dict[str, object]:
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_personal_feed_holds_placements_milestones_and_deadlines(db, world, app):
    from tests.reminders.conftest import make_record

    world.employee.timezone = "Europe/Berlin"
    placement = world.place()
    record = make_record(world.employee, date(2027, 1, 31))
    db.session.commit()
    c = app.test_client()
    c.post("/login", data={"email": world.employee.email, "password": factories.TEST_PASSWORD})
    url = _feed(c)
    response = app.test_client().get(url)  # no login: the token is the credential
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    cal = Calendar.from_ical(response.data)
    assert str(cal["x-wr-timezone"]) == "Europe/Berlin"
    events = _events(cal)
    stay = events[f"placement-{placement.id}@hrfund"]
    assert stay.decoded("dtstart") == START and stay.decoded("dtend") == END + timedelta(days=1)
    assert "Seoul" in str(stay["summary"])
    visa = next(m for m in placement.milestones if m.kind == "visa")
    assert events[f"milestone-{visa.id}@hrfund"].decoded("dtstart") == visa.due_on
    assert events[f"training-record-{record.id}@hrfund"].decoded("dtstart") == record.expires_on
    # nobody else's placements
    world.place(person=world.other_employee)
    cal = Calendar.from_ical(app.test_client().get(url).data)
    assert len([e for e in cal.walk("VEVENT") if "placement-" in str(e["uid"])]) == 1


def test_revoked_feed_is_404(db, world, app, login_as):
    c = login_as("employee")
    url = _feed(c)
    assert app.test_client().get(url).status_code == 200
    token = db.session.scalar(sa.select(CalendarToken).where(CalendarToken.user_id == c.user.id))
    assert c.post(f"/calendar/feeds/{token.id}/revoke").status_code == 302
    assert app.test_client().get(url).status_code == 404
    assert app.test_client().get("/calendar/cal_nonsense.ics").status_code == 404


def test_hr_city_feed_in_the_city_time_zone(db, world, app):
    seoul = world.place()
    world.place(person=world.other_employee, city=world.berlin)
    c = app.test_client()
    c.post("/login", data={"email": world.hr.email, "password": factories.TEST_PASSWORD})
    cal = Calendar.from_ical(app.test_client().get(_feed(c, world.seoul.id)).data)
    assert str(cal["x-wr-timezone"]) == "Asia/Seoul"
    uids = {str(e["uid"]) for e in cal.walk("VEVENT") if "placement-" in str(e["uid"])}
    assert uids == {f"placement-{seoul.id}@hrfund"}


def test_only_hr_makes_city_feeds(db, world, login_as):
    c = login_as("employee")
    response = c.post("/calendar/feeds", data={"city_id": str(world.seoul.id)})
    assert response.status_code == 403


DAY = timedelta(days=1)
