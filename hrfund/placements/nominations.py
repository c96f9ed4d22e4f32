"""Nominations by partner cities, exchange agreements, and single-use e-mail action links."""

from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from hrfund.auth.models import Role, User
from hrfund.core import signals
from hrfund.core.actor import Actor
from hrfund.core.audit import record_event
from hrfund.core.db import utcnow
from hrfund.core.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from hrfund.core.fiscal import fiscal_year_bounds, fiscal_year_of
from hrfund.core.lookup import visible_or_404
from hrfund.core.statemachine import claim_row
from hrfund.core.texts import check_length
from hrfund.extensions import db
from hrfund.fund import services as fund
from hrfund.fund.memos import system_memo
from hrfund.org.models import Department, PartnerCity
from hrfund.placements.booking import ensure_not_double_booked
from hrfund.placements.milestones import create_milestones
from hrfund.placements.models import (
    ActionLinkUse,
    Direction,
    ExchangeAgreement,
    Nomination,
    NominationStatus,
    Placement,
    PlacementStatus,
)
from hrfund.placements.nomination_details import (
    attach_cv,
    audit_details,
    check_decide,
    check_nomination,
)
from hrfund.placements.services import _check_amount, _check_period

LINK_SALT = "placement-action-link"
LINK_MAX_AGE = 14 * 24 * 3600  # seconds


def nominations_visible_to(user) -> sa.Select:
    stmt = sa.select(Nomination).order_by(Nomination.created_at.desc(), Nomination.id.desc())
    if user.has_role(Role.HR, Role.AUDITOR):
        return stmt
    if user.has_role(Role.COORDINATOR) and user.city_id:
        return stmt.where(Nomination.city_id == user.city_id)
    return stmt.where(sa.false())


def filtered_nominations(user, *, status: str | None = None) -> sa.Select:
    """The nominations ``user`` may see, newest first; ``status``, if given, one of the states."""
    stmt = nominations_visible_to(user)
    if status:
        if status not in {s.value for s in NominationStatus}:
            raise ValidationFailed(str(_l("Unknown status.")), fields={"status": ["unknown"]})
        stmt = stmt.where(Nomination.status == status)
    return stmt


def get_nomination_or_404(nomination_id, user) -> Nomination:
    return visible_or_404(
        nominations_visible_to(user), Nomination.id, nomination_id, _l("No such nomination.")
    )


def nominate(
    actor,
    *,
    name: str,
    email: str,
    position: str,
    start_on: date,
    end_on: date,
    details: dict | None = None,
    cv: tuple | None = None,
) -> Nomination:
    """A coordinator proposes one of their city's officials to be hosted in Tokyo, with what a
    host needs (``details``, see nomination_details) and the CV (``(stream, filename)``)."""
    values, extra = check_nomination(
        actor,
        name=name,
        email=email,
        position=position,
        start_on=start_on,
        end_on=end_on,
        details=details,
    )
    nomination = Nomination(
        city_id=actor.city_id,
        start_on=start_on,
        end_on=end_on,
        nominated_by_id=actor.id,
        **values,
        **extra,
    )
    db.session.add(nomination)
    db.session.flush()
    record_event(
        actor,
        "nominations.create",
        nomination,
        to_state="pending",
        changes={
            "name": values["name"],
            "email": values["email"],
            "start_on": start_on,
            "end_on": end_on,
        }
        | audit_details(nomination),
    )
    if cv is not None:
        attach_cv(actor, nomination, *cv)
    signals.nomination_made.send(nomination, actor=actor)
    return nomination


def _decide(nomination: Nomination, status: NominationStatus) -> None:
    # A conditional UPDATE: of two HR officers deciding at once, exactly one wins.
    claim_row(
        nomination,
        Nomination.status == NominationStatus.PENDING,
        {"status": status, "decided_at": utcnow()},
        lambda: InvalidTransition(str(_l("This nomination is already decided."))),
    )


