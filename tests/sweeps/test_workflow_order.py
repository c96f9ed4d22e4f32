"""Workflow order: every (state, action) pair of every state machine, tried by every role
through the service, and a sample through the API.

The pairs come from the machines themselves (every ``StateMachine`` found in hrfund's modules,
every state of its enum, every transition), so a new state or transition is covered without
a change here; a new machine fails until it has a case below. Who may act is stated here, from
DESIGN.md, not read from the machine's ``who`` rules, so that a rule that lets the wrong role
through fails. A pair allowed in that state to that role must succeed (the target state, one
history event); every other pair is refused (409 in the wrong state, 403 to the wrong role;
either when both are wrong) with nothing changed: not the object's row, not the audit log, the
ledger, the placements or the notifications.
"""

from __future__ import annotations

import importlib
import pkgutil
from datetime import date

import pytest
import sqlalchemy as sa

import hrfund
from hrfund.core.errors import InvalidTransition, NotAllowed
from hrfund.core.statemachine import StateMachine
from hrfund.extensions import db

#: The callers: the world's people (tests/sweeps/world.py). "employee" is the applicant or the
#: placed employee of the object under test, "coordinator" the coordinator of its city.
ACTORS = (
    "employee",
    "employee2",
    "manager",
    "hr",
    "coordinator",
    "coordinator2",
    "auditor",
    "admin",
)


def _machines() -> dict[str, StateMachine]:
    found: dict[str, StateMachine] = {}
    for info in pkgutil.walk_packages(hrfund.__path__, "hrfund."):
        if ".views" in info.name or info.name.endswith(("cli", "seed_scale")):
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, StateMachine):
                found[value.object_type] = value
    return found


MACHINES = _machines()


def _application_call(action):
    from hrfund.applications import services as s
    from hrfund.org.models import PartnerCity

    if action == "approve":

        def approve(actor, application):
            fy = application.call.fiscal_year
            seoul = db.session.scalar(sa.select(PartnerCity).where(PartnerCity.code == "SEL"))
            return s.approve_application(
                actor,
                application,
                city=seoul,
                start_on=date(fy, 10, 1),
                end_on=date(fy + 1, 3, 31),
                amount_jpy=1_000_000,
            )

        return approve
    function = getattr(s, f"{action}_application")
    if action == "submit":
        return function
    return lambda actor, application: function(actor, application, comment="理由")


def _placement_call(action):
    from hrfund.placements import services as s

    kwargs = {
        "confirm": {"host_office": "Seoul City Hall"},
        "decline": {"comment": "理由"},
        "cancel": {"comment": "理由"},
        "complete": {"confirm_early": True},
    }.get(action, {})
    return lambda actor, placement: s.ACTIONS[action](actor, placement, **kwargs)


def _call_call(action):
    from hrfund.applications.calls import CALL_ACTIONS

    return CALL_ACTIONS[action]


def _model(object_type):
    from hrfund.applications.models import Application, Call
    from hrfund.placements.models import Placement

    return {"applications": Application, "placements": Placement, "calls": Call}[object_type]


#: machine → (the world's object, who may do each action, the service call, the columns a state
#: needs besides the state itself, the API path of an action)
CASES = {
    "applications": {
        "object": "app_yamada",
        "who": {
            "submit": {"employee"},
            "withdraw": {"employee"},
            "endorse": {"manager"},
            "decline": {"manager"},
            "return": {"hr"},
            "approve": {"hr"},
            "reject": {"hr"},
        },
        "call": _application_call,
        "api": "/api/v1/applications/{id}/{action}",
    },
    "placements": {
        "object": "placement_sel",
        "who": {
            "confirm": {"coordinator"},
            "decline": {"coordinator"},
            "start": {"coordinator", "hr"},
            "complete": {"hr"},
            "cancel": {"hr"},
        },
        "call": _placement_call,
        "api": "/api/v1/placements/{id}/{action}",
    },
    "calls": {
        "object": "call_draft",
        "who": {"open": {"hr"}, "close": {"hr"}, "decide": {"hr"}},
        "call": _call_call,
        "api": "/api/v1/calls/{id}/{action}",
    },
}


def test_every_machine_has_a_case():
    assert set(MACHINES) == set(CASES), "give each state machine a case in CASES"
    for name, machine in MACHINES.items():
        assert {t.action for t in machine.transitions} == set(CASES[name]["who"]), name


def _put_in_state(model, object_id, machine: StateMachine, state) -> None:
    values = {machine.state_attr: state}
    columns = model.__table__.c
    for column in ("submitted_at", "decided_at", "confirmed_at"):
        if column in columns:
            values[column] = sa.func.current_timestamp()
    db.session.execute(sa.update(model).where(model.id == object_id).values(values))
    db.session.expire_all()


def _snapshot(model, object_id) -> tuple:
    from hrfund.core.audit import AuditEvent
    from hrfund.fund.models import LedgerEntry
    from hrfund.placements.models import Placement
    from hrfund.reminders.models import Notification

    row = db.session.execute(sa.select(*model.__table__.c).where(model.id == object_id)).one()
    counts = tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (AuditEvent, LedgerEntry, Placement, Notification)
    )
    return tuple(row), counts


