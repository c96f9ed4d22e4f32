"""Placement rules: who sees what, the workflow, and the fund postings that go with it.

The transitions are declared once in ``MACHINE``; decline and cancel release the placement's
open commitment, completion releases what was not spent — through the fund's services, in the
same transaction. Every transition claims the placement's row first (see ``StateMachine``),
so a loser changes nothing; the fund is told how a placement stands (``_standing``) to refuse
payments to a declined or cancelled one. Nominations, milestones, reports and agreements
live in ``nominations``, ``milestones`` and ``agreements``.
"""

from __future__ import annotations

import logging
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hrfund.auth.models import Role, User
from hrfund.auth.services import user_search
from hrfund.core import signals
from hrfund.core.actor import Actor
from hrfund.core.audit import record_event
from hrfund.core.db import utcnow
from hrfund.core.errors import NotAllowed, ValidationFailed
from hrfund.core.fiscal import fiscal_year_of
from hrfund.core.lookup import visible_or_404
from hrfund.core.statemachine import StateMachine, Transition
from hrfund.core.yen import read_yen
from hrfund.extensions import db
from hrfund.fund import services as fund
from hrfund.fund.memos import system_memo
from hrfund.fund.placement_state import Standing
from hrfund.org.models import PartnerCity
from hrfund.placements import date_rules
from hrfund.placements.booking import (  # re-exported
    LIVE,
    ensure_not_double_booked,
)
from hrfund.placements.milestones import create_milestones
from hrfund.placements.models import Direction, Placement, PlacementStatus

#: Re-exported from the module's other files: callers have one door to its rules.
__all__ = [
    "LIVE",
    "ensure_not_double_booked",
]

log = logging.getLogger(__name__)
S = PlacementStatus


def is_hr(actor: Actor, _placement: Placement | None = None) -> bool:
    return actor.has_role(Role.HR)


def is_city_coordinator(actor: Actor, placement: Placement) -> bool:
    return actor.has_role(Role.COORDINATOR) and actor.city_id == placement.city_id


def is_host(actor: Actor, placement: Placement) -> bool:
    """The host side confirms: the city's coordinator (outgoing) or HR (incoming)."""
    if placement.direction == Direction.OUTGOING:
        return is_city_coordinator(actor, placement)
    return is_hr(actor)


def hr_or_host(actor: Actor, placement: Placement) -> bool:
    return is_hr(actor) or is_host(actor, placement)


MACHINE = StateMachine(
    "placements",
    [
        Transition("confirm", {S.PROPOSED}, S.CONFIRMED, who=is_host, label=_l("Confirm")),
        Transition(
            "decline",
            {S.PROPOSED},
            S.DECLINED,
            who=is_host,
            label=_l("Decline"),
            needs_comment=True,
        ),
        Transition("start", {S.CONFIRMED}, S.ACTIVE, who=hr_or_host, label=_l("Confirm arrival")),
        Transition("complete", {S.ACTIVE}, S.COMPLETED, who=is_hr, label=_l("Mark completed")),
        Transition(
            "cancel",
            {S.PROPOSED, S.CONFIRMED, S.ACTIVE},
            S.CANCELLED,
            who=is_hr,
            label=_l("Cancel placement"),
            needs_comment=True,
        ),
    ],
)


def _standing(placement_id: int) -> Standing | None:
    """For the fund: lock the placement's row and say how it stands (payments, reversals)."""
    status = db.session.scalar(
        sa.select(Placement.status).where(Placement.id == placement_id).with_for_update()
    )
    if status is None:
        return None
    if status == S.COMPLETED:
        return Standing.COMPLETED
    return Standing.ENDED if status in (S.DECLINED, S.CANCELLED) else Standing.OPEN


fund.tell_placement_standing(_standing)


# ---------------------------------------------------------------- scope


def visible_to(user: User) -> sa.Select[Placement]:
    """The placements ``user`` may see: HR and auditors all; a coordinator their city's; a
    manager their departments' staff; an employee their own."""
    stmt = sa.select(Placement)
    if user.has_role(Role.HR, Role.AUDITOR):
        return stmt
    conditions = []
    if user.has_role(Role.COORDINATOR) and user.city_id:
        conditions.append(Placement.city_id == user.city_id)
    if user.has_role(Role.MANAGER) and user.managed_departments:
        staff = sa.select(User.id).where(
            User.department_id.in_([d.id for d in user.managed_departments])
        )
        conditions.append(Placement.person_id.in_(staff))
    conditions.append(Placement.person_id == user.id)
    return stmt.where(sa.or_(*conditions))


