"""Event notices: each workflow event tells the next people once, in their language, in-app and
by e-mail (unless switched off); a refused action tells nobody."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from hrfund.applications import services as applications
from hrfund.applications.delegations import create_delegation
from hrfund.auth.sessions import create_api_token
from hrfund.placements import services as placements
from hrfund.placements.milestones import acknowledge_report, submit_report
from hrfund.placements.models import Placement
from hrfund.placements.nominations import accept_nomination, reject_nomination
from hrfund.reminders.models import Channel, Delivery, DeliveryStatus, Notification
from hrfund.reminders.notice_prefs import email_preferences, set_email_preferences
from tests import factories
from tests.applications.conftest import INSIDE, build_setup
from tests.reminders.conftest import at, deliveries, run


@pytest.fixture
def s(db):
    """The applications world, in June 2026 (the call is open)."""
    with time_machine.travel(INSIDE, tick=True):
        setup = build_setup()
        db.session.commit()
        yield setup


def told(code: str, user) -> tuple[list[Notification], list[Delivery]]:
    """(in-app notifications, e-mail deliveries) of notice ``code`` to ``user``."""
    mails = deliveries(f"notice_{code}", recipient_id=user.id, channel=Channel.EMAIL)
    in_app = [
        n
        for d in deliveries(f"notice_{code}", recipient_id=user.id, channel=Channel.IN_APP)
        for n in [Notification.query.filter_by(delivery_id=d.id).one()]
    ]
    return in_app, mails


def once(code: str, user) -> tuple[Notification, Delivery]:
    in_app, mails = told(code, user)
    assert len(in_app) == 1 and len(mails) == 1, (code, user.email, in_app, mails)
    return in_app[0], mails[0]


def nobody_told(code: str) -> None:
    assert deliveries(f"notice_{code}") == []


def test_submitted_tells_the_manager_and_the_deputy_once_each_in_their_language(db, s):
    s.manager.locale = "ja"
    deputy = factories.user(["employee"], department=s.department)
    create_delegation(
        s.manager, deputy=deputy, starts_on=date(2026, 6, 15), ends_on=date(2026, 7, 15)
    )
    application = s.draft()
    applications.submit_application(s.employee, application, now=INSIDE)
    db.session.commit()

    notice, mail = once("application_submitted", s.manager)
    assert notice.title == "推薦待ちの応募: 山田 太郎"
    assert "推薦を待っています" in notice.body and "\n" not in notice.body.strip()
    assert mail.title == notice.title and "山田 太郎" in mail.body and "様" in mail.body
    assert mail.status == DeliveryStatus.CLAIMED  # sent after the commit, not before
    notice, _mail = once("application_submitted", deputy)
    assert notice.title == "Application to endorse: Taro Yamada"
    assert notice.link == f"http://127.0.0.1:5000/applications/{application.id}"
    assert told("application_submitted", s.other_manager) == ([], [])
    assert told("application_submitted", s.employee) == ([], [])  # the actor is not told
    once("delegation_started", deputy)  # the delegation started today


def test_each_step_of_an_application_tells_the_next_person(db, s):
    application = s.draft()
    applications.submit_application(s.employee, application, now=INSIDE)
    applications.endorse_application(s.manager, application)
    once("application_endorsed", s.hr)
    applications.return_application(s.hr, application, comment="予算の内訳を直してください")
    notice, mail = once("application_returned", s.employee)
    assert notice.title == "Your application was returned"
    assert "予算の内訳を直してください" in mail.body and "予算" not in notice.body
    applications.submit_application(s.employee, application, now=INSIDE)
    assert len(told("application_submitted", s.manager)[0]) == 2  # a second event, told again
    applications.endorse_application(s.manager, application)
    applications.reject_application(s.hr, application, comment="定員を超えました")
    once("application_rejected", s.employee)
    nobody_told("application_declined")
    nobody_told("application_approved")


def test_approval_tells_the_applicant_and_the_coordinator_then_confirmation_hr(db, s):
    application = s.endorsed()
    applications.approve_application(
        s.hr,
        application,
        city=s.seoul,
        start_on=date(2026, 10, 1),
        end_on=date(2027, 3, 31),
        amount_jpy=1_200_000,
    )
    db.session.commit()
    once("application_approved", s.employee)
    notice, mail = once("placement_waiting", s.coordinator)
    assert notice.title == "Placement to confirm: Taro Yamada in Seoul"
    placement = db.session.scalar(
        sa.select(Placement).where(Placement.application_id == application.id)
    )
    assert notice.link.endswith(f"/placements/{placement.id}")
    placements.confirm_placement(s.coordinator, placement, host_office="Seoul Urban Planning")
    once("placement_confirmed", s.hr)
    once("placement_confirmed", s.employee)
    assert told("placement_confirmed", s.coordinator) == ([], [])


def test_manager_decline_and_host_decline(db, s):
    application = s.draft()
    applications.submit_application(s.employee, application, now=INSIDE)
    applications.decline_application(s.manager, application, comment="今年度は業務が多い")
    notice, _mail = once("application_declined", s.employee)
    assert notice.body == f'Your manager declined your application to "{s.call.title}".'


def test_a_refused_approval_leaves_no_notice(db, s, app):
    """The transition is applied (and signalled), then the fund refuses: the request rolls
    back, and with it every notice of the approval and of the placement."""
    application = s.endorsed()
    _token, plain = create_api_token(s.hr, s.hr, "test")
    db.session.commit()
    with time_machine.travel(INSIDE, tick=True):
        response = app.test_client().post(
            f"/api/v1/applications/{application.id}/approve",
            json={
                "city": "SEL",
                "start_on": "2026-10-01",
                "end_on": "2027-03-31",
                "amount_jpy": 9_000_000,
            },
            headers={"Authorization": f"Bearer {plain}"},
        )
    assert response.status_code == 409, response.get_json()
    assert response.get_json()["error"]["code"] == "insufficient_funds"
    nobody_told("application_approved")
    nobody_told("placement_waiting")
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.title.like("%approved%"))
        )
        == 0
    )


def test_switched_off_kind_arrives_in_the_app_but_not_by_mail(db, s):
    assert email_preferences(s.manager)["application_submitted"] is True
    kinds = set(email_preferences(s.manager)) - {"application_submitted"}
    set_email_preferences(s.manager, kinds)
    application = s.draft()
    applications.submit_application(s.employee, application, now=INSIDE)
    in_app, mails = told("application_submitted", s.manager)
    assert len(in_app) == 1 and mails == []
    applications.endorse_application(s.manager, application)
    assert email_preferences(s.manager)["application_submitted"] is False


def test_unknown_kind_in_preferences_is_refused(db, s):
    from hrfund.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        set_email_preferences(s.coordinator, {"application_submitted"})  # not one of theirs
    assert "application_submitted" not in email_preferences(s.coordinator)


def test_nominations_and_reports(db, world):
    nomination = world.nominate()
    once("nomination_made", world.hr)
    accept_nomination(world.hr, nomination, host_department=world.host, amount_jpy=500_000)
    notice, _ = once("nomination_accepted", world.seoul_coordinator)
    assert notice.title == "Nomination accepted: Lee Jiwoo"
    assert told("nomination_accepted", world.berlin_coordinator) == ([], [])
    second = world.nominate(start_on=date(2026, 11, 1), end_on=date(2027, 1, 31))
    reject_nomination(world.hr, second, comment="受入れ枠がありません")
    once("nomination_rejected", world.seoul_coordinator)

    placement = world.place()
    placements.confirm_placement(world.seoul_coordinator, placement, host_office="City Hall")
    placements.start_placement(world.seoul_coordinator, placement)
    report = submit_report(world.employee, placement, "mid_term", "最初の三か月の報告")
    notice, _ = once("report_submitted", world.hr)
    assert notice.title == "Mid-term report submitted: Taro Yamada"
    acknowledge_report(world.hr, report)
    once("report_acknowledged", world.employee)


def test_delegation_starting_later_is_told_on_its_start_date_once(db, s):
    deputy = factories.user(["employee"], department=s.department)
    start = date(2026, 7, 1)
    delegation = create_delegation(
        s.manager, deputy=deputy, starts_on=start, ends_on=start + timedelta(days=10)
    )
    db.session.commit()
    assert told("delegation_started", deputy) == ([], [])
    run(at(start - timedelta(days=1)))
    assert told("delegation_started", deputy) == ([], [])
    first = run(at(start, 8))
    run(at(start, 9))
    run(at(start + timedelta(days=1)))
    notice, mail = once("delegation_started", deputy)
    assert notice.link.endswith("/applications")
    assert mail.status == DeliveryStatus.SENT  # the dispatcher sent it (to the log)
    assert first.sent == 1  # its e-mail (the in-app notice is no mail)
    assert delegation.id == mail.subject_id


def test_notifications_page_and_api_show_title_line_and_link(db, s, app):
    application = s.draft()
    applications.submit_application(s.employee, application, now=INSIDE)
    _token, plain = create_api_token(s.manager, s.manager, "test")
    db.session.commit()
    body = (
        app.test_client()
        .get("/api/v1/notifications", headers={"Authorization": f"Bearer {plain}"})
        .get_json()
    )
    [item] = [i for i in body["items"] if i["title"].startswith("Application to endorse")]
    assert item["body"] == (
        'Taro Yamada submitted an application to "2026年度 海外都市派遣 / Overseas secondments '
        'FY2026". It waits for your endorsement.'
    )
    assert "Dear" not in item["body"] and "--" not in item["body"]
    assert item["link"] == f"http://127.0.0.1:5000/applications/{application.id}"

    client = app.test_client()
    client.post("/login", data={"email": s.manager.email, "password": factories.TEST_PASSWORD})
    page = client.get("/notifications").get_data(as_text=True)
    assert "Application to endorse: Taro Yamada" in page
    assert "It waits for your endorsement." in page
    assert "Dear" not in page and "This notice was sent once" not in page


def test_settings_page_from_the_profile_saves_the_email_kinds(db, s, app):
    client = app.test_client()
    client.post("/login", data={"email": s.manager.email, "password": factories.TEST_PASSWORD})
    profile = client.get("/profile").get_data(as_text=True)
    assert 'href="/notifications/settings"' in profile
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert 'value="application_submitted"' in page and "checked" in page
    assert 'value="nomination_accepted"' not in page  # a coordinator's kind
    keep = [k for k in email_preferences(s.manager) if k != "application_submitted"]
    response = client.post("/notifications/settings", data={"email": keep})
    assert response.status_code == 302
    assert email_preferences(s.manager)["application_submitted"] is False
    refused = client.post("/notifications/settings", data={"email": ["no_such_kind"]})
    assert refused.status_code == 400
    assert email_preferences(s.manager)["application_submitted"] is False  # nothing changed


def test_api_reads_and_changes_the_email_kinds(db, s, app):
    _token, plain = create_api_token(s.manager, s.manager, "test")
    db.session.commit()
    client, headers = app.test_client(), {"Authorization": f"Bearer {plain}"}
    got = client.get("/api/v1/notifications/settings", headers=headers).get_json()
    assert got["email"]["application_submitted"] is True
    assert "nomination_accepted" not in got["email"]
    changed = client.put(
        "/api/v1/notifications/settings",
        json={"email": {"application_submitted": False}},
        headers=headers,
    )
    assert changed.status_code == 200
    assert changed.get_json()["email"]["application_submitted"] is False
    assert changed.get_json()["email"]["application_endorsed"] is True  # the others unchanged
    for bad in ({"email": {"no_such_kind": True}}, {"email": "yes"}, {"email": {"x": 1}}):
        refused = client.put("/api/v1/notifications/settings", json=bad, headers=headers)
        assert refused.status_code == 400, bad
        assert refused.get_json()["error"]["fields"]["email"]
    assert email_preferences(s.manager)["application_submitted"] is False


def test_hr_switches_a_kind_off_for_everybody_on_the_rules_page(db, s, app):
    from hrfund.reminders.rules import update_rule
    from tests.reminders.conftest import rule

    client = app.test_client()
    client.post("/login", data={"email": s.hr.email, "password": factories.TEST_PASSWORD})
    page = client.get("/reminders/rules").get_data(as_text=True)
    assert "Application submitted (to the manager)" in page and "when it happens" in page
    update_rule(
        s.hr,
        rule("notice_application_submitted"),
        offset_days=0,
        enabled=False,
        channels="email,in_app",
    )
    applications.submit_application(s.employee, s.draft(), now=INSIDE)
    nobody_told("application_submitted")
