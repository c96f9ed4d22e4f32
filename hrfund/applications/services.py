"""Application rules: scope, the workflow, eligibility at submit, approval into a placement.

The workflow of DESIGN.md is declared once in ``MACHINE``. Approval is one transaction: the
application is claimed with a conditional UPDATE (two HR officers approving at once: one wins,
the other gets 409), the outgoing placement is created and its amount committed from the
fund's ``outgoing`` line — if the fund cannot cover it, nothing at all changes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from hrfund.applications.calls import window_is_open
from hrfund.applications.delegations import (  # create_delegation: one door
    acts_as_hr,
    create_delegation,
    delegated_departments,
    endorsing_capacity,
    hr_principal_for,
)
from hrfund.applications.drafting import (  # the module's one door
    MAX_BUDGET_ITEM,
    MAX_PREFERENCES,
    add_attachment,
    create_application,
    update_application,
)
from hrfund.applications.models import (
    UNDECIDED,
    Application,
    ApplicationStatus,
)
from hrfund.applications.scope import (  # the module's one door
    CALL_NAME_COLUMNS,
    filtered,
    get_application_or_404,
    hr_or_deputy,
    is_owner,
    list_loads,
    live_application,
    live_application_states,
    manages_applicant,
    visible_to,
)
from hrfund.auth.models import User
from hrfund.core.actor import Actor
from hrfund.core.db import utcnow
from hrfund.core.errors import (
    InsufficientFunds,
    InvalidTransition,
    ValidationFailed,
)
from hrfund.core.fiscal import fiscal_year_of, tokyo_today
from hrfund.core.statemachine import StateMachine, Transition
from hrfund.extensions import db
from hrfund.fund import services as fund
from hrfund.fund.models import Category
from hrfund.org.models import PartnerCity
from hrfund.placements.services import create_outgoing_placement
from hrfund.training.eligibility import eligibility

#: Re-exported from the module's other files: callers have one door to its rules.
__all__ = [
    "acts_as_hr",
    "create_delegation",
    "delegated_departments",
    "endorsing_capacity",
    "hr_principal_for",
    "MAX_BUDGET_ITEM",
    "MAX_PREFERENCES",
    "add_attachment",
    "create_application",
    "update_application",
    "filtered",
    "get_application_or_404",
    "hr_or_deputy",
    "is_owner",
    "CALL_NAME_COLUMNS",
    "list_loads",
    "live_application",
    "live_application_states",
    "manages_applicant",
    "visible_to",
]

A = ApplicationStatus


MACHINE = StateMachine(
    "applications",
    [
        Transition("submit", {A.DRAFT, A.RETURNED}, A.SUBMITTED, who=is_owner, label=_l("Submit")),
        Transition(
            "endorse", {A.SUBMITTED}, A.ENDORSED, who=manages_applicant, label=_l("Endorse")
        ),
        Transition(
            "decline",
            {A.SUBMITTED},
            A.DECLINED_BY_MANAGER,
            who=manages_applicant,
            label=_l("Decline"),
            needs_comment=True,
        ),
        Transition(
            "return",
            {A.ENDORSED},
            A.RETURNED,
            who=hr_or_deputy,
            label=_l("Return for changes"),
            needs_comment=True,
        ),
        Transition("approve", {A.ENDORSED}, A.APPROVED, who=hr_or_deputy, label=_l("Approve")),
        Transition(
            "reject",
            {A.ENDORSED},
            A.REJECTED,
            who=hr_or_deputy,
            label=_l("Reject"),
            needs_comment=True,
        ),
        Transition("withdraw", set(UNDECIDED), A.WITHDRAWN, who=is_owner, label=_l("Withdraw")),
    ],
)


def _on_behalf(actor: Actor, application: Application, action: str) -> User | None:
    """The principal a deputy acts for (recorded in the history), or None."""
    if action in ("endorse", "decline"):
        return endorsing_capacity(actor, application.applicant)[1]
    if action in ("return", "approve", "reject"):
        return hr_principal_for(actor, application.applicant)
    return None


# ---------------------------------------------------------------- transitions


def submit_application(
    actor: Actor, application: Application, *, now: datetime | None = None
) -> Application:
    """Submit inside the call's window, if the applicant meets every rule of the call."""
    call = application.call
    if not window_is_open(call, now):
        raise InvalidTransition(
            str(
                _l(
                    "The call is not open for applications now: its window "
                    "closes at 23:59:59 Tokyo time on the closing day."
                )
            )
        )
    missing: dict[str, list[str]] = {}
    if not application.preferences:
        missing["preferences"] = [str(_l("Name at least one city."))]
    if not application.statement:
        missing["statement"] = [str(_l("Write your statement."))]
    if not application.start_on or not application.end_on:
        missing["start_on"] = [str(_l("Propose your dates."))]
    if missing:
        raise ValidationFailed(str(_l("The application is not complete.")), fields=missing)
    result = eligibility(application.applicant, call.rules, on=tokyo_today())
    if not result.eligible:
        raise InvalidTransition(
            " ".join([str(_l("You do not meet the call's rules:")), *result.reasons])
        )
    MACHINE.apply(application, "submit", actor, values={"submitted_at": utcnow()})
    return application


