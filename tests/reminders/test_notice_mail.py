"""Notice e-mails over real SMTP on loopback (aiosmtpd): sent after the commit, once; taken over
by the dispatcher when the first try fails; rendered in both languages against snapshots."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from hrfund.applications import services as applications
from hrfund.applications.models import Delegation
from hrfund.auth.sessions import create_api_token
from hrfund.placements import nominations
from hrfund.placements import services as placements
from hrfund.placements.models import Report, ReportKind
from hrfund.reminders import notice_kinds as k
from hrfund.reminders.models import Channel, DeliveryStatus
from hrfund.reminders.notices import _link as notice_link
from hrfund.reminders.notices import render_notice, send_committed
from hrfund.training.models import LanguageScore, LanguageTest
from tests import factories
from tests.applications.conftest import INSIDE, build_setup
from tests.reminders.conftest import deliveries, run
from tests.reminders.test_mail import _check_snapshot, subject_of


@pytest.fixture
def s(db):
    with time_machine.travel(INSIDE, tick=True):
        setup = build_setup()
        db.session.commit()
        yield setup


def _mails(smtp, user) -> list:
    return [m for m in smtp.to(user.email) if m["Message-ID"].startswith("<reminder-")]


def test_submitting_on_the_page_mails_the_manager_once_after_the_commit(db, s, smtp, app):
    smtp.start()
    s.manager.locale = "ja"
    application = s.draft()
    _token, plain = create_api_token(s.employee, s.employee, "test")
    db.session.commit()
    response = app.test_client().post(
        f"/api/v1/applications/{application.id}/submit",
        headers={"Authorization": f"Bearer {plain}"},
    )
    assert response.status_code == 200, response.get_json()
    [mail] = _mails(smtp, s.manager)
    assert subject_of(mail) == "推薦待ちの応募: 山田 太郎"
    text = mail.get_payload(decode=True).decode(mail.get_content_charset())
    assert "山田 太郎さんが「" in text and "推薦を待っています。" in text
    assert f"http://127.0.0.1:5000/applications/{application.id}" in text
    assert "/notifications/settings" in text
    [delivery] = deliveries("notice_application_submitted", channel=Channel.EMAIL)
    db.session.refresh(delivery)
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 1

    assert send_committed() == 0  # sending twice sends once
    run(INSIDE)
    run(INSIDE + timedelta(hours=1))
    assert len(_mails(smtp, s.manager)) == 1


def test_no_mail_before_the_commit_and_none_for_a_refused_request(db, s, smtp, app):
    smtp.start()
    application = s.draft()
    applications.submit_application(s.employee, application, now=INSIDE)
    assert _mails(smtp, s.manager) == []
    db.session.commit()
    assert _mails(smtp, s.manager) == []  # committed, not sent yet: this context sends it
    assert send_committed() == 1 and send_committed() == 0
    assert len(_mails(smtp, s.manager)) == 1

    _token, plain = create_api_token(s.colleague, s.colleague, "test")
    db.session.commit()
    refused = app.test_client().post(
        f"/api/v1/applications/{application.id}/endorse",
        headers={"Authorization": f"Bearer {plain}"},
    )
    assert refused.status_code in (403, 404)
    assert _mails(smtp, s.hr) == []
    assert deliveries("notice_application_endorsed") == []


def test_a_failed_first_try_is_sent_once_by_the_dispatcher(db, s, smtp):
    application = s.draft()
    applications.submit_application(s.employee, application, now=INSIDE)
    db.session.commit()
    assert send_committed() == 0  # nobody listens yet
    [delivery] = deliveries("notice_application_submitted", channel=Channel.EMAIL)
    assert delivery.status == DeliveryStatus.FAILED and delivery.next_attempt_at is not None
    smtp.start()
    later = delivery.next_attempt_at + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        run(later)
        run(later)
    assert len(_mails(smtp, s.manager)) == 1
    db.session.refresh(delivery)
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2


# ---------------------------------------------------------------- snapshots


def _notices(s, reader) -> dict[str, k.Notice]:
    application = s.draft()
    placement = placements.create_outgoing_placement(
        s.hr,
        person=s.employee,
        city=s.seoul,
        start_on=date(2026, 10, 1),
        end_on=date(2027, 3, 31),
        amount_jpy=1_200_000,
    )
    nomination = nominations.nominate(
        s.coordinator,
        name="Lee Jiwoo",
        email="lee.jiwoo@seoul.example",
        position="Deputy Director",
        start_on=date(2026, 11, 1),
        end_on=date(2027, 1, 31),
    )
    report = Report(placement=placement, kind=ReportKind.MID_TERM, summary="")
    delegation = Delegation(
        principal=s.manager, deputy=reader, starts_on=date(2026, 7, 1), ends_on=date(2026, 7, 14)
    )
    reason = "予算の内訳を直してください。"
    notices = {
        kind: k.application_notice(application, kind, reason)
        for kind in k.APPLICATION_ACTIONS.values()
    }
    notices |= {
        kind: k.placement_notice(placement, kind, "受入れ部署の都合がつきません。")
        for kind in ("placement_waiting", "placement_confirmed", "placement_declined")
    }
    notices |= {
        kind: k.nomination_notice(nomination, kind)
        for kind in ("nomination_made", "nomination_accepted", "nomination_rejected")
    }
    notices |= {kind: k.report_notice(report, kind) for kind in ("report_submitted",)}
    notices |= {kind: k.report_notice(report, kind) for kind in ("report_acknowledged",)}
    notices["delegation_started"] = k.delegation_notice(delegation)
    score = LanguageScore(
        id=7,
        user_id=8,  # a fixed number: the link in the snapshot names it
        test=LanguageTest.IELTS,
        score=Decimal("6.5"),
        taken_on=date(2026, 5, 9),
    )
    notices["record_rejected"] = k.entry_notice(score, "証明書の画像が読めません。")
    locked = factories.user(
        ["employee"],
        email="tanaka.locked@metro.tokyo.example",
        family_name="田中",
        given_name="一郎",
        family_name_romaji="Tanaka",
        given_name_romaji="Ichiro",
    )
    notices["account_locked"] = k.lock_notice(locked, datetime(2026, 6, 1, 0, 30, tzinfo=UTC))
    assert set(notices) == set(k.KINDS)
    return notices


def _normalise(text: str) -> str:
    return re.sub(r"/(applications|placements|nominations|users)/\d+", r"/\1/N", text)


@pytest.mark.parametrize("locale", ["en", "ja"])
def test_rendered_notice_snapshots(db, s, locale):
    reader = factories.user(
        ["employee", "hr"],
        locale=locale,
        family_name="山田",
        given_name="花子",
        family_name_romaji="Yamada",
        given_name_romaji="Hanako",
    )
    s.manager.family_name, s.manager.given_name = "佐藤", "次郎"  # factories' names vary
    s.manager.family_name_romaji, s.manager.given_name_romaji = "Sato", "Jiro"
    for kind, notice in _notices(s, reader).items():
        title, line, body = render_notice(notice, reader, notice_link(notice))
        assert "\n" not in line and len(title) < 120
        text = f"Subject: {title}\nIn the app: {line}\n\n{body}"
        _check_snapshot(f"notice_{kind}.{locale}.txt", _normalise(text))
