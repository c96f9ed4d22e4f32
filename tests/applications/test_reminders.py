"""The reminders about calls and applications, run through the real dispatcher with time moved:
due exactly once, to the right people, not before; and readable in both languages."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine

from hrfund.applications import services
from hrfund.reminders.models import Channel
from hrfund.reminders.registry import DueItem
from hrfund.reminders.services import render_message
from hrfund.training.models import LanguageTest
from hrfund.training.records import add_language_score
from tests import factories
from tests.applications.conftest import TOKYO
from tests.reminders.conftest import at, deliveries, notifications_of, quiet_mail, rule, run

pytestmark = pytest.mark.usefixtures("quiet_mail")
__all__ = ["quiet_mail"]  # the fixture, imported so that it is found here


def _eligible(setup):
    """Another employee who meets the call's rules (service years and a verified IELTS)."""
    person = factories.user(["employee"], department=setup.department, joined_on=date(2012, 4, 1))
    add_language_score(
        setup.hr, person, test=LanguageTest.IELTS.value, score="7.5", taken_on=date(2025, 9, 1)
    )
    return person


def _keys(code):
    return {(d.channel, d.recipient_id, d.subject_id, d.due_on) for d in deliveries(code)}


def test_call_closing_reaches_only_applicants_with_a_draft_once(db, setup):
    draft = setup.draft()
    submitter = _eligible(setup)
    other = setup.draft(person=submitter)
    services.submit_application(submitter, other, now=datetime(2026, 6, 15, tzinfo=TOKYO))
    db.session.commit()

    run(at(date(2026, 6, 26)))  # four days before 30 June: not yet
    assert deliveries("call_closing") == []

    run(at(date(2026, 6, 27)))
    assert _keys("call_closing") == {
        (Channel.EMAIL, setup.employee.id, setup.call.id, date(2026, 6, 30)),
        (Channel.IN_APP, setup.employee.id, setup.call.id, date(2026, 6, 30)),
    }
    run(at(date(2026, 6, 28)))
    run(at(date(2026, 6, 30), 23, 50))
    assert len(deliveries("call_closing")) == 2
    note = notifications_of(setup.employee)[-1]
    assert setup.call.title in note.title
    assert note.link.endswith(f"/calls/{setup.call.id}")
    assert draft.status.value == "draft"


def test_endorsement_pending_goes_to_the_departments_manager_after_seven_days(db, setup):
    application = setup.draft()
    with time_machine.travel(datetime(2026, 6, 15, 12, tzinfo=TOKYO), tick=False):
        services.submit_application(setup.employee, application)
        db.session.commit()

    run(at(date(2026, 6, 21)))
    assert deliveries("application_endorsement_pending") == []
    run(at(date(2026, 6, 22)))
    run(at(date(2026, 6, 23)))
    assert _keys("application_endorsement_pending") == {
        (Channel.EMAIL, setup.manager.id, application.id, date(2026, 6, 15)),
        (Channel.IN_APP, setup.manager.id, application.id, date(2026, 6, 15)),
    }
    assert notifications_of(setup.other_manager) == []


def test_decision_pending_goes_to_hr_and_stops_once_decided(db, setup):
    with time_machine.travel(datetime(2026, 6, 16, 9, tzinfo=TOKYO), tick=False):
        waiting = setup.endorsed()
        decided = setup.endorsed(person=_eligible(setup))
        db.session.commit()
    services.reject_application(setup.hr, decided, comment="定員超過 / over capacity")
    db.session.commit()

    run(at(date(2026, 6, 23)))
    sent = deliveries("application_decision_pending")
    assert {d.subject_id for d in sent} == {waiting.id}
    assert {d.recipient_id for d in sent} == {setup.hr.id}


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", ["Dear Hanako Yamada,", "closes on June 30, 2026", "23:59 Tokyo time"]),
        ("ja", ["山田 花子 様", "2026年6月30日", "東京時間"]),
    ],
)
def test_call_closing_mail_reads_well_in_both_languages(db, setup, locale, expected):
    reader = factories.user(
        ["employee"],
        locale=locale,
        family_name="山田",
        given_name="花子",
        family_name_romaji="Yamada",
        given_name_romaji="Hanako",
    )
    item = DueItem("call", setup.call.id, setup.call.closes_on, (reader.id,), {"call": setup.call})
    title, body, link = render_message(rule("call_closing"), item, reader)
    text = title + "\n" + body
    for fragment in expected:
        assert fragment in text, text
    assert setup.call.title in title
    assert link.endswith(f"/calls/{setup.call.id}")


@pytest.mark.parametrize(
    "code", ["application_endorsement_pending", "application_decision_pending"]
)
@pytest.mark.parametrize("locale", ["en", "ja"])
def test_application_mails_name_the_applicant_in_the_readers_language(db, setup, code, locale):
    application = setup.endorsed()
    reader = factories.user(["hr"], locale=locale)
    item = DueItem(
        "application",
        application.id,
        date(2026, 6, 15),
        (reader.id,),
        {
            "application": application,
        },
    )
    title, body, link = render_message(rule(code), item, reader)
    name = "山田 太郎" if locale == "ja" else "Taro Yamada"
    assert name in title and name in body
    assert setup.call.title in body
    assert link.endswith(f"/applications/{application.id}")


def test_the_applicants_feed_holds_the_call_deadline_until_submitted(app, db, setup):
    from icalendar import Calendar

    from hrfund.reminders.calendar import build_feed, create_calendar_token
    from tests.applications.conftest import INSIDE

    application = setup.draft()
    token, _plain = create_calendar_token(setup.employee)
    db.session.commit()

    def deadlines():
        cal = Calendar.from_ical(build_feed(token))
        return {
            str(e["uid"]): e.decoded("dtstart") for e in cal.walk("VEVENT") if "call-" in e["uid"]
        }

    assert deadlines() == {f"call-{setup.call.id}-closes@hrfund": date(2026, 6, 30)}
    services.submit_application(setup.employee, application, now=INSIDE)
    assert deadlines() == {}
