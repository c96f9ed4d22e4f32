"""Deputies: a manager or HR officer away names someone who acts on their queue meanwhile.

The one place of the delegation rules. Who may be named (``deputy_fault``) is checked when a
delegation is created AND every time a delegated power is evaluated (``principals_of``): a row
whose deputy is not, or no longer, eligible grants nothing, so a bad row cannot leak either.
"""

from __future__ import annotations

import enum
import logging
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hrfund.applications.models import Delegation
from hrfund.auth.models import Role, User
from hrfund.core import signals
from hrfund.core.audit import record_event
from hrfund.core.db import rows_changed, utcnow
from hrfund.core.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from hrfund.core.fiscal import tokyo_today
from hrfund.core.lookup import visible_or_404
from hrfund.extensions import db

log = logging.getLogger(__name__)

#: The powers a delegation can pass on, by the principal's role.
POWERS = (Role.MANAGER, Role.HR)


class DelegationState(enum.StrEnum):
    ACTIVE = "active"
    FUTURE = "future"
    ENDED = "ended"

    @property
    def label(self):
        return {
            "active": _l("in force"),
            "future": _l("planned"),
            "ended": _l("ended"),
        }[self.value]


# ---------------------------------------------------------------- who may be a deputy


def is_tmg_staff(user: User | None) -> bool:
    """An active TMG employee: never a partner-city account."""
    return bool(
        user is not None
        and user.active
        and user.has_role(Role.EMPLOYEE)
        and not user.has_role(Role.COORDINATOR)
        and user.city_id is None
    )


def _managed_ids(user: User) -> set[int]:
    return {d.id for d in user.managed_departments} if user.has_role(Role.MANAGER) else set()


def may_stand_in(principal: User, deputy: User, power: Role) -> bool:
    """Whether ``deputy`` may use ``principal``'s ``power`` (manager or hr) at all."""
    if not is_tmg_staff(deputy) or deputy.id == principal.id or not principal.has_role(power):
        return False
    if power == Role.MANAGER:
        return deputy.department_id in _managed_ids(principal) or deputy.has_role(Role.MANAGER)
    return deputy.has_role(Role.HR)


def deputy_fault(principal: User, deputy: User | None) -> str | None:
    """The rule ``deputy`` breaks as ``principal``'s deputy (a sentence), or None."""
    if deputy is None or not deputy.active:
        return str(_l("Name an active user by e-mail address."))
    if deputy.id == principal.id:
        return str(_l("You cannot be your own deputy."))
    if deputy.has_role(Role.COORDINATOR) or deputy.city_id is not None:
        return str(
            _l("A deputy must be TMG staff: a partner-city account cannot stand in for you.")
        )
    if not deputy.has_role(Role.EMPLOYEE):
        return str(_l("A deputy must be TMG staff: this account does not hold the employee role."))
    if principal.has_role(Role.MANAGER) and not may_stand_in(principal, deputy, Role.MANAGER):
        return str(
            _l(
                "A manager's deputy works in one of the departments the manager heads, "
                "or is a manager."
            )
        )
    if principal.has_role(Role.HR) and not may_stand_in(principal, deputy, Role.HR):
        return str(_l("An HR officer's deputy must hold the HR role."))
    return None


# ---------------------------------------------------------------- powers in force


def in_force(on: date):
    """The SQL condition of a delegation in force on ``on`` (not ended early)."""
    return sa.and_(
        Delegation.starts_on <= on, Delegation.ends_on >= on, Delegation.ended_at.is_(None)
    )


def principals_of(user, power: Role | None = None, on: date | None = None) -> list[User]:
    """The people ``user`` stands in for on ``on`` (today): delegations in force whose deputy
    is still eligible for ``power`` (any power when None)."""
    if user is None or not getattr(user, "id", None) or not is_tmg_staff(user):
        return []
    on = on or tokyo_today()
    principals = db.session.scalars(
        sa.select(User)
        .join(Delegation, Delegation.principal_id == User.id)
        .where(Delegation.deputy_id == user.id, in_force(on))
    ).unique()
    powers = (power,) if power else POWERS
    return [p for p in principals if any(may_stand_in(p, user, pw) for pw in powers)]


