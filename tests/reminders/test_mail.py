"""Real SMTP on loopback (aiosmtpd): mails arrive once, also after a failed first attempt;
rendered e-mails in both languages are compared with snapshots under snapshots/."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from email.header import decode_header, make_header
from pathlib import Path

import pytest
import time_machine

from hrfund.placements.models import MilestoneKind
from hrfund.reminders.models import DeliveryStatus
from hrfund.reminders.registry import DueItem
from hrfund.reminders.services import render_message
from tests import factories
from tests.placements.conftest import START
from tests.reminders.conftest import at, deliveries, rule, run

SNAPSHOTS = Path(__file__).parent / "snapshots"


def subject_of(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def test_mails_arrive_once(db, world, smtp):
    smtp.start()
    world.place()
    run(at(START - 30 * DAY))
    run(at(START - 30 * DAY, 10))
    mails = [m for m in smtp.to(world.employee.email) if "starts on" in subject_of(m)]
    assert len(mails) == 1
    assert "Seoul" in subject_of(mails[0])
    assert mails[0]["Message-ID"].startswith("<reminder-")


def test_server_down_then_retried_and_delivered_once(db, world, smtp, app):
    world.place()
    first = run(at(START - 30 * DAY))  # nobody listens on the port yet
    assert first.failed >= 1
    [failed] = deliveries("placement_start_30", channel="email")
    assert failed.status == DeliveryStatus.FAILED
    assert failed.attempts == 1 and failed.next_attempt_at is not None
    assert "Connection refused" in failed.last_error or "Errno" in failed.last_error

    smtp.start()
    run(at(START - 30 * DAY, 10))  # too early for the retry: backoff
    assert smtp.to(world.employee.email) == []

    later = failed.next_attempt_at + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        retried = run(at(START - 30 * DAY, 11))
        run(at(START - 30 * DAY, 12))
    assert retried.sent >= 1
    db.session.refresh(failed)
    assert failed.status == DeliveryStatus.SENT and failed.attempts == 2
    mails = [m for m in smtp.to(world.employee.email) if "starts on" in subject_of(m)]
    assert len(mails) == 1


def test_hr_sees_failures_in_the_delivery_log(db, world, smtp, login_as):
    world.place()
    run(at(START - 30 * DAY))
    c = login_as("hr")
    page = c.get("/reminders/deliveries?status=failed").data.decode()
    assert "Connection refused" in page or "Errno" in page
    assert world.employee.email in page


DAY = timedelta(days=1)


# ---------------------------------------------------------------- snapshots


def _normalise(text: str) -> str:
    return re.sub(r"/placements/\d+", "/placements/N", text)


def _check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS") or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed; UPDATE_SNAPSHOTS=1 if meant"


CASES = [
    "placement_start_30",
    "milestone_overdue",
    "host_confirmation_pending",
    "certificate_expiring",
]


@pytest.mark.parametrize("locale", ["en", "ja"])
@pytest.mark.parametrize("code", CASES)
def test_rendered_mail_snapshots(db, world, code, locale):
    from tests.reminders.conftest import make_record

    reader = factories.user(
        ["employee", "hr"],
        locale=locale,
        timezone="Europe/Berlin",
        family_name="山田",
        given_name="花子",
        family_name_romaji="Yamada",
        given_name_romaji="Hanako",
        email=f"hanako.{locale}@metro.tokyo.example",
    )
    placement = world.place()
    placement.created_at = at(date(2026, 7, 1), 10)  # 03:00 in Berlin, the reader's zone
    visa = next(m for m in placement.milestones if m.kind == MilestoneKind.VISA)
    record = make_record(reader, date(2027, 1, 31))
    contexts = {
        "placement_start_30": DueItem(
            "placement",
            placement.id,
            START,
            (reader.id,),
            {"placement": placement, "city": placement.city, "person_name": "Taro Yamada"},
        ),
        "milestone_overdue": DueItem(
            "milestone",
            visa.id,
            visa.due_on,
            (reader.id,),
            {
                "placement": placement,
                "city": placement.city,
                "person_name": "Taro Yamada",
                "milestone": visa,
                "milestone_label": _label(MilestoneKind.VISA),
            },
        ),
        "host_confirmation_pending": DueItem(
            "placement",
            placement.id,
            date(2026, 7, 1),
            (reader.id,),
            {
                "placement": placement,
                "city": placement.city,
                "person_name": "Taro Yamada",
                "since": date(2026, 7, 1),
            },
        ),
        "certificate_expiring": DueItem(
            "training_record",
            record.id,
            record.expires_on,
            (reader.id,),
            {"record": record, "program": record.program},
        ),
    }
    title, body, _link = render_message(rule(code), contexts[code], reader)
    _check_snapshot(f"{code}.{locale}.txt", _normalise(f"Subject: {title}\n\n{body}"))


def _label(kind):
    from hrfund.placements.models import MilestoneKind

    return MilestoneKind(kind).lazy_label