def _act(
    actor: Actor,
    application: Application,
    action: str,
    comment: str | None = None,
    **kw: Any,
) -> Application:
    MACHINE.apply(
        application,
        action,
        actor,
        comment=comment,
        on_behalf_of=_on_behalf(actor, application, action),
        **kw,
    )
    return application


def endorse_application(
    actor: Actor, application: Application, *, comment: str | None = None
) -> Application:
    return _act(actor, application, "endorse", comment)


def decline_application(
    actor: Actor, application: Application, *, comment: str | None = None
) -> Application:
    return _act(actor, application, "decline", comment)


def return_application(
    actor: Actor, application: Application, *, comment: str | None = None
) -> Application:
    return _act(actor, application, "return", comment)


def reject_application(
    actor: Actor, application: Application, *, comment: str | None = None
) -> Application:
    return _act(actor, application, "reject", comment, values={"decided_at": utcnow()})


def withdraw_application(
    actor: Actor, application: Application, *, comment: str | None = None
) -> Application:
    return _act(actor, application, "withdraw", comment)


def line_available(fiscal_year: int) -> int:
    """What the fiscal year's ``outgoing`` line has available now."""
    return fund.summary(fiscal_year).lines[Category.OUTGOING].available


def approval_city(application: Application, code: str | None) -> PartnerCity | None:
    """The city an approval names by ``code`` (any case): one of the call's slots, else None
    (which :func:`approve_application` refuses with the call's cities)."""
    wanted = (code or "").strip().upper()
    return next((s.city for s in application.call.slots if s.city.code == wanted), None)


def approve_application(
    actor: Actor,
    application: Application,
    *,
    city: PartnerCity | None,
    start_on: date,
    end_on: date,
    amount_jpy: int | None,
    comment: str | None = None,
) -> Application:
    """Approve: in one transaction, the application is claimed, the placement created and
    ``amount_jpy`` committed from the outgoing line; if the fund is short nothing changes."""
    if not MACHINE.can(application, "approve", actor):
        MACHINE.apply(application, "approve", actor)  # raises the precise refusal
    slot_codes = {s.city.code for s in application.call.slots}
    if city is None or city.code not in slot_codes:
        message = str(
            _l("Choose one of the call's cities: %(codes)s.", codes=", ".join(sorted(slot_codes)))
        )
        raise ValidationFailed(message, fields={"city": [message]})
    # the deputy approves and is named on the placement and the commitment, "for" the principal
    principal = _on_behalf(actor, application, "approve")
    _act(actor, application, "approve", comment, values={"decided_at": utcnow()})
    try:
        placement = create_outgoing_placement(
            actor,
            on_behalf_of=principal,
            person=application.applicant,
            city=city,
            start_on=start_on,
            end_on=end_on,
            amount_jpy=amount_jpy,
            purpose=application.call.title,
            application_id=application.id,
        )
    except InsufficientFunds:
        fy = fiscal_year_of(start_on) if isinstance(start_on, date) else None
        available = line_available(fy) if fy else 0
        raise InsufficientFunds(
            str(
                _l(
                    "The outgoing line of FY%(year)d has only ¥%(available)s available; "
                    "this approval needs ¥%(amount)s. Nothing was changed.",
                    year=fy,
                    available=f"{available:,}",
                    amount=f"{amount_jpy:,}",
                )
            )
        ) from None
    application.placement_id = placement.id
    db.session.flush()
    return application


ACTIONS: dict[str, Callable[..., Application]] = {
    "submit": submit_application,
    "endorse": endorse_application,
    "decline": decline_application,
    "return": return_application,
    "reject": reject_application,
    "withdraw": withdraw_application,
}
