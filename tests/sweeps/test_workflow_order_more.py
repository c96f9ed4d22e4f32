"""Workflow order outside the generated pairs: incoming placements (HR is the host), the
nominations' accept and reject (a decision, not a ``StateMachine``), and a deputy's actions
under a delegation in force.

Each reuses the machine sweep of test_workflow_order.py (``run_pairs``): every state × action ×
caller through the service, in a savepoint; the allowed ones succeed (target state, a history
event), the others are refused with nothing changed. Who may act is stated here, from DESIGN.md.
"""

from __future__ import annotations

from types import SimpleNamespace

import sqlalchemy as sa

from hrfund.extensions import db
from tests.sweeps import world
from tests.sweeps.test_workflow_order import (
    ACTORS,
    CASES,
    MACHINES,
    _actors,
    _application_call,
    _placement_call,
    run_pairs,
)


def _department(sweep):
    from hrfund.org.models import Department

    return db.session.get(Department, sweep.ids["dept_pln"])


def test_incoming_placements_are_hosted_and_run_by_hr_alone(sweep):
    """A Seoul official hosted in Tokyo: HR confirms, declines, starts, completes and cancels;
    Seoul's own coordinator ("coordinator") is not the host and may do none of it."""
    from hrfund.placements.models import Direction, Nomination, Placement
    from hrfund.placements.nominations import accept_nomination

    actors = _actors(sweep)
    nomination = db.session.get(Nomination, sweep.ids["nomination_sel"])
    placement = accept_nomination(
        actors["hr"], nomination, host_department=_department(sweep), amount_jpy=1_000_000
    )
    db.session.flush()
    assert placement.direction == Direction.INCOMING
    case = {
        "who": {action: {"hr"} for action in ("confirm", "decline", "start", "complete", "cancel")},
        "call": _placement_call,
    }
    tried, allowed, failures = run_pairs(
        "incoming placements", MACHINES["placements"], case, Placement, placement.id, actors
    )
    assert not failures, "\n".join(failures)
    # proposed: confirm, decline, cancel; confirmed: start, cancel; active: complete, cancel
    assert (tried, allowed) == (6 * 5 * len(ACTORS), 7)


def _nomination_call(sweep):
    from hrfund.placements.nominations import accept_nomination, reject_nomination

    def call(action):
        if action == "accept":
            return lambda actor, nomination: accept_nomination(
                actor, nomination, host_department=_department(sweep), amount_jpy=1_000_000
            )
        return lambda actor, nomination: reject_nomination(actor, nomination, comment="理由")

    return call


def test_nominations_are_accepted_and_rejected_by_hr_while_pending(sweep):
    """accept and reject: pending only, HR only; an accepted one makes the incoming placement
    (counted in the snapshot, with the ledger and the history: nothing of it when refused)."""
    from hrfund.placements.models import Nomination, NominationStatus

    decisions = SimpleNamespace(  # what a machine would declare: the service decides alone
        object_type="nominations",
        state_attr="status",
        transitions=[
            SimpleNamespace(
                action=action, sources={NominationStatus.PENDING}, target=NominationStatus(target)
            )
            for action, target in (("accept", "accepted"), ("reject", "rejected"))
        ],
    )
    case = {"who": {"accept": {"hr"}, "reject": {"hr"}}, "call": _nomination_call(sweep)}
    nomination_id = sweep.ids["nomination_sel"]
    assert db.session.get(Nomination, nomination_id).status == NominationStatus.PENDING
    tried, allowed, failures = run_pairs(
        "nominations", decisions, case, Nomination, nomination_id, _actors(sweep)
    )
    assert not failures, "\n".join(failures)
    assert (tried, allowed) == (3 * 2 * len(ACTORS), 2)


def test_a_deputy_endorses_and_declines_for_the_manager_while_the_delegation_is_in_force(sweep):
    """Sato (Yamada's manager) away, Tanaka ("employee2") his deputy from today: Tanaka may now
    endorse and decline Yamada's submitted application, and the history names Sato; nothing
    else changes for anyone. Without the delegation in force (test_workflow_order.py) Tanaka
    is refused every pair."""
    from hrfund.applications.models import Application
    from hrfund.core.audit import AuditEvent

    world.delegation_in_force(sweep.ids)
    case = CASES["applications"] | {
        "who": CASES["applications"]["who"]
        | {"endorse": {"manager", "employee2"}, "decline": {"manager", "employee2"}},
        "call": _application_call,
    }
    model, object_id = Application, sweep.ids[case["object"]]
    # the deputy and the manager beside them; the other callers are what they were without it
    actors = {key: user for key, user in _actors(sweep).items() if key in ("employee2", "manager")}
    tried, allowed, failures = run_pairs(
        "applications, deputy in force", MACHINES["applications"], case, model, object_id, actors
    )
    assert not failures, "\n".join(failures)
    assert (tried, allowed) == (8 * 7 * 2, 4)  # endorse and decline by each of the two

    savepoint = db.session.begin_nested()
    try:
        application = db.session.get(Application, object_id)
        db.session.execute(
            sa.update(Application).where(Application.id == object_id).values(status="submitted")
        )
        db.session.expire_all()
        _application_call("endorse")(actors["employee2"], application)
        db.session.flush()
        event = db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.action == "applications.endorse")
            .order_by(AuditEvent.id.desc())
        ).first()
        assert event.actor_id == actors["employee2"].id
        assert (event.changes or {}).get("on_behalf_of") == world.OTHERS["manager_employee"]
    finally:
        savepoint.rollback()
