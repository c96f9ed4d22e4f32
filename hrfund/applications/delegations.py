"""Deputies: a manager or HR officer away names someone who acts on their queue meanwhile."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hrfund.applications.models import Delegation
from hrfund.auth.models import Role, User
from hrfund.core import signals
from hrfund.core.audit import record_event
from hrfund.core.errors import NotAllowed, ValidationFailed
from hrfund.core.fiscal import tokyo_today
from hrfund.extensions import db


def principals_of(user, on: date | None = None) -> list[User]:
    """The people ``user`` stands in for today (delegations in force)."""
    on = on or tokyo_today()
    return list(
        db.session.scalars(
            sa.select(User)
            .join(Delegation, Delegation.principal_id == User.id)
            .where(
                Delegation.deputy_id == user.id,
                Delegation.starts_on <= on,
                Delegation.ends_on >= on,
            )
        )
    )


def endorsing_department_ids(user) -> set[int]:
    """Departments whose applications ``user`` endorses: their own, and their principals'."""
    ids = set()
    for person in [user, *principals_of(user)]:
        if person.has_role(Role.MANAGER):
            ids.update(d.id for d in person.managed_departments)
    return ids


def acts_as_hr(user) -> User | None:
    """``user`` if HR, else the HR officer they stand in for, else None."""
    if user.has_role(Role.HR):
        return user
    return next((p for p in principals_of(user) if p.has_role(Role.HR)), None)


def create_delegation(actor, *, deputy: User | None, starts_on: date, ends_on: date) -> Delegation:
    """A manager or HR officer names a deputy for a period."""
    if not actor.has_role(Role.MANAGER, Role.HR):
        raise NotAllowed(str(_l("Only managers and HR officers name deputies.")))
    errors = {}
    if deputy is None or not deputy.active:
        errors["deputy"] = [str(_l("Name an active user by e-mail address."))]
    elif deputy.id == actor.id:
        errors["deputy"] = [str(_l("You cannot be your own deputy."))]
    if not isinstance(starts_on, date) or not isinstance(ends_on, date):
        errors["starts_on"] = [str(_l("Enter a date as YYYY-MM-DD."))]
    elif ends_on < starts_on:
        errors["ends_on"] = [str(_l("The end must not be before the start."))]
    if errors:
        raise ValidationFailed(str(_l("The deputy could not be saved.")), fields=errors)
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
    return delegation
