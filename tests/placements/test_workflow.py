"""Every placement transition, allowed and refused, and the money that moves with it."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
import time_machine

from hrfund.core.audit import AuditEvent
from hrfund.core.errors import InsufficientFunds, InvalidTransition, NotAllowed, ValidationFailed
from hrfund.fund import services as fund
from hrfund.placements import milestones as ms
from hrfund.placements import nominations, services
from hrfund.placements.models import MilestoneKind, Placement, PlacementStatus
from tests.placements.conftest import END, START, line

S = PlacementStatus


def test_hr_places_an_employee_and_commits_the_amount(world, db):
    placement = world.place()
    assert placement.status == S.PROPOSED and placement.fiscal_year == 2026
    assert fund.open_commitment(placement.id) == 1_200_000
    assert line("outgoing").available == 1_800_000
    kinds = {m.kind for m in placement.milestones}
    assert kinds == set(MilestoneKind)
    due = {m.kind: m.due_on for m in placement.milestones}
    assert due[MilestoneKind.ARRIVAL] == START and due[MilestoneKind.RETURN] == END
    assert due[MilestoneKind.VISA] < due[MilestoneKind.PRE_DEPARTURE_TRAINING] < START


def test_placement_that_the_line_cannot_cover_changes_nothing(world, db):
    before = db.session.scalar(sa.select(sa.func.count(Placement.id)))
    with pytest.raises(InsufficientFunds):
        world.place(amount=3_000_001)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Placement.id))) == before
    assert line("outgoing").available == 3_000_000


@pytest.mark.parametrize(
    "bad",
    [
        {"amount": 0},
        {"amount": -5},
        {"start": date(2026, 9, 1), "end": date(2026, 8, 1)},
    ],
)
def test_bad_placement_input(world, bad):
    with pytest.raises(ValidationFailed):
        world.place(**bad)


# (action, from-state setup, who may) — everyone else is refused, and the state stays.
ROLES = ("hr", "employee", "seoul_coordinator", "berlin_coordinator", "auditor")
ALLOWED = {
    "confirm": {"seoul_coordinator"},
    "decline": {"seoul_coordinator"},
    "start": {"hr", "seoul_coordinator"},
    "complete": {"hr"},
    "cancel": {"hr"},
}
SETUP = {
    "confirm": [],
    "decline": [],
    "start": ["confirm"],
    "complete": ["confirm", "start"],
    "cancel": ["confirm"],
}
ARGS = {
    "confirm": {
        "host_office": "Seoul City Hall, Urban Planning Bureau",
        "host_supervisor": "Director Park",
    },
    "decline": {"comment": "No host office this year"},
    "start": {},
    "complete": {"confirm_early": True},  # before the end date: HR confirms it ended early
    "cancel": {"comment": "Withdrawn by the bureau"},
}


def _bring(world, placement, steps):
    for step in steps:
        actor = world.seoul_coordinator if step in ("confirm",) else world.hr
        services.ACTIONS[step](actor, placement, **ARGS[step])


@pytest.mark.parametrize("action", list(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_transition_by_role(world, db, action, role):
    placement = world.place()
    _bring(world, placement, SETUP[action])
    before = placement.status
    actor = getattr(world, role)
    if role in ALLOWED[action]:
        services.ACTIONS[action](actor, placement, **ARGS[action])
        assert placement.status == services.MACHINE.transition(action).target
        event = db.session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.action == f"placements.{action}",
                AuditEvent.object_id == str(placement.id),
            )
        ).one()
        assert event.actor_id == actor.id and event.from_state == before.value
    else:
        with pytest.raises(NotAllowed):
            services.ACTIONS[action](actor, placement, **ARGS[action])
        assert placement.status == before


@pytest.mark.parametrize(
    "action,state_steps",
    [
        ("confirm", ["confirm"]),
        ("start", []),
        ("complete", ["confirm"]),
        ("decline", ["confirm"]),
        ("cancel", ["confirm", "start", "complete"]),
    ],
)
def test_invalid_transitions_are_refused(world, action, state_steps):
    placement = world.place()
    _bring(world, placement, state_steps)
    before = placement.status
    actor = world.seoul_coordinator if action in ("confirm", "decline") else world.hr
    with pytest.raises(InvalidTransition):
        services.ACTIONS[action](actor, placement, **ARGS[action])
    assert placement.status == before


def test_decline_needs_a_reason_and_confirm_a_host_office(world):
    placement = world.place()
    with pytest.raises(ValidationFailed):
        services.decline_placement(world.seoul_coordinator, placement, comment="  ")
    with pytest.raises(ValidationFailed):
        services.confirm_placement(world.seoul_coordinator, placement, host_office="")
    assert placement.status == S.PROPOSED


def test_decline_releases_the_commitment(world):
    placement = world.place()
    services.decline_placement(world.seoul_coordinator, placement, comment="No capacity")
    assert fund.open_commitment(placement.id) == 0
    assert line("outgoing").available == 3_000_000


def test_cancel_releases_the_commitment(world):
    placement = world.place()
    _bring(world, placement, ["confirm", "start"])
    services.cancel_placement(world.hr, placement, comment="Family reasons")
    assert fund.open_commitment(placement.id) == 0
    assert line("outgoing").available == 3_000_000


def test_completion_releases_only_what_was_not_spent(world):
    placement = world.place()
    _bring(world, placement, ["confirm", "start"])
    fund.disburse(
        world.hr,
        paid_on=date(2026, 9, 5),
        amount=800_000,
        currency="JPY",
        placement_id=placement.id,
        memo="stipend",
    )
    assert fund.open_commitment(placement.id) == 400_000
    services.complete_placement(world.hr, placement, confirm_early=True)
    figures = line("outgoing")
    assert fund.open_commitment(placement.id) == 0
    assert figures.disbursed == 800_000 and figures.committed == 0
    assert figures.available == 2_200_000


def test_arrival_confirmed_by_the_coordinator(world):
    placement = world.place()
    _bring(world, placement, ["confirm"])
    services.start_placement(world.seoul_coordinator, placement, arrived_on=date(2026, 9, 2))
    arrival = next(m for m in placement.milestones if m.kind == MilestoneKind.ARRIVAL)
    assert placement.status == S.ACTIVE and arrival.done_at is not None
    assert placement.arrived_on == date(2026, 9, 2)


def test_nomination_accepted_commits_from_incoming(world, db):
    nomination = world.nominate()
    assert nomination.city_id == world.seoul.id
    placement = nominations.accept_nomination(
        world.hr, nomination, host_department=world.host, amount_jpy=600_000
    )
    assert placement.direction.value == "incoming" and placement.status == S.CONFIRMED
    assert placement.guest_name == "Lee Jiwoo" and placement.host_department == world.host
    assert line("incoming").committed == 600_000
    with pytest.raises(InvalidTransition):
        nominations.accept_nomination(
            world.hr, nomination, host_department=world.host, amount_jpy=1
        )


def test_nomination_short_of_funds_stays_pending(world, db):
    nomination = world.nominate()
    db.session.commit()
    with pytest.raises(InsufficientFunds):
        nominations.accept_nomination(
            world.hr, nomination, host_department=world.host, amount_jpy=1_000_001
        )
    db.session.rollback()
    db.session.refresh(nomination)
    assert nomination.status.value == "pending"
    assert db.session.scalar(sa.select(sa.func.count(Placement.id))) == 0


def test_only_coordinators_nominate_and_with_valid_fields(world):
    with pytest.raises(NotAllowed):
        world.nominate(coordinator=world.hr)
    with pytest.raises(ValidationFailed) as refused:
        world.nominate(email="not-an-address", name="")
    assert set(refused.value.fields) == {"email", "name"}


def test_incoming_is_confirmed_by_hr_not_a_coordinator(world):
    placement = nominations.accept_nomination(
        world.hr, world.nominate(), host_department=world.host, amount_jpy=100_000
    )
    with pytest.raises(NotAllowed):
        services.start_placement(world.berlin_coordinator, placement)
    services.start_placement(world.hr, placement)
    assert placement.status == S.ACTIVE


def test_reports_and_acknowledgement(world, db):
    import io

    placement = world.place()
    _bring(world, placement, ["confirm", "start"])
    upload = type(
        "Upload", (), {"filename": "中間報告.pdf", "stream": io.BytesIO(b"%PDF-1.4 report body")}
    )()
    report = ms.submit_report(
        world.employee, placement, "mid_term", "ソウル市の都市計画を調査。", upload
    )
    assert report.file.original_name == "中間報告.pdf"
    mid = next(m for m in placement.milestones if m.kind == MilestoneKind.MID_TERM_REPORT)
    assert mid.done_at is not None
    with pytest.raises(NotAllowed):
        ms.submit_report(world.other_employee, placement, "final", "x")
    with pytest.raises(NotAllowed):
        ms.acknowledge_report(world.employee, report)
    ms.acknowledge_report(world.hr, report)
    assert report.acknowledged_at is not None


def test_overdue_milestones_are_counted(world):
    with time_machine.travel(date(2026, 4, 1)):  # proposed in April, before the visa work
        placement = world.place(start=date(2026, 5, 1), end=date(2026, 10, 31))
    counts = ms.overdue_counts([placement.id], today=date(2026, 5, 2))
    # visa, pre-departure training and departure were due before 1 May; arrival on it
    assert counts[placement.id] == 4
    visa = next(m for m in placement.milestones if m.kind == MilestoneKind.VISA)
    ms.adjust_milestone(world.hr, visa, date(2026, 6, 1))
    assert ms.overdue_counts([placement.id], today=date(2026, 5, 2))[placement.id] == 3
    with pytest.raises(NotAllowed):
        ms.adjust_milestone(world.employee, visa, date(2026, 7, 1))


def test_agreement_and_two_way_balance(world):
    world.place(amount=500_000)
    nominations.accept_nomination(
        world.hr, world.nominate(), host_department=world.host, amount_jpy=100_000
    )
    nominations.create_agreement(
        world.hr,
        city=world.seoul,
        title="Seoul–Tokyo exchange MoU",
        starts_on=date(2025, 4, 1),
        ends_on=date(2028, 3, 31),
        outgoing_people=2,
        outgoing_person_months=12,
        incoming_people=2,
        incoming_person_months=12,
    )
    balance = {row["fiscal_year"]: row for row in nominations.exchange_balance(world.seoul)}
    fy = balance[2026]
    assert fy["outgoing_people"] == 1 and fy["incoming_people"] == 1
    assert fy["outgoing_months"] == pytest.approx(5.9, abs=0.1)
    assert fy["quota"].outgoing_people == 2
    with pytest.raises(ValidationFailed):
        nominations.create_agreement(
            world.hr,
            city=world.seoul,
            title="x",
            starts_on=date(2026, 1, 1),
            ends_on=date(2027, 1, 1),
            outgoing_people=-1,
        )


def test_exchanges_reach_the_talent_pool_and_development_history(app, world, db, api_as):
    from hrfund.training.records import development_history

    placement = world.place()
    services.confirm_placement(world.seoul_coordinator, placement, host_office="City Hall")
    services.start_placement(world.seoul_coordinator, placement)
    db.session.commit()
    history = development_history(world.employee)["exchanges"]
    assert history == []  # under way: not a past exchange yet
    services.complete_placement(world.hr, placement, confirm_early=True)
    db.session.commit()
    history = development_history(world.employee)["exchanges"]
    assert [e["placement_id"] for e in history] == [placement.id]
    hr = api_as("hr")
    found = hr.get("/api/v1/talent?has_exchange=1", headers=hr.headers).json
    emails = {item.get("email") for item in found["items"]}
    assert world.employee.email in emails and world.other_employee.email not in emails