def get_placement_or_404(placement_id: int | str, user: User) -> Placement:
    """One placement, if it exists and ``user`` may see it (else NotFound: no leak)."""
    return visible_or_404(visible_to(user), Placement.id, placement_id, _l("No such placement."))


def filtered(
    user: User,
    *,
    direction: str | None = None,
    status: str | None = None,
    city: str | None = None,
    department: str | None = None,
    starts_after: date | None = None,
    starts_before: date | None = None,
    q: str | None = None,
) -> sa.Select[Placement]:
    """``visible_to`` with the list filters; bad filter values are a ValidationFailed."""
    stmt = visible_to(user)
    errors: dict[str, list[str]] = {}
    if direction:
        if direction not in {d.value for d in Direction}:
            errors["direction"] = [str(_l("Use outgoing or incoming."))]
        stmt = stmt.where(Placement.direction == direction)
    if status:
        if status not in {s.value for s in PlacementStatus}:
            errors["status"] = [str(_l("Unknown status."))]
        stmt = stmt.where(Placement.status == status)
    if city:
        stmt = stmt.join(PartnerCity, PartnerCity.id == Placement.city_id).where(
            PartnerCity.code == city.upper()
        )
    if department:
        from hrfund.org.models import Department

        dept_ids = sa.select(Department.id).where(Department.code == department)
        staff = sa.select(User.id).where(User.department_id.in_(dept_ids))
        stmt = stmt.where(
            sa.or_(Placement.person_id.in_(staff), Placement.host_department_id.in_(dept_ids))
        )
    if starts_after:
        stmt = stmt.where(Placement.start_on >= starts_after)
    if starts_before:
        stmt = stmt.where(Placement.start_on <= starts_before)
    if q:
        people = sa.select(User.id).where(user_search(q))
        guest = Placement.guest_name.icontains(q.strip(), autoescape=True)
        stmt = stmt.where(sa.or_(Placement.person_id.in_(people), guest))
    if errors:
        raise ValidationFailed(str(_l("Check the filters.")), fields=errors)
    return stmt.order_by(Placement.start_on.desc(), Placement.id.desc())


# ---------------------------------------------------------------- creation


def _check_period(start_on: object, end_on: object) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not isinstance(start_on, date):
        errors["start_on"] = [str(_l("Enter a date as YYYY-MM-DD."))]
    if not isinstance(end_on, date):
        errors["end_on"] = [str(_l("Enter a date as YYYY-MM-DD."))]
    if not errors and isinstance(start_on, date) and isinstance(end_on, date) and end_on < start_on:
        errors["end_on"] = [str(_l("The end must not be before the start."))]
    return errors


def _check_amount(amount_jpy: object) -> int:
    amount = read_yen(amount_jpy, "amount_jpy")
    assert amount is not None  # read_yen answers None only with allow_empty
    return amount


def check_outgoing_placement(
    actor: Actor,
    *,
    person: User | None,
    city: PartnerCity | None,
    start_on: date,
    end_on: date,
    amount_jpy: object,
) -> int:
    """The checks of :func:`create_outgoing_placement`, changing nothing (a view runs them with
    its form's): the amount in yen, or every field's error at once; then a double booking."""
    if not actor.has_role(Role.HR):
        raise NotAllowed(str(_l("Only HR places staff.")))
    errors = _check_period(start_on, end_on)
    if person is None or not person.has_role(Role.EMPLOYEE):
        errors["person"] = [str(_l("Choose a TMG employee."))]
    if city is None or not city.active:
        errors["city"] = [str(_l("Choose an active partner city."))]
    amount = 0
    try:
        amount = _check_amount(amount_jpy)
    except ValidationFailed as error:  # reported with the other fields, not after them
        errors |= error.fields
    if errors or person is None:
        raise ValidationFailed(str(_l("The placement could not be saved.")), fields=errors)
    ensure_not_double_booked(start_on=start_on, end_on=end_on, person_id=person.id)
    return amount