def delegated_departments(user) -> dict[User, set[int]]:
    """For each manager ``user`` stands in for: the departments they head that ``user`` does not
    head themselves (those are ``user``'s own power)."""
    own = _managed_ids(user)
    found = {}
    for principal in principals_of(user, Role.MANAGER):
        departments = _managed_ids(principal) - own
        if departments:
            found[principal] = departments
    return found


def endorsing_department_ids(user) -> set[int]:
    """Departments whose applications ``user`` endorses: their own, and their principals'."""
    ids = _managed_ids(user)
    for departments in delegated_departments(user).values():
        ids |= departments
    return ids


def endorsing_capacity(actor, applicant: User) -> tuple[bool, User | None]:
    """(may endorse ``applicant``'s application, principal acted for or None). Nobody acts on
    their own application, nor on their principal's through a delegation."""
    department_id = applicant.department_id
    if actor.id == applicant.id or department_id is None:
        return False, None
    if department_id in _managed_ids(actor):
        return True, None
    for principal, departments in delegated_departments(actor).items():
        if department_id in departments and principal.id != applicant.id:
            return True, principal
    return False, None


def acts_as_hr(user) -> User | None:
    """``user`` if they hold the HR role, else None: a delegation never gives HR powers to
    someone without the role (an HR officer's deputy must hold it)."""
    return user if user is not None and user.has_role(Role.HR) else None


def hr_principal_for(actor, applicant: User | None = None) -> User | None:
    """The HR officer ``actor`` (an HR officer) stands in for on HR decisions, recorded as
    "for" them — never on the principal's own application."""
    if acts_as_hr(actor) is None:
        return None
    return next(
        (p for p in principals_of(actor, Role.HR) if applicant is None or p.id != applicant.id),
        None,
    )


# ---------------------------------------------------------------- listing


def state_of(delegation: Delegation, on: date | None = None) -> DelegationState:
    on = on or tokyo_today()
    if delegation.ended_at is not None or delegation.ends_on < on:
        return DelegationState.ENDED
    if delegation.starts_on > on:
        return DelegationState.FUTURE
    return DelegationState.ACTIVE


def visible_delegations(user) -> sa.Select:
    """HR and auditors see every delegation; others those they give or hold."""
    stmt = sa.select(Delegation)
    if user.has_role(Role.HR, Role.AUDITOR):
        return stmt
    return stmt.where(sa.or_(Delegation.principal_id == user.id, Delegation.deputy_id == user.id))


def _person_filter(column, value: str):
    value = value.strip()
    if value.isdigit():
        return column == int(value)
    like = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    people = sa.select(User.id).where(
        sa.or_(
            User.email.ilike(f"%{like}%", escape="\\"),
            User.family_name_romaji.ilike(f"%{like}%", escape="\\"),
            User.family_name.like(f"%{like}%", escape="\\"),
        )
    )
    return column.in_(people)


def filtered_delegations(
    user, *, principal: str | None = None, deputy: str | None = None, state: str | None = None
) -> sa.Select:
    """``visible_delegations`` with the list filters; a bad state is a ValidationFailed."""
    stmt = visible_delegations(user)
    if principal:
        stmt = stmt.where(_person_filter(Delegation.principal_id, principal))
    if deputy:
        stmt = stmt.where(_person_filter(Delegation.deputy_id, deputy))
    if state:
        today = tokyo_today()
        conditions = {
            "active": in_force(today),
            "future": sa.and_(Delegation.ended_at.is_(None), Delegation.starts_on > today),
            "ended": sa.or_(Delegation.ended_at.is_not(None), Delegation.ends_on < today),
        }
        if state not in conditions:
            message = str(_l("Use active, future or ended."))
            raise ValidationFailed(str(_l("Check the filters.")), fields={"state": [message]})
        stmt = stmt.where(conditions[state])
    return stmt.order_by(Delegation.starts_on.desc(), Delegation.id.desc())


def get_delegation_or_404(delegation_id, user) -> Delegation:
    return visible_or_404(
        visible_delegations(user), Delegation.id, delegation_id, _l("No such delegation.")
    )


#: Who reads the delegations page (their own delegations; HR and auditors all of them).
READERS = (Role.EMPLOYEE, Role.MANAGER, Role.HR, Role.AUDITOR)


def can_see_delegations(user) -> bool:
    """Whether ``user`` may open the delegations page (the profile links to it)."""
    return user.has_role(*READERS)


def can_create(user) -> bool:
    return user.has_role(Role.MANAGER, Role.HR)


