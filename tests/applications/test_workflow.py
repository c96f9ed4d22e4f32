"""The application state machine, the call window, eligibility, uniqueness and approval."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from hrfund.applications import calls, services
from hrfund.applications.models import Application, ApplicationStatus
from hrfund.core.errors import (
    Conflict,
    InsufficientFunds,
    InvalidTransition,
    NotAllowed,
    ValidationFailed,
)
from hrfund.fund import services as fund
from hrfund.fund.models import Category
from hrfund.placements.models import Placement
from tests import factories
from tests.applications.conftest import INSIDE, TOKYO

A = ApplicationStatus
BERLIN = ZoneInfo("Europe/Berlin")


def test_window_edges_in_tokyo_time_seen_from_europe(setup):
    application = setup.draft()
    last_second = datetime(2026, 6, 30, 23, 59, 59, tzinfo=TOKYO).astimezone(BERLIN)
    assert last_second.hour == 16  # 16:59:59 in Berlin, summer time
    assert calls.window_is_open(setup.call, last_second)
    assert not calls.window_is_open(setup.call, last_second + timedelta(seconds=1))
    assert not calls.window_is_open(
        setup.call, datetime(2026, 5, 31, 23, 59, 59, tzinfo=TOKYO).astimezone(BERLIN)
    )
    with pytest.raises(InvalidTransition, match="23:59:59"):
        services.submit_application(
            setup.employee, application, now=last_second + timedelta(seconds=1)
        )
    services.submit_application(setup.employee, application, now=last_second)
    assert application.status == A.SUBMITTED


def test_ineligible_submit_names_every_unmet_rule(setup, db):
    application = setup.draft(person=setup.colleague)
    with pytest.raises(InvalidTransition) as refused:
        services.submit_application(setup.colleague, application, now=INSIDE)
    message = refused.value.message
    assert "years of service" in message and "IELTS" in message
    assert application.status == A.DRAFT


def test_incomplete_application_cannot_be_submitted(setup):
    application = setup.draft(statement="", preferences=[])
    with pytest.raises(ValidationFailed) as refused:
        services.submit_application(setup.employee, application, now=INSIDE)
    assert {"statement", "preferences"} <= set(refused.value.fields)


def test_one_live_application_per_call(setup, db):
    first = setup.draft()
    with pytest.raises(Conflict):
        setup.draft()
    services.withdraw_application(setup.employee, first)
    second = setup.draft()
    assert second.status == A.DRAFT


def test_the_database_refuses_a_second_live_application(setup, db):
    setup.draft()
    db.session.flush()
    nested = db.session.begin_nested()
    with pytest.raises(IntegrityError):
        db.session.execute(
            sa.insert(Application).values(
                call_id=setup.call.id,
                applicant_id=setup.employee.id,
                status="draft",
                statement="",
                travel_jpy=0,
                stipend_jpy=0,
                housing_jpy=0,
                created_at=datetime.now(TOKYO),
                updated_at=datetime.now(TOKYO),
            )
        )
    nested.rollback()


@pytest.mark.parametrize(
    "values,field",
    [
        ({"preferences": ["PAR"]}, "preferences"),
        ({"preferences": ["SEL", "SEL"]}, "preferences"),
        ({"travel_jpy": -1}, "travel_jpy"),
        ({"stipend_jpy": "lots"}, "stipend_jpy"),
        ({"start_on": date(2027, 1, 1), "end_on": date(2026, 1, 1)}, "end_on"),
    ],
)
def test_bad_draft_input(setup, db, values, field):
    with pytest.raises(ValidationFailed) as refused:
        setup.draft(**values)
    assert field in refused.value.fields
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 0


# action → (state the application is brought to, who may)
ALLOWED = {
    "endorse": ("submitted", {"manager"}),
    "decline": ("submitted", {"manager"}),
    "return": ("endorsed", {"hr"}),
    "reject": ("endorsed", {"hr"}),
    "withdraw": ("submitted", {"employee"}),
}
ROLES = ("employee", "colleague", "manager", "other_manager", "hr", "auditor", "coordinator")


def _bring(setup, state: str):
    application = setup.draft()
    if state in ("submitted", "endorsed"):
        services.submit_application(setup.employee, application, now=INSIDE)
    if state == "endorsed":
        services.endorse_application(setup.manager, application)
    return application


@pytest.mark.parametrize("action", list(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_transition_by_role(setup, db, action, role):
    state, allowed = ALLOWED[action]
    application = _bring(setup, state)
    actor = getattr(setup, role)
    if role in allowed:
        services.ACTIONS[action](actor, application, comment="理由 / reason")
        assert application.status == services.MACHINE.transition(action).target
    else:
        with pytest.raises(NotAllowed):
            services.ACTIONS[action](actor, application, comment="x")
        assert application.status.value == state


@pytest.mark.parametrize(
    "action,state",
    [
        ("endorse", "draft"),
        ("endorse", "endorsed"),
        ("return", "submitted"),
        ("reject", "draft"),
        ("decline", "endorsed"),
    ],
)
def test_invalid_transitions(setup, action, state):
    application = _bring(setup, state)
    actor = setup.manager if action in ("endorse", "decline") else setup.hr
    with pytest.raises(InvalidTransition):
        services.ACTIONS[action](actor, application, comment="x")
    assert application.status.value == state


def test_withdraw_only_before_a_decision(setup):
    application = setup.endorsed()
    services.reject_application(setup.hr, application, comment="Not this year")
    with pytest.raises(InvalidTransition):
        services.withdraw_application(setup.employee, application)


def test_returned_application_is_edited_and_submitted_again(setup):
    application = setup.endorsed()
    services.return_application(setup.hr, application, comment="Add your CV, please")
    services.update_application(setup.employee, application, statement="改訂版の志望動機")
    services.submit_application(setup.employee, application, now=INSIDE)
    assert application.status == A.SUBMITTED
    with pytest.raises(InvalidTransition):
        services.update_application(setup.employee, application, statement="too late")


def test_comment_required_to_decline_return_reject(setup):
    application = _bring(setup, "submitted")
    with pytest.raises(ValidationFailed):
        services.decline_application(setup.manager, application, comment=" ")


def test_approval_creates_the_placement_and_commits(setup, db):
    application = setup.endorsed()
    services.approve_application(
        setup.hr,
        application,
        city=setup.seoul,
        start_on=date(2026, 10, 1),
        end_on=date(2027, 3, 31),
        amount_jpy=1_300_000,
    )
    assert application.status == A.APPROVED and application.decided_at is not None
    placement = db.session.get(Placement, application.placement_id)
    assert placement.status.value == "proposed" and placement.city == setup.seoul
    assert placement.person == setup.employee and placement.application_id == application.id
    assert fund.open_commitment(placement.id) == 1_300_000
    assert fund.summary(2026).lines[Category.OUTGOING].available == 700_000
    with pytest.raises(InvalidTransition):
        services.approve_application(
            setup.hr,
            application,
            city=setup.seoul,
            start_on=date(2026, 10, 1),
            end_on=date(2027, 3, 31),
            amount_jpy=1,
        )


def test_approval_short_of_funds_changes_nothing(setup, db):
    application = setup.endorsed()
    db.session.commit()
    with pytest.raises(InsufficientFunds) as refused:
        services.approve_application(
            setup.hr,
            application,
            city=setup.berlin,
            start_on=date(2026, 10, 1),
            end_on=date(2027, 3, 31),
            amount_jpy=2_000_001,
        )
    assert "¥2,000,000 available" in refused.value.message
    db.session.rollback()
    db.session.refresh(application)
    assert application.status == A.ENDORSED and application.placement_id is None
    assert db.session.scalar(sa.select(sa.func.count(Placement.id))) == 0
    assert fund.summary(2026).lines[Category.OUTGOING].available == 2_000_000


def test_approval_city_must_be_one_of_the_calls(setup):
    application = setup.endorsed()
    from tests import factories

    with pytest.raises(ValidationFailed):
        services.approve_application(
            setup.hr,
            application,
            city=factories.city("BKK"),
            start_on=date(2026, 10, 1),
            end_on=date(2027, 3, 31),
            amount_jpy=100,
        )


def test_deputy_acts_on_the_queue_and_history_names_both(setup, db):
    from hrfund.core.fiscal import tokyo_today
    from tests import factories

    deputy = factories.user(["employee"], department=setup.department)  # a staff member of hers
    services.create_delegation(
        setup.manager, deputy=deputy, starts_on=tokyo_today(), ends_on=date(2099, 12, 31)
    )
    application = _bring(setup, "submitted")
    assert (
        db.session.scalar(services.visible_to(deputy).where(Application.id == application.id))
        is not None
    )
    services.endorse_application(deputy, application, comment="代理で推薦します")
    event = services.MACHINE.history(application)[-1]
    assert event.actor_id == deputy.id
    assert event.changes["on_behalf_of"] == setup.manager.email


def test_expired_delegation_gives_nothing(setup, db):
    from hrfund.applications.models import Delegation
    from tests import factories

    deputy = factories.user(["employee"], department=setup.department)
    db.session.add(  # a period long past (the service refuses to create one)
        Delegation(
            principal_id=setup.manager.id,
            deputy_id=deputy.id,
            starts_on=date(2020, 1, 1),
            ends_on=date(2020, 12, 31),
        )
    )
    db.session.flush()
    application = _bring(setup, "submitted")
    with pytest.raises(NotAllowed):
        services.endorse_application(deputy, application)


def test_scope_of_lists(setup, db):
    mine = _bring(setup, "submitted")
    setup.draft(person=setup.colleague)

    def ids(user):
        return set(db.session.scalars(services.visible_to(user).with_only_columns(Application.id)))

    assert ids(setup.employee) == {mine.id}
    assert ids(setup.manager) == {mine.id}
    assert ids(setup.other_manager) == set()  # the colleague's is a draft
    assert ids(setup.hr) == {mine.id}
    assert ids(setup.coordinator) == set()


def test_nobody_endorses_or_decides_their_own_application(db, setup):
    """A manager who applies needs someone else's endorsement; an HR officer who applies needs
    another officer's decision."""
    from hrfund.core.errors import NotAllowed
    from hrfund.training.models import LanguageTest
    from hrfund.training.records import add_language_score

    for person in (setup.manager, setup.hr):
        person.joined_on = date(2005, 4, 1)
        add_language_score(
            setup.hr, person, test=LanguageTest.IELTS.value, score="7.5", taken_on=date(2025, 9, 1)
        )
    own = setup.draft(person=setup.manager)
    services.submit_application(setup.manager, own, now=INSIDE)
    with pytest.raises(NotAllowed):
        services.endorse_application(setup.manager, own)
    assert own.status.value == "submitted"

    hr_own = setup.draft(person=setup.hr)
    services.submit_application(setup.hr, hr_own, now=INSIDE)
    other_hr = factories.user(["hr"])
    hr_own.status = services.A.ENDORSED  # HR's department has no manager in this setup
    with pytest.raises(NotAllowed):
        services.reject_application(setup.hr, hr_own, comment="自分の応募")
    services.reject_application(other_hr, hr_own, comment="定員超過")
    assert hr_own.status.value == "rejected"