def _actors(sweep) -> dict:
    from hrfund.auth.models import User

    return {key: db.session.get(User, sweep.ids[f"user_{key}"]) for key in ACTORS}


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_state_action_and_role_through_the_service(sweep, name):
    machine, case = MACHINES[name], CASES[name]
    tried, allowed, failures = run_pairs(
        name, machine, case, _model(name), sweep.ids[case["object"]], _actors(sweep)
    )
    assert not failures, "\n".join(failures)


def run_pairs(name, machine, case, model, object_id, actors) -> tuple[int, int, list[str]]:
    """Every (state, action, caller) through the service, each in a savepoint rolled back;
    prints the figures and returns (tried, allowed and done, failures)."""
    states = list(type(machine.transitions[0].target))
    failures, tried, allowed = [], 0, 0
    for state in states:
        for transition in machine.transitions:
            call = case["call"](transition.action)
            for actor_key in actors:
                tried += 1
                pair = f"{name} {state.value} {transition.action} by {actor_key}"
                savepoint = db.session.begin_nested()
                try:
                    allowed += _try(
                        machine,
                        case,
                        model,
                        object_id,
                        state,
                        transition,
                        call,
                        actors[actor_key],
                        actor_key,
                        pair,
                        failures,
                    )
                finally:
                    savepoint.rollback()
    print(
        f"\nworkflow order, {name}: {len(states)} states × {len(machine.transitions)} actions "
        f"× {len(actors)} callers = {tried} tries, {allowed} allowed and done, "
        f"{tried - allowed} refused, {len(failures)} wrong"
    )
    return tried, allowed, failures


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_sample_through_the_api(sweep, name):
    """For each action: a wrong-state try by the right role (409) and a right-state try by a
    wrong role (403) through the API, with nothing changed; then the right one (200)."""
    machine, case = MACHINES[name], CASES[name]
    model = _model(name)
    object_id = sweep.ids[case["object"]]
    states = list(type(machine.transitions[0].target))
    failures = []
    bodies = {
        "confirm": {"host_office": "Seoul City Hall"},
        "approve": {"city": "SEL", "amount_jpy": 1_000_000}  # the open call's year (world.py)
        | {"start_on": f"{sweep.ids['fy'] + 1}-10-01", "end_on": f"{sweep.ids['fy'] + 2}-03-31"},
        "complete": {"confirm_early": True},
    }
    for transition in machine.transitions:
        right = sorted(case["who"][transition.action])[0]
        wrong = next(
            a for a in ("auditor", "employee2", "admin") if a not in case["who"][transition.action]
        )
        # drafts are their author's alone: the others get 404 before any check of state or role
        source = sorted(transition.sources, key=lambda s: (s.value == "draft", s.value))[0]
        elsewhere = next(s for s in states if s not in transition.sources and s.value != "draft")
        url = case["api"].format(id=object_id, action=transition.action)
        body = bodies.get(transition.action, {}) | {"comment": "理由"}
        for state, who, want in (
            (elsewhere, right, 409),
            (source, wrong, 403),
            (source, right, 200),
        ):
            with sweep.isolated():
                _put_in_state(model, object_id, machine, state)
                before = _snapshot(model, object_id)
                db.session.commit()
                response = sweep.app.test_client().post(
                    url, json=body, headers=sweep.api_headers(who)
                )
                changed = _snapshot(model, object_id) != before
                if response.status_code != want or (want != 200 and changed):
                    failures.append(
                        f"{name} {state.value} {transition.action} by {who}: "
                        f"{response.status_code} (want {want}), changed={changed} "
                        f"{response.get_data()[:150]!r}"
                    )
    assert not failures, "\n".join(failures)


def _try(
    machine, case, model, object_id, state, transition, call, actor, actor_key, pair, failures
) -> int:
    """One (state, action, caller) through the service; 1 if it was allowed and done."""
    from hrfund.core.audit import AuditEvent

    may = state in transition.sources and actor_key in case["who"][transition.action]
    _put_in_state(model, object_id, machine, state)
    obj = db.session.get(model, object_id)
    before = _snapshot(model, object_id)
    try:
        call(actor, obj)
        db.session.flush()
    except (InvalidTransition, NotAllowed) as error:
        want = InvalidTransition if state not in transition.sources else None
        if actor_key not in case["who"][transition.action]:
            want = want or NotAllowed
        if may:
            failures.append(f"{pair}: refused ({error!r:.120})")
        elif want is InvalidTransition and isinstance(error, NotAllowed):
            pass  # wrong state and wrong role: either refusal will do
        elif not isinstance(error, want):
            failures.append(f"{pair}: {type(error).__name__}, not {want.__name__}")
        if _snapshot(model, object_id) != before:
            failures.append(f"{pair}: refused, yet something changed")
        return 0
    if not may:
        failures.append(f"{pair}: succeeded")
        return 0
    now = db.session.scalar(
        sa.select(getattr(model, machine.state_attr)).where(model.id == object_id)
    )
    events = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == f"{machine.object_type}.{transition.action}",
            AuditEvent.object_id == str(object_id),
        )
    )
    if now != transition.target or events < 1:
        failures.append(f"{pair}: ended {now}, {events} history events")
    return 1