def may_end(user, delegation: Delegation) -> bool:
    """The principal or HR ends a delegation (the deputy does not)."""
    return delegation.principal_id == user.id or user.has_role(Role.HR)


def can_end(user, delegation: Delegation) -> bool:
    """The principal or HR, while the delegation has not ended."""
    return may_end(user, delegation) and state_of(delegation) != DelegationState.ENDED


# ---------------------------------------------------------------- changes


def check_delegation(actor, *, deputy: User | None, starts_on, ends_on) -> None:
    """The rules of a new delegation that need no lock: every broken one at once, as a
    ValidationFailed (the page runs it next to its form; creating the delegation runs it too)."""
    errors: dict[str, list[str]] = {}
    fault = deputy_fault(actor, deputy)
    if fault:
        errors["deputy"] = [fault]
    if not isinstance(starts_on, date):
        errors["starts_on"] = [str(_l("Enter a date as YYYY-MM-DD."))]
    elif starts_on < tokyo_today():
        errors["starts_on"] = [str(_l("A period cannot start in the past."))]
    if not isinstance(ends_on, date):
        errors["ends_on"] = [str(_l("Enter a date as YYYY-MM-DD."))]
    elif isinstance(starts_on, date) and ends_on < starts_on:
        errors["ends_on"] = [str(_l("The end must not be before the start."))]
    if errors:
        raise ValidationFailed(str(_l("The deputy could not be saved.")), fields=errors)


def create_delegation(actor, *, deputy: User | None, starts_on: date, ends_on: date) -> Delegation:
    """A manager or HR officer names a deputy for a period (one at a time, never in the past)."""
    if not can_create(actor):
        raise NotAllowed(str(_l("Only managers and HR officers name deputies.")))
    check_delegation(actor, deputy=deputy, starts_on=starts_on, ends_on=ends_on)
    assert deputy is not None  # check_delegation refuses a delegation to no one
    # one principal's periods never overlap: serialise their creations on the principal's row
    db.session.execute(sa.select(User.id).where(User.id == actor.id).with_for_update())
    other = db.session.scalar(
        sa.select(Delegation)
        .where(
            Delegation.principal_id == actor.id,
            Delegation.ended_at.is_(None),
            Delegation.starts_on <= ends_on,
            Delegation.ends_on >= starts_on,
        )
        .limit(1)
    )
    if other is not None:
        message = str(
            _l(
                "Your periods must not overlap: %(name)s is already your deputy "
                "from %(start)s to %(end)s.",
                name=other.deputy.email,
                start=other.starts_on.isoformat(),
                end=other.ends_on.isoformat(),
            )
        )
        raise Conflict(message, fields={"starts_on": [message]})
    delegation = Delegation(
        principal_id=actor.id, deputy_id=deputy.id, starts_on=starts_on, ends_on=ends_on
    )
    db.session.add(delegation)
    db.session.flush()
    record_event(
        actor,
        "delegations.create",
        delegation,
        changes={"deputy": deputy.email, "starts_on": starts_on, "ends_on": ends_on},
    )
    signals.delegation_created.send(delegation, actor=actor)
    log.info("delegation %s: %s → %s by %s", delegation.id, actor.email, deputy.email, actor.email)
    return delegation


def end_delegation(actor, delegation: Delegation, *, comment: str | None = None) -> Delegation:
    """The principal (or HR) ends a delegation early: the deputy's powers end at once."""
    if not may_end(actor, delegation):
        raise NotAllowed(str(_l("Only the principal or HR ends a delegation.")))
    before = state_of(delegation)
    if before == DelegationState.ENDED:
        raise InvalidTransition(str(_l("This delegation has already ended.")))
    now = utcnow()
    claimed = db.session.execute(
        sa.update(Delegation)
        .where(Delegation.id == delegation.id, Delegation.ended_at.is_(None))
        .values(ended_at=now, ended_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(claimed) != 1:
        db.session.refresh(delegation)
        raise InvalidTransition(str(_l("This delegation has already ended.")))
    db.session.refresh(delegation)
    record_event(
        actor,
        "delegations.end",
        delegation,
        from_state=before.value,
        to_state=DelegationState.ENDED.value,
        comment=(comment or "").strip() or None,
        changes={"deputy": delegation.deputy.email, "principal": delegation.principal.email},
    )
    log.info("delegation %s ended by %s", delegation.id, actor.email)
    return delegation
