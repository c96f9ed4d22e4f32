"""A world with personal data of every kind, some of it past its retention period.

Made through the real services; "past its period" is made by moving the records' own dates back
(an UPDATE of test data), since the services date everything now.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import time_machine

from hrfund.applications import calls
from hrfund.applications import services as applications
from hrfund.applications.models import Application
from hrfund.core.db import utcnow
from hrfund.extensions import db
from hrfund.fund import services as fund
from hrfund.placements import nominations
from hrfund.placements.models import Nomination
from hrfund.reminders.models import Notification
from hrfund.training.models import LanguageScore, LanguageTest
from hrfund.training.records import add_language_score
from tests import factories

TOKYO = ZoneInfo("Asia/Tokyo")
INSIDE = datetime(2026, 6, 15, 12, 0, tzinfo=TOKYO)
PDF = b"%PDF-1.5 personal data of the applicant"


class Upload:
    def __init__(self, content: bytes, filename: str):
        self.stream, self.filename = io.BytesIO(content), filename


def long_ago() -> datetime:
    """Past every period but the audit log's (the defaults: at most three years)."""
    return utcnow() - timedelta(days=4 * 365)


def _nominate(coordinator, **values):
    """A nomination made a month before its start (its dates must lie in the future)."""
    with time_machine.travel(values["start_on"] - timedelta(days=30)):
        return nominations.nominate(coordinator, **values)


def backdate(model, ids, **columns) -> None:
    db.session.execute(sa.update(model).where(model.id.in_(list(ids))).values(**columns))
    db.session.expire_all()


class World:
    """People, a call with applications in every end state, nominations, scores, notices."""


def build_world() -> World:
    w = World()
    w.seoul = factories.city("SEL")
    w.department = factories.department("UD-PLN")
    w.hr = factories.user(["hr", "employee"])
    w.auditor = factories.user(["auditor"])
    w.manager = factories.user(["manager", "employee"], department=w.department)
    w.coordinator = factories.user(["coordinator"], city_code="SEL")
    w.person = factories.user(
        ["employee"],
        department=w.department,
        joined_on=date(2015, 4, 1),
        family_name="山田",
        given_name="太郎",
        family_name_romaji="Yamada",
        given_name_romaji="Taro",
        email="yamada.taro@metro.tokyo.example",
    )
    w.other = factories.user(
        ["employee"],
        department=w.department,
        joined_on=date(2016, 4, 1),
        family_name_romaji="Sato",
        given_name_romaji="Hanako",
        email="sato.hanako@metro.tokyo.example",
    )
    fund.contribute(w.hr, 10_000_000, date(2026, 4, 1))
    fund.allocate(w.hr, 2026, "outgoing", 5_000_000)
    fund.allocate(w.hr, 2026, "incoming", 2_000_000)
    w.calls = []
    for n in range(4):
        call = calls.create_call(
            w.hr,
            title=f"Call {n}",
            fiscal_year=2026,
            opens_on=date(2026, 6, 1),
            closes_on=date(2026, 6, 30),
            slots=[{"city": "SEL", "positions": 3, "months": 6, "estimated_cost_jpy": 1_000_000}],
        )
        calls.open_call(w.hr, call)
        w.calls.append(call)

    def apply(person, call, statement):
        application = applications.create_application(
            person,
            call,
            preferences=["SEL"],
            statement=statement,
            start_on=date(2026, 10, 1),
            end_on=date(2027, 3, 31),
            travel_jpy=300_000,
            stipend_jpy=600_000,
            housing_jpy=400_000,
        )
        applications.add_attachment(person, application, "cv", Upload(PDF, "履歴書.pdf"))
        applications.submit_application(person, application, now=INSIDE)
        return application

    with time_machine.travel(INSIDE, tick=False):
        # the person: declined (old), rejected (old), withdrawn (recent), approved (old)
        w.declined = apply(w.person, w.calls[0], "Private reasons of Yamada")
        applications.decline_application(w.manager, w.declined, comment="Not this year")
        w.rejected = apply(w.person, w.calls[1], "Yamada wants to see Seoul")
        applications.endorse_application(w.manager, w.rejected)
        applications.reject_application(w.hr, w.rejected, comment="Budget")
        w.withdrawn = apply(w.person, w.calls[2], "Yamada changed their mind")
        applications.withdraw_application(w.person, w.withdrawn)
        w.approved = apply(w.person, w.calls[3], "Yamada goes to Seoul")
        applications.endorse_application(w.manager, w.approved)
        applications.approve_application(
            w.hr,
            w.approved,
            city=w.seoul,
            start_on=date(2026, 10, 1),
            end_on=date(2027, 3, 31),
            amount_jpy=1_300_000,
        )
        # the other person: rejected (old) on the same call as the person's rejected one
        w.other_rejected = apply(w.other, w.calls[1], "Sato's own reasons")
        applications.endorse_application(w.manager, w.other_rejected)
        applications.reject_application(w.hr, w.other_rejected, comment="Budget")

    nominee = {"start_on": date(2026, 9, 1), "end_on": date(2027, 2, 28)}
    w.old_nomination = _nominate(
        w.coordinator,
        name="Lee Jiwoo",
        email="lee.jiwoo@seoul.example",
        position="Planner",
        **nominee,
    )
    nominations.reject_nomination(w.hr, w.old_nomination, comment="No host")
    w.new_nomination = _nominate(
        w.coordinator,
        name="Park Minho",
        email="park.minho@seoul.example",
        position="Engineer",
        **nominee,
    )
    nominations.reject_nomination(w.hr, w.new_nomination, comment="No host")
    w.accepted_nomination = _nominate(
        w.coordinator,
        name="Kim Yuna",
        email="kim.yuna@seoul.example",
        position="Officer",
        **nominee,
    )
    nominations.accept_nomination(
        w.hr, w.accepted_nomination, host_department=w.department, amount_jpy=500_000
    )

    w.old_unverified = add_language_score(
        w.person,
        w.person,
        test=LanguageTest.TOEIC.value,
        score="800",
        taken_on=date(2022, 5, 1),
        certificate=(io.BytesIO(PDF), "toeic.pdf"),
    )
    w.new_unverified = add_language_score(
        w.person, w.person, test=LanguageTest.TOEIC.value, score="850", taken_on=date(2026, 5, 1)
    )
    w.old_verified = add_language_score(
        w.hr, w.person, test=LanguageTest.IELTS.value, score="7.0", taken_on=date(2022, 1, 10)
    )
    w.other_unverified = add_language_score(
        w.other, w.other, test=LanguageTest.HSK.value, score="5", taken_on=date(2022, 3, 1)
    )
    db.session.flush()

    old = long_ago()
    backdate(
        Application,
        [w.declined.id, w.rejected.id, w.approved.id, w.other_rejected.id],
        updated_at=old,
    )
    backdate(
        Nomination, [w.old_nomination.id, w.accepted_nomination.id], decided_at=old, updated_at=old
    )
    backdate(
        LanguageScore,
        [w.old_unverified.id, w.old_verified.id, w.other_unverified.id],
        created_at=old,
    )
    w.person_notifications = list(
        db.session.scalars(
            sa.select(Notification.id)
            .where(Notification.user_id == w.person.id)
            .order_by(Notification.id)
        )
    )
    assert len(w.person_notifications) >= 2, "the workflow tells the applicant of decisions"
    w.old_notifications = w.person_notifications[:-1]
    backdate(Notification, w.old_notifications, created_at=old)
    return w
