"""The sweeps' shared data: the demo data (``seed_demo``) and, on top, one object of each kind
for each side of every scope line, made through the services and committed once per backend.

Two cities (Seoul: Kim Minji; Berlin: Anna Schmidt), each with a placement, a nomination with a
CV and, for Berlin, a report with a file; two employees (Yamada and Tanaka), each with an
application, a training record, a language score, a notification, a calendar feed and an API
token. ``ids`` names every object by a key that the route table and the sweeps use.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

import sqlalchemy as sa

from hrfund.extensions import db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CSV = (
    b"employee_number,program_code,status,completed_on,hours\nT0001001,EN-ADV,completed,"
    b"2026-06-01,40\n"
)

PERSONAS = {
    "employee": "yamada.taro@metro.tokyo.example",
    "manager": "manager.only@metro.tokyo.example",
    "hr": "hr.only@metro.tokyo.example",
    "coordinator": "kim.minji@seoul.example",
    "auditor": "takahashi.kenji@metro.tokyo.example",
    "admin": "admin@metro.tokyo.example",
}
#: The people on the other side of each line: another employee, another city's coordinator.
#: Text that only the person's or the city's own objects hold: a response to anyone on the
#: other side of the line that contains one has leaked a row.
MARKERS = {
    "employee": ("yamada-notice-4711", "yamada-record-4711", "ソウル市の都市再生事業"),
    "employee2": ("tanaka-notice-4712", "tanaka-record-4712", "ベルリン市の気候変動適応策"),
    "coordinator": ("Lee Jiwoo", "lee.jiwoo", "Seoul City Hall", "スマートシティ政策"),
    "coordinator2": ("Lukas Weber", "lukas.weber", "Senatsverwaltung", "気候変動対策の実務研修"),
}
OTHERS = {
    "employee2": "tanaka.misaki@metro.tokyo.example",
    "coordinator2": "anna.schmidt@berlin.example",
    "manager_employee": "sato.hanako@metro.tokyo.example",
    "hr_employee": "suzuki.ichiro@metro.tokyo.example",
}


def _one(model, *where):
    return db.session.scalars(sa.select(model).where(*where).order_by(model.id)).first()


def build() -> dict:
    """Seed, add what the sweeps need, commit; returns {"ids": {...}, "tokens": {...}}."""
    from hrfund.applications import calls as call_services
    from hrfund.applications import delegations
    from hrfund.applications.drafting import add_attachment, create_application
    from hrfund.applications.models import Application, ApplicationStatus, Attachment, Call
    from hrfund.applications.services import endorse_application, submit_application
    from hrfund.auth.models import User
    from hrfund.auth.sessions import create_api_token
    from hrfund.core.fiscal import fiscal_year_of, tokyo_today
    from hrfund.fund.models import LedgerEntry as FundEntry
    from hrfund.org.models import Department, PartnerCity
    from hrfund.placements import milestones, nomination_details, nominations
    from hrfund.placements import services as placements
    from hrfund.placements.models import Milestone, Nomination, Placement, PlacementStatus
    from hrfund.reminders.calendar import create_calendar_token
    from hrfund.reminders.models import (
        Channel,
        Delivery,
        DeliveryStatus,
        Notification,
        ReminderRule,
    )
    from hrfund.seed import seed_demo
    from hrfund.training import imports as training_imports
    from hrfund.training import records as training_records
    from hrfund.training import services as training
    from hrfund.training.models import LanguageScore, TrainingProgram, TrainingRecord

    seed_demo()
    _pure_personas()
    people = {
        key: db.session.scalar(sa.select(User).where(User.email == email))
        for key, email in (PERSONAS | OTHERS).items()
    }
    today = tokyo_today()
    fy = fiscal_year_of(today)
    hr, kim, anna = people["hr"], people["coordinator"], people["coordinator2"]
    yamada, tanaka, sato = people["employee"], people["employee2"], people["manager_employee"]
    seoul = _one(PartnerCity, PartnerCity.code == "SEL")
    berlin = _one(PartnerCity, PartnerCity.code == "BER")

    open_call = _one(Call, Call.status == "open")
    draft_call = _call(hr, "A draft call", fy, today)
    calls = [_call(hr, f"Open call {n}", fy, today) for n in (2, 3, 4)]
    for call in calls:
        call_services.open_call(hr, call)
    yamada_app = _one(Application, Application.applicant_id == yamada.id)
    tanaka_app = _one(Application, Application.applicant_id == tanaka.id)
    assert tanaka_app.status == ApplicationStatus.ENDORSED
    submit_application(yamada, yamada_app)
    endorse_application(sato, yamada_app)
    yamada_submitted = create_application(yamada, calls[0], **_draft(fy))
    submit_application(yamada, yamada_submitted)
    yamada_draft = create_application(yamada, calls[1], **_draft(fy))
    add_attachment(yamada, yamada_draft, "cv", _upload("cv.pdf"))

    placement_sel = _one(Placement, Placement.city_id == seoul.id)
    placement_ber = _one(Placement, Placement.city_id == berlin.id)
    assert placement_sel.status == PlacementStatus.PROPOSED
    assert placement_ber.status == PlacementStatus.ACTIVE
    active_sel = placements.create_outgoing_placement(
        hr,
        person=yamada,
        city=seoul,
        start_on=today - timedelta(days=100),
        end_on=today + timedelta(days=30),
        amount_jpy=1_000_000,
        purpose="現地研修 / on-site training",
    )
    placements.confirm_placement(kim, active_sel, host_office="Seoul City Hall")
    placements.start_placement(kim, active_sel, arrived_on=today - timedelta(days=99))
    report_sel = milestones.submit_report(
        yamada, active_sel, "mid_term", "中間報告です。", _upload("report.pdf")
    )
    confirmed_sel = placements.create_outgoing_placement(
        hr,
        person=tanaka,
        city=seoul,
        start_on=today + timedelta(days=60),
        end_on=today + timedelta(days=240),
        amount_jpy=1_000_000,
        purpose="共同研究 / joint research",
    )
    placements.confirm_placement(kim, confirmed_sel, host_office="Seoul City Hall")
    report_ber = milestones.submit_report(
        sato, placement_ber, "mid_term", "中間報告です。", _upload("report.pdf")
    )
    nomination_sel = _one(Nomination, Nomination.city_id == seoul.id)
    nomination_details.attach_cv(kim, nomination_sel, io.BytesIO(PDF), "cv.pdf")
    nomination_ber = nominations.nominate(
        anna,
        name="Lukas Weber",
        email="lukas.weber@berlin.example",
        position="Referent",
        start_on=today + timedelta(days=30),
        end_on=today + timedelta(days=120),
        cv=(io.BytesIO(PDF), "cv.pdf"),
    )

    program = _one(TrainingProgram, TrainingProgram.code == "EN-ADV")

    def session_in(days: int):
        return training.create_session(
            hr,
            program,
            starts_on=today + timedelta(days=days),
            ends_on=today + timedelta(days=days + 1),
            capacity=10,
            place="都庁",
        )

    def own_record(person, days_ago: int, marker: str):
        """A completed training the employee entered, with a certificate (unverified)."""
        return training_records.record_training(
            person,
            person,
            program,
            status="completed",
            completed_on=today - timedelta(days=days_ago),
            hours="40",
            note=MARKERS[marker][1],
            certificate=(io.BytesIO(PDF), "certificate.pdf"),
        )

    def own_score(person, score: str, days_ago: int):
        return training_records.add_language_score(
            person,
            person,
            test="toeic",
            score=score,
            taken_on=today - timedelta(days=days_ago),
            certificate=(io.BytesIO(PDF), "score.pdf"),
        )

    session = session_in(20)
    enrolled_in = session_in(25)
    record_enrolled = training.enrol(yamada, enrolled_in)
    record_yamada = own_record(yamada, 10, "employee")
    record_tanaka = own_record(tanaka, 11, "employee2")
    score_yamada = own_score(yamada, "900", 30)
    score_tanaka = own_score(tanaka, "880", 31)
    batch = training_imports.create_batch(hr, io.BytesIO(CSV), "records.csv")
    from hrfund.fund.fx import record_fx_rate

    record_fx_rate(hr, "EUR", today - timedelta(days=3), "161.25")
    batch_checked = training_imports.create_batch(hr, io.BytesIO(CSV), "records.csv")
    training_imports.check_batch(hr, batch_checked)
    # not in force yet: Tanaka holds no power over Yamada's applications (the cross-person sweep)
    delegation = delegations.create_delegation(
        sato, deputy=tanaka, starts_on=today + timedelta(days=7), ends_on=today + timedelta(days=14)
    )
    rule = _one(ReminderRule)
    delivery = Delivery(
        rule_id=rule.id,
        subject_type="placement",
        subject_id=placement_sel.id,
        due_on=today,
        recipient_id=yamada.id,
        channel=Channel.EMAIL,
        status=DeliveryStatus.FAILED,
        attempts=1,
        title="t",
        body="b",
    )
    db.session.add(delivery)
    for key, person in (("employee", yamada), ("employee2", tanaka)):
        db.session.add(
            Notification(user_id=person.id, title=f"通知 {MARKERS[key][0]}", body="本文", link=None)
        )
    feeds, plain_feeds = {}, {}
    for key in ("employee", "employee2", "coordinator", "coordinator2"):
        token, plain = create_calendar_token(people[key])
        feeds[key], plain_feeds[key] = token, plain
    api_tokens, plain_tokens = {}, {}
    for key, person in people.items():
        token, plain = create_api_token(person, person, "sweeps")
        api_tokens[key], plain_tokens[key] = token, plain
    db.session.flush()

    entry = db.session.scalar(
        sa.select(FundEntry).where(FundEntry.kind == "disbursement").order_by(FundEntry.id)
    )
    notes = {
        key: db.session.scalar(
            sa.select(Notification.id)
            .where(Notification.user_id == people[key].id)
            .order_by(Notification.id.desc())
        )
        for key in ("employee", "employee2")
    }
    ids = {
        **{f"user_{k}": p.id for k, p in people.items()},
        "city_sel": seoul.id,
        "city_ber": berlin.id,
        "dept_pln": _one(Department, Department.code == "UD-PLN").id,
        "call_open": open_call.id,
        "call_draft": draft_call.id,
        "call_applied": calls[0].id,
        "call_fresh": calls[2].id,  # open, nobody applied: the employee may apply
        "app_yamada": yamada_app.id,  # endorsed: HR decides next
        "app_tanaka": tanaka_app.id,  # endorsed
        "app_yamada_submitted": yamada_submitted.id,  # the manager endorses next
        "app_yamada_draft": yamada_draft.id,  # draft, with a CV
        "attachment_yamada": _one(Attachment, Attachment.application_id == yamada_draft.id).id,
        "placement_sel": placement_sel.id,  # proposed, Yamada in Seoul
        "placement_ber": placement_ber.id,  # active, Sato in Berlin
        "placement_sel_active": active_sel.id,  # active, Yamada in Seoul, with a report
        "placement_sel_confirmed": confirmed_sel.id,  # confirmed, Tanaka in Seoul
        "milestone_sel_active": _one(Milestone, Milestone.placement_id == active_sel.id).id,
        "report_sel": report_sel.id,
        "milestone_sel_active_open": _one(
            Milestone, Milestone.placement_id == active_sel.id, Milestone.done_at.is_(None)
        ).id,
        "milestone_sel": _one(Milestone, Milestone.placement_id == placement_sel.id).id,
        "milestone_ber": _one(Milestone, Milestone.placement_id == placement_ber.id).id,
        "report_ber": report_ber.id,
        "nomination_sel": nomination_sel.id,
        "nomination_ber": nomination_ber.id,
        "program": program.id,
        "session": session.id,
        "record_yamada": record_yamada.id,
        "record_enrolled": record_enrolled.id,
        "record_tanaka": record_tanaka.id,
        "score_yamada": score_yamada.id,
        "score_tanaka": score_tanaka.id,
        "batch": batch.id,
        "batch_checked": batch_checked.id,
        "delegation": delegation.id,
        "rule": rule.id,
        "delivery": delivery.id,
        "notification_employee": notes["employee"],
        "notification_employee2": notes["employee2"],
        "entry": entry.id,
        **{f"feed_{k}": t.id for k, t in feeds.items()},
        **{f"token_{k}": t.id for k, t in api_tokens.items()},
        "fy": fy,
    }
    assert db.session.get(TrainingRecord, record_yamada.id).user_id == yamada.id
    assert db.session.get(LanguageScore, score_tanaka.id).user_id == tanaka.id
    db.session.commit()
    return {"ids": ids, "tokens": plain_tokens, "feeds": plain_feeds}


def _call(hr, title: str, fy: int, today: date):
    from hrfund.applications import calls as call_services

    return call_services.create_call(
        hr,
        title_ja=title,
        title_en=title,
        fiscal_year=fy + 1,
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=30),
        slots=[{"city": "SEL", "positions": 1, "months": 6, "estimated_cost_jpy": 1_000_000}],
        rules={},
    )


def _draft(fy: int) -> dict:
    return {
        "preferences": ["SEL"],
        "statement": "ソウル市で学びたい。",
        "start_on": date(fy + 1, 10, 1),
        "end_on": date(fy + 2, 3, 31),
        "travel_jpy": 200_000,
        "stipend_jpy": 1_000_000,
        "housing_jpy": 800_000,
    }


def _pure_personas() -> None:
    """The demo's manager and HR officer are employees too: the route table's manager and HR
    hold that one role only, so that each column shows what the role alone allows."""
    from hrfund.auth import services as auth_services
    from hrfund.org.models import Department
    from hrfund.seed import DEMO_PASSWORD

    planning = _one(Department, Department.code == "UD-PLN")
    for email, role, given in (
        (PERSONAS["manager"], "manager", "Kanri"),
        (PERSONAS["hr"], "hr", "Jinji"),
    ):
        auth_services.create_user(
            None,
            email=email,
            password=DEMO_PASSWORD,
            roles=[role],
            department=planning if role == "manager" else None,
            manages=[planning] if role == "manager" else None,
            family_name="試験",
            given_name=given,
            family_name_romaji="Shiken",
            given_name_romaji=given,
            locale="en",
        )


def _upload(name: str):
    from werkzeug.datastructures import FileStorage

    return FileStorage(stream=io.BytesIO(PDF), filename=name, content_type="application/pdf")


def delegation_in_force(ids: dict) -> None:
    """Bring the world's delegation (Sato → Tanaka, built to start in a week so that Tanaka
    holds no power in the cross-person sweeps) into force from today, in the caller's
    transaction: the deputy's sweep rolls it back with everything else."""
    from hrfund.applications.models import Delegation
    from hrfund.core.fiscal import tokyo_today

    db.session.execute(
        sa.update(Delegation)
        .where(Delegation.id == ids["delegation"])
        .values(starts_on=tokyo_today())
    )
    db.session.expire_all()