def accept_nomination(
    actor: Actor,
    nomination: Nomination,
    *,
    host_department: Department | None,
    amount_jpy: int | None,
) -> Placement:
    """HR hosts the nominee: a confirmed incoming placement, committed from ``incoming``."""
    check_decide(actor, nomination)
    if host_department is None:
        message = str(_l("Choose the TMG department that hosts the guest."))
        raise ValidationFailed(message, fields={"host_department": [message]})
    amount_jpy = _check_amount(amount_jpy)
    _decide(nomination, NominationStatus.ACCEPTED)
    ensure_not_double_booked(  # refused: the caller rolls back, the nomination stays pending
        start_on=nomination.start_on, end_on=nomination.end_on, guest_email=nomination.email
    )
    placement = Placement(
        direction=Direction.INCOMING,
        status=PlacementStatus.CONFIRMED,
        city_id=nomination.city_id,
        guest_name=nomination.name,
        guest_email=nomination.email,
        guest_position=nomination.position,
        host_department=host_department,
        start_on=nomination.start_on,
        end_on=nomination.end_on,
        fiscal_year=fiscal_year_of(nomination.start_on),
        created_by_id=actor.id,
        confirmed_at=utcnow(),
    )
    db.session.add(placement)
    db.session.flush()
    nomination.placement_id = placement.id
    fund.commit_for_placement(
        actor,
        placement.id,
        placement.fiscal_year,
        "incoming",
        amount_jpy,
        memo=system_memo("incoming_commitment", placement=placement.id),
    )
    create_milestones(placement)
    record_event(
        actor,
        "nominations.accept",
        nomination,
        from_state="pending",
        to_state="accepted",
        changes={
            "placement_id": placement.id,
            "host_department": host_department.code,
            "amount_jpy": amount_jpy,
        },
    )
    record_event(
        actor,
        "placements.create",
        placement,
        to_state="confirmed",
        changes={
            "direction": "incoming",
            "guest": nomination.name,
            "nomination_id": nomination.id,
            "amount_jpy": amount_jpy,
        },
    )
    signals.nomination_decided.send(nomination, actor=actor, comment=None)
    signals.placement_created.send(placement, actor=actor)  # an incoming one: HR is told
    return placement


def reject_nomination(actor, nomination: Nomination, *, comment: str) -> Nomination:
    check_decide(actor, nomination)
    comment = (comment or "").strip()
    if not comment:
        message = str(_l("Give a reason."))
        raise ValidationFailed(message, fields={"comment": [message]})
    _decide(nomination, NominationStatus.REJECTED)
    record_event(
        actor,
        "nominations.reject",
        nomination,
        from_state="pending",
        to_state="rejected",
        comment=comment,
    )
    signals.nomination_decided.send(nomination, actor=actor, comment=comment)
    return nomination


# ---------------------------------------------------------------- agreements and balance


def create_agreement(
    actor,
    *,
    city: PartnerCity,
    title: str,
    starts_on: date,
    ends_on: date,
    outgoing_people: int = 0,
    outgoing_person_months: int = 0,
    incoming_people: int = 0,
    incoming_person_months: int = 0,
) -> ExchangeAgreement:
    """Record an exchange agreement with yearly quotas in both directions."""
    if not actor.has_role(Role.HR):
        raise NotAllowed(str(_l("Only HR records agreements.")))
    errors = _check_period(starts_on, ends_on)
    quotas = {
        "outgoing_people": outgoing_people,
        "outgoing_person_months": outgoing_person_months,
        "incoming_people": incoming_people,
        "incoming_person_months": incoming_person_months,
    }
    for field, value in quotas.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            errors[field] = [str(_l("Enter a whole number, zero or more."))]
    title = check_length(errors, "title", title, 200)
    if not title:
        errors["title"] = [str(_l("This field is required."))]
    if errors:
        raise ValidationFailed(str(_l("The agreement could not be saved.")), fields=errors)
    agreement = ExchangeAgreement(
        city=city, title=title, starts_on=starts_on, ends_on=ends_on, **quotas
    )
    db.session.add(agreement)
    db.session.flush()
    record_event(
        actor,
        "agreements.create",
        agreement,
        changes={
            "city": city.code,
            "title": title,
            **quotas,
            "starts_on": starts_on,
            "ends_on": ends_on,
        },
    )
    return agreement


