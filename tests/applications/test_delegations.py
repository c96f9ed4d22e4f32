"""Delegation rules (who may stand in, periods, ending early) and their defence in depth: a
delegation whose deputy is not eligible grants nothing, wherever a delegated power is used."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from hrfund.applications import delegations, services
from hrfund.applications.models import Application, Delegation
from hrfund.core.audit import AuditEvent
from hrfund.core.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from hrfund.core.fiscal import tokyo_today
from hrfund.fund.models import LedgerEntry
from hrfund.placements.models import Placement
from hrfund.training.models import LanguageTest
from hrfund.training.records import add_language_score
from tests import factories
from tests.applications.conftest import INSIDE

FAR = date(2099, 12, 31)


def _name(principal, deputy, starts_on=None, ends_on=FAR):
    return services.create_delegation(
        principal, deputy=deputy, starts_on=starts_on or tokyo_today(), ends_on=ends_on
    )


def _refusal(principal, deputy, **dates) -> dict:
    with pytest.raises(ValidationFailed) as refused:
        _name(principal, deputy, **dates)
    return refused.value.fields


def _insert(principal, deputy, starts_on=date(2020, 1, 1), ends_on=FAR) -> Delegation:
    """A row as an older release (or a hand-made fix) may have left it: no rule checked."""
    from hrfund.extensions import db

    row = Delegation(
        principal_id=principal.id, deputy_id=deputy.id, starts_on=starts_on, ends_on=ends_on
    )
    db.session.add(row)
    db.session.flush()
    return row


def _submitted(setup, person=None):
    application = setup.draft(person=person)
    services.submit_application(person or setup.employee, application, now=INSIDE)
    return application


def _qualify(setup, person):
    person.joined_on = date(2005, 4, 1)
    add_language_score(
        setup.hr, person, test=LanguageTest.IELTS.value, score="7.5", taken_on=date(2025, 9, 1)
    )


def _visible(db, user) -> set[int]:
    return set(db.session.scalars(services.visible_to(user).with_only_columns(Application.id)))


# ---------------------------------------------------------------- who may be named


def test_a_partner_city_coordinator_is_never_a_deputy(db, setup):
    fields = _refusal(setup.manager, setup.coordinator)
    assert "partner-city account" in fields["deputy"][0]
    hr_fields = _refusal(setup.hr, setup.coordinator)
    assert "partner-city account" in hr_fields["deputy"][0]
    # an employee account bound to a partner city is no TMG staff either
    bound = factories.user(["employee", "hr"], department=setup.department)
    bound.city_id = setup.seoul.id
    assert "partner-city account" in _refusal(setup.manager, bound)["deputy"][0]
    assert db.session.scalar(sa.select(sa.func.count(Delegation.id))) == 0


def test_a_deputy_holds_the_employee_role_and_is_active(db, setup):
    assert "employee role" in _refusal(setup.hr, factories.user(["hr"]))["deputy"][0]
    gone = factories.user(["employee"], department=setup.department)
    gone.active = False
    assert "active user" in _refusal(setup.manager, gone)["deputy"][0]
    assert "active user" in _refusal(setup.manager, None)["deputy"][0]
    assert "own deputy" in _refusal(setup.manager, setup.manager)["deputy"][0]


def test_a_managers_deputy_works_in_a_department_they_head_or_is_a_manager(db, setup):
    fields = _refusal(setup.manager, setup.colleague)  # an employee of another department
    assert "departments the manager heads" in fields["deputy"][0]
    _name(setup.manager, factories.user(["employee"], department=setup.department))
    _name(setup.other_manager, setup.manager)  # a manager of another department


def test_an_hr_officers_deputy_holds_the_hr_role(db, setup):
    assert "HR role" in _refusal(setup.hr, setup.employee)["deputy"][0]
    assert "HR role" in _refusal(setup.hr, setup.manager)["deputy"][0]
    _name(setup.hr, factories.user(["hr", "employee"]))


def test_only_managers_and_hr_officers_name_deputies(db, setup):
    with pytest.raises(NotAllowed):
        _name(setup.employee, setup.colleague)


def test_a_period_does_not_start_in_the_past(db, setup):
    deputy = factories.user(["employee"], department=setup.department)
    fields = _refusal(setup.manager, deputy, starts_on=tokyo_today() - timedelta(days=1))
    assert "past" in fields["starts_on"][0]
    fields = _refusal(setup.manager, deputy, ends_on=tokyo_today() - timedelta(days=1))
    assert "before the start" in fields["ends_on"][0]


def test_periods_of_one_principal_never_overlap(db, setup):
    today = tokyo_today()
    first = factories.user(["employee"], department=setup.department)
    second = factories.user(["employee"], department=setup.department)
    _name(setup.manager, first, starts_on=today + timedelta(days=10), ends_on=today + timedelta(20))
    with pytest.raises(Conflict) as refused:
        _name(setup.manager, second, starts_on=today, ends_on=today + timedelta(days=10))
    assert first.email in refused.value.message and "starts_on" in refused.value.fields
    # next to it is fine, and another principal's periods are theirs
    _name(setup.manager, second, starts_on=today, ends_on=today + timedelta(days=9))
    _name(setup.other_manager, setup.manager, starts_on=today, ends_on=today + timedelta(30))


def test_an_ended_delegation_no_longer_blocks_a_new_period(db, setup):
    deputy = factories.user(["employee"], department=setup.department)
    delegation = _name(setup.manager, deputy)
    delegations.end_delegation(setup.manager, delegation)
    _name(setup.manager, setup.other_manager)


# ---------------------------------------------------------------- defence in depth


def test_a_coordinator_row_inserted_directly_gives_no_tmg_scope(db, setup):
    """The leak of the issue: the Seoul coordinator as deputy of the manager and of HR."""
    _insert(setup.manager, setup.coordinator)
    _insert(setup.hr, setup.coordinator)
    submitted = _submitted(setup)
    assert _visible(db, setup.coordinator) == set()
    assert delegations.endorsing_department_ids(setup.coordinator) == set()
    assert delegations.principals_of(setup.coordinator) == []
    assert services.acts_as_hr(setup.coordinator) is None
    with pytest.raises(NotAllowed):
        services.endorse_application(setup.coordinator, submitted)
    assert submitted.status.value == "submitted"


def test_a_deputy_who_is_no_longer_eligible_loses_the_powers_at_once(db, setup):
    deputy = factories.user(["employee"], department=setup.department)
    _name(setup.manager, deputy)
    application = _submitted(setup)
    assert application.id in _visible(db, deputy)
    deputy.department_id = setup.other_department.id  # moved to another department
    db.session.flush()
    assert _visible(db, deputy) == set()
    with pytest.raises(NotAllowed):
        services.endorse_application(deputy, application)
    deputy.department_id = setup.department.id
    deputy.active = False  # or left the TMG
    assert _visible(db, deputy) == set()


def test_a_non_hr_deputy_of_hr_gets_no_hr_powers(db, setup):
    """Before, any deputy of an HR officer read every application and approved them."""
    deputy = factories.user(["employee"], department=setup.other_department)
    _insert(setup.hr, deputy)
    application = setup.endorsed()
    assert application.id not in _visible(db, deputy)
    with pytest.raises(NotAllowed):
        services.reject_application(deputy, application, comment="x")
    with pytest.raises(NotAllowed):
        services.approve_application(
            deputy,
            application,
            city=setup.seoul,
            start_on=date(2026, 10, 1),
            end_on=date(2027, 3, 31),
            amount_jpy=100_000,
        )


def test_nobody_acts_on_their_own_application_through_a_delegation(db, setup):
    deputy = factories.user(["employee"], department=setup.department, joined_on=date(2005, 4, 1))
    _qualify(setup, deputy)
    _qualify(setup, setup.manager)
    own = _submitted(setup, person=deputy)
    principals = _submitted(setup, person=setup.manager)
    _name(setup.manager, deputy)
    with pytest.raises(NotAllowed):
        services.endorse_application(deputy, own)
    with pytest.raises(NotAllowed):
        services.decline_application(deputy, own, comment="x")
    # nor on the principal's: the deputy neither reads nor endorses the manager's application
    assert principals.id not in _visible(db, deputy)
    with pytest.raises(NotAllowed):
        services.endorse_application(deputy, principals)


def test_an_hr_deputy_deciding_the_principals_own_application_acts_for_nobody(db, setup):
    _qualify(setup, setup.hr)
    deputy = factories.user(["hr", "employee"])
    _name(setup.hr, deputy)
    own = _submitted(setup, person=setup.hr)
    own.status = services.A.ENDORSED  # HR's department has no manager in this setup
    services.reject_application(deputy, own, comment="定員超過")
    assert "on_behalf_of" not in (services.MACHINE.history(own)[-1].changes or {})


# ---------------------------------------------------------------- deputy "for" principal


def test_a_deputys_approval_names_the_deputy_for_the_principal_everywhere(db, setup):
    deputy = factories.user(["hr", "employee"])
    _name(setup.hr, deputy)
    application = setup.endorsed()
    services.approve_application(
        deputy,
        application,
        city=setup.seoul,
        start_on=date(2026, 10, 1),
        end_on=date(2027, 3, 31),
        amount_jpy=500_000,
    )
    event = services.MACHINE.history(application)[-1]
    assert (event.actor_id, event.changes["on_behalf_of"]) == (deputy.id, setup.hr.email)
    placement = db.session.get(Placement, application.placement_id)
    assert placement.created_by_id == deputy.id  # not the absent officer
    created = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "placements.create", AuditEvent.object_id == str(placement.id)
        )
    )
    assert created.actor_id == deputy.id and created.changes["on_behalf_of"] == setup.hr.email
    entry = db.session.scalar(
        sa.select(LedgerEntry).where(LedgerEntry.placement_id == placement.id)
    )
    assert entry.created_by_id == deputy.id and f"for {setup.hr.email}" in entry.memo
    posted = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "fund.commitment", AuditEvent.object_id == str(entry.id)
        )
    )
    assert posted.actor_id == deputy.id and setup.hr.email in posted.comment


def test_an_officers_own_approval_names_nobody_else(db, setup):
    application = setup.endorsed()
    services.approve_application(
        setup.hr,
        application,
        city=setup.seoul,
        start_on=date(2026, 10, 1),
        end_on=date(2027, 3, 31),
        amount_jpy=500_000,
    )
    assert "on_behalf_of" not in (services.MACHINE.history(application)[-1].changes or {})
    entry = db.session.scalar(sa.select(LedgerEntry).where(LedgerEntry.kind == "commitment"))
    assert "for " not in entry.memo


# ---------------------------------------------------------------- ending early, listing


def test_the_principal_ends_early_and_the_powers_end_at_once(db, setup):
    deputy = factories.user(["employee"], department=setup.department)
    delegation = _name(setup.manager, deputy)
    application = _submitted(setup)
    assert application.id in _visible(db, deputy)
    with pytest.raises(NotAllowed):
        delegations.end_delegation(deputy, delegation)  # the deputy does not end it
    delegations.end_delegation(setup.manager, delegation, comment="戻りました")
    assert delegation.ended_at is not None and delegation.ended_by_id == setup.manager.id
    assert _visible(db, deputy) == set()
    with pytest.raises(NotAllowed):
        services.endorse_application(deputy, application)
    with pytest.raises(InvalidTransition):
        delegations.end_delegation(setup.manager, delegation)
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.object_type == "delegations").order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.actor_id) for e in events] == [
        ("delegations.create", setup.manager.id),
        ("delegations.end", setup.manager.id),
    ]
    assert events[1].comment == "戻りました" and events[1].to_state == "ended"


def test_hr_ends_anyones_delegation_and_a_future_one_is_cancelled(db, setup):
    today = tokyo_today()
    later = _name(
        setup.manager,
        setup.other_manager,
        starts_on=today + timedelta(5),
        ends_on=today + timedelta(9),
    )
    assert delegations.state_of(later).value == "future"
    delegations.end_delegation(setup.hr, later)
    assert delegations.state_of(later).value == "ended"


def test_hr_and_auditors_see_all_delegations_others_their_own(db, setup):
    today = tokyo_today()
    staff = factories.user(["employee"], department=setup.department)
    mine = _name(setup.manager, staff)
    theirs = _name(setup.other_manager, setup.manager, starts_on=today + timedelta(3))
    ended = _insert(setup.hr, factories.user(["hr", "employee"]), ends_on=date(2021, 1, 1))

    def ids(user, **filters):
        stmt = delegations.filtered_delegations(user, **filters)
        return {d.id for d in db.session.scalars(stmt)}

    assert ids(setup.hr) == ids(setup.auditor) == {mine.id, theirs.id, ended.id}
    assert ids(setup.manager) == {mine.id, theirs.id}  # as principal and as deputy
    assert ids(staff) == {mine.id}
    assert ids(setup.colleague) == set()
    assert ids(setup.hr, state="active") == {mine.id}
    assert ids(setup.hr, state="future") == {theirs.id}
    assert ids(setup.hr, state="ended") == {ended.id}
    assert ids(setup.hr, principal=setup.other_manager.email) == {theirs.id}
    assert ids(setup.hr, deputy=str(staff.id)) == {mine.id}
    with pytest.raises(ValidationFailed):
        ids(setup.hr, state="someday")
