"""API routes of delegations (thin: parse, call the rules in ``delegations``, serialise)."""

from __future__ import annotations

from flask_login import current_user

from hrfund.applications import delegations as service
from hrfund.applications.api import bp
from hrfund.applications.schemas import (
    DelegationIn,
    DelegationQuery,
    DelegationSchema,
    EndDelegationIn,
)
from hrfund.auth.models import Role, User
from hrfund.auth.services import get_user_by_email
from hrfund.core.apischemas import page_of
from hrfund.core.apiutil import paged
from hrfund.core.permissions import login_required, roles_required
from hrfund.extensions import db


def _deputy(value: int | str) -> User | None:
    """The deputy named by e-mail address or id (None when nobody has it: the rule says so)."""
    if isinstance(value, int):
        return db.session.get(User, value)
    return get_user_by_email(value) if value.strip() else None


@bp.route("/delegations")
@login_required
@bp.arguments(DelegationQuery, location="query")
@bp.response(200, page_of(DelegationSchema))
def list_delegations(args):
    """Delegations the caller gives or holds (HR and auditors: all of them)"""
    stmt = service.filtered_delegations(
        current_user,
        principal=args.get("principal"),
        deputy=args.get("deputy"),
        state=args.get("state"),
    )
    return paged(stmt)


@bp.route("/delegations", methods=["POST"])
@roles_required(Role.MANAGER, Role.HR)
@bp.arguments(DelegationIn)
@bp.response(201, DelegationSchema)
def create_delegation(values):
    """Name a deputy for a period, the caller being the principal.

    400 with the rule that the deputy breaks (fields: deputy, starts_on, ends_on); 409 when it
    overlaps another delegation of the same principal.
    """
    return service.create_delegation(
        current_user,
        deputy=_deputy(values["deputy"]),
        starts_on=values["starts_on"],
        ends_on=values["ends_on"],
    )


@bp.route("/delegations/<int:delegation_id>/end", methods=["POST"])
@roles_required(Role.MANAGER, Role.HR)
@bp.arguments(EndDelegationIn)
@bp.response(200, DelegationSchema)
def end_delegation(values, delegation_id: int):
    """End a delegation now: the deputy's powers end at once (the principal or HR)"""
    delegation = service.get_delegation_or_404(delegation_id, current_user)
    service.end_delegation(current_user, delegation, comment=values.get("comment"))
    return delegation