def exchange_balance(city: PartnerCity) -> list[dict]:
    """Per fiscal year: people and person-months sent and received, against the quotas."""
    counted = (
        PlacementStatus.PROPOSED,
        PlacementStatus.CONFIRMED,
        PlacementStatus.ACTIVE,
        PlacementStatus.COMPLETED,
    )
    placements = db.session.execute(
        sa.select(
            Placement.fiscal_year, Placement.direction, Placement.start_on, Placement.end_on
        ).where(Placement.city_id == city.id, Placement.status.in_(counted))
    ).all()
    agreements = db.session.scalars(
        sa.select(ExchangeAgreement).where(ExchangeAgreement.city_id == city.id)
    ).all()
    years: dict[int, dict] = defaultdict(
        lambda: {
            "outgoing_people": 0,
            "outgoing_months": 0.0,
            "incoming_people": 0,
            "incoming_months": 0.0,
            "quota": None,
        }
    )
    for fiscal_year, direction, start_on, end_on in placements:
        months = ((end_on - start_on).days + 1) / 30.4375
        row = years[fiscal_year]
        row[f"{direction.value}_people"] += 1
        row[f"{direction.value}_months"] += months
    for agreement in agreements:
        for fy in range(fiscal_year_of(agreement.starts_on), fiscal_year_of(agreement.ends_on) + 1):
            first, last = fiscal_year_bounds(fy)
            if agreement.starts_on <= last and agreement.ends_on >= first:
                years[fy]["quota"] = agreement
    return [
        {
            "fiscal_year": fy,
            **row,
            "outgoing_months": round(row["outgoing_months"], 1),
            "incoming_months": round(row["incoming_months"], 1),
        }
        for fy, row in sorted(years.items(), reverse=True)
    ]


# ---------------------------------------------------------------- e-mail action links


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=LINK_SALT)


def make_action_link_token(placement: Placement, coordinator: User) -> str:
    """A signed, expiring, single-use token for one coordinator to act on one placement."""
    return _serializer().dumps(
        {"p": placement.id, "u": coordinator.id, "j": secrets.token_urlsafe(16)}
    )


def load_action_link(token: str) -> tuple[Placement, User, str]:
    """The placement, coordinator and link id behind a token, or a clear refusal."""
    try:
        data = _serializer().loads(token, max_age=LINK_MAX_AGE)
    except SignatureExpired:
        raise NotAllowed(
            str(_l("This link has expired. Log in to act on the placement."))
        ) from None
    except BadSignature:
        raise NotFound(str(_l("This link is not valid."))) from None
    user = db.session.get(User, data.get("u"))
    placement = db.session.get(Placement, data.get("p"))
    if (
        user is None
        or placement is None
        or not user.active
        or not user.has_role(Role.COORDINATOR)  # a former coordinator's links end with the role
        or placement.direction != Direction.OUTGOING
        or user.city_id != placement.city_id
    ):
        raise NotFound(str(_l("This link is not valid.")))
    if db.session.get(ActionLinkUse, data["j"]) is not None:
        raise InvalidTransition(str(_l("This link has been used already.")))
    return placement, user, data["j"]


def use_action_link(
    token: str, action: str, *, host_office: str = "", host_supervisor: str = "", comment: str = ""
) -> Placement:
    """Confirm or decline from the e-mail link; the link can never be used again."""
    from hrfund.placements.services import confirm_placement, decline_placement

    placement, user, jti = load_action_link(token)
    if action not in ("confirm", "decline"):
        raise NotFound(str(_l("This link is not valid.")))
    try:
        with db.session.begin_nested():
            db.session.add(ActionLinkUse(jti=jti, placement_id=placement.id, action=action))
    except IntegrityError:
        raise InvalidTransition(str(_l("This link has been used already."))) from None
    if action == "confirm":
        confirm_placement(
            user,
            placement,
            host_office=host_office,
            host_supervisor=host_supervisor,
            comment=comment or "via e-mail link",
        )
    else:
        decline_placement(user, placement, comment=comment)
    return placement