def create_outgoing_placement(
    actor: Actor,
    *,
    person: User,
    city: PartnerCity,
    start_on: date,
    end_on: date,
    amount_jpy: int | None,
    purpose: str = "",
    application_id: int | None = None,
    on_behalf_of: User | None = None,
) -> Placement:
    """Place a TMG employee at a partner city (proposed, awaiting the city's coordinator) and
    commit ``amount_jpy`` from the start's fiscal year's ``outgoing`` line. A deputy is
    ``actor`` (named on the placement and the commitment), ``on_behalf_of`` their principal."""
    amount_jpy = check_outgoing_placement(
        actor, person=person, city=city, start_on=start_on, end_on=end_on, amount_jpy=amount_jpy
    )
    placement = Placement(
        direction=Direction.OUTGOING,
        status=S.PROPOSED,
        city=city,
        person=person,
        start_on=start_on,
        end_on=end_on,
        fiscal_year=fiscal_year_of(start_on),
        purpose=(purpose or "").strip(),
        application_id=application_id,
        created_by_id=actor.id,
    )
    db.session.add(placement)
    db.session.flush()
    fund.commit_for_placement(
        actor,
        placement.id,
        placement.fiscal_year,
        "outgoing",
        amount_jpy,
        memo=system_memo("commitment", placement=placement.id)
        if on_behalf_of is None
        else system_memo("commitment_for", placement=placement.id, email=on_behalf_of.email),
    )
    create_milestones(placement)
    record_event(
        actor,
        "placements.create",
        placement,
        to_state=S.PROPOSED.value,
        changes={
            "direction": "outgoing",
            "person": person.email,
            "city": city.code,
            "start_on": start_on,
            "end_on": end_on,
            "amount_jpy": amount_jpy,
        }
        | ({"on_behalf_of": on_behalf_of.email} if on_behalf_of is not None else {}),
    )
    signals.placement_created.send(placement, actor=actor)
    return placement


# ---------------------------------------------------------------- transitions


def confirm_placement(
    actor: Actor,
    placement: Placement,
    *,
    host_office: str = "",
    host_supervisor: str = "",
    comment: str | None = None,
    on_behalf_of: Actor | None = None,
) -> Placement:
    """The host confirms: host office and supervisor recorded."""
    host_office, host_supervisor = (host_office or "").strip(), (host_supervisor or "").strip()
    if placement.direction == Direction.OUTGOING and not host_office:
        message = str(_l("Name the office that hosts the employee."))
        raise ValidationFailed(message, fields={"host_office": [message]})
    if len(host_office) > 200 or len(host_supervisor) > 200:
        raise ValidationFailed(str(_l("Use at most 200 characters.")))
    MACHINE.apply(
        placement,
        "confirm",
        actor,
        comment=comment,
        on_behalf_of=on_behalf_of,
        changes={"host_office": host_office, "host_supervisor": host_supervisor},
        values={
            "host_office": host_office or placement.host_office,
            "host_supervisor": host_supervisor or placement.host_supervisor,
            "confirmed_at": utcnow(),
        },
    )
    return placement


def _give_back_commitment(actor: Actor, placement: Placement, ending: str) -> None:
    """A placement that ends (declined, completed, cancelled) gives its line back what it
    committed and did not spend; the memo says how it ended."""
    fund.release_open_commitment(
        actor, placement.id, memo=system_memo(ending, placement=placement.id)
    )


def decline_placement(actor: Actor, placement: Placement, *, comment: str) -> Placement:
    """The host declines; the open commitment goes back to the line."""
    MACHINE.apply(placement, "decline", actor, comment=comment)
    _give_back_commitment(actor, placement, "declined")
    return placement


def start_placement(
    actor: Actor,
    placement: Placement,
    *,
    arrived_on: date | None = None,
    comment: str | None = None,
) -> Placement:
    """Arrival confirmed: the placement is active and its arrival milestone done."""
    from hrfund.placements.milestones import mark_done
    from hrfund.placements.models import MilestoneKind

    errors = date_rules.check_arrival(placement, arrived_on)
    if errors:
        raise ValidationFailed(errors["arrived_on"][0], fields=errors)
    MACHINE.apply(placement, "start", actor, comment=comment)
    placement.arrived_on = arrived_on or placement.start_on
    mark_done(actor, placement, MilestoneKind.ARRIVAL)
    return placement


def complete_placement(
    actor: Actor, placement: Placement, *, comment: str | None = None, confirm_early: bool = False
) -> Placement:
    """The placement ended; what was committed and not spent goes back to the line. Before its
    end date only with ``confirm_early``, and the history records that it ended early."""
    record = date_rules.completion_record(placement, confirm_early=confirm_early)
    MACHINE.apply(placement, "complete", actor, comment=comment, changes=record or None)
    _give_back_commitment(actor, placement, "completed")
    return placement


def cancel_placement(actor: Actor, placement: Placement, *, comment: str) -> Placement:
    """HR cancels; the open commitment goes back to the line."""
    MACHINE.apply(placement, "cancel", actor, comment=comment)
    _give_back_commitment(actor, placement, "cancelled")
    return placement


ACTIONS = {
    "confirm": confirm_placement,
    "decline": decline_placement,
    "start": start_placement,
    "complete": complete_placement,
    "cancel": cancel_placement,
}
