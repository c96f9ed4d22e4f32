"""API routes of delegations (thin: parse, call the rules in ``delegations``, serialise)."""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from hrfund.applications import delegations as service
from hrfund.applications.api import bp
from hrfund.applications.models import Delegation
from hrfund.auth.models import Role, User
from hrfund.auth.services import get_user_by_email
from hrfund.core.apiutil import created, iso_date, iso_instant, json_body, page_response, parse_date
from hrfund.core.errors import ValidationFailed
from hrfund.core.permissions import login_required, roles_required
from hrfund.extensions import db


def delegation_json(d: Delegation) -> dict:
    return {
        "id": d.id,
        "principal": d.principal.email,
        "deputy": d.deputy.email,
        "starts_on": iso_date(d.starts_on),
        "ends_on": iso_date(d.ends_on),
        "ended_at": iso_instant(d.ended_at),
        "state": service.state_of(d).value,
    }


def _deputy(data: dict) -> User | None:
    """The deputy named by e-mail address or id (None when nobody has it: the rule says so)."""
    value = data.get("deputy")
    if isinstance(value, int) and not isinstance(value, bool):
        return db.session.get(User, value)
    if isinstance(value, str) and value.strip():
        return get_user_by_email(value)
    raise ValidationFailed(
        "deputy is required: an e-mail address or a user id.",
        fields={"deputy": ["is required: an e-mail address or a user id"]},
    )


@bp.route("/delegations")
@login_required
def list_delegations():
    """Delegations.
    ---
    get:
      summary: "Delegations the caller gives or holds (hr and auditor: all of them)"
      tags: [delegations]
      parameters:
        - {name: principal, in: query, schema: {type: string}, description: "e-mail, name or id"}
        - {name: deputy, in: query, schema: {type: string}, description: "e-mail, name or id"}
        - {name: state, in: query, schema: {type: string, enum: [active, future, ended]}}
        - {name: page, in: query, schema: {type: integer}}
        - {name: per_page, in: query, schema: {type: integer, maximum: 200}}
      responses:
        200: {description: "A page of {id, principal, deputy, starts_on, ends_on, ended_at}"}
        400: {description: Unknown state}
    """
    stmt = service.filtered_delegations(
        current_user,
        principal=request.args.get("principal") or None,
        deputy=request.args.get("deputy") or None,
        state=request.args.get("state") or None,
    )
    return page_response(stmt, delegation_json)


@bp.route("/delegations", methods=["POST"])
@roles_required(Role.MANAGER, Role.HR)
def create_delegation():
    """A manager or HR officer names a deputy.
    ---
    post:
      summary: Name a deputy for a period (the caller is the principal)
      tags: [delegations]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [deputy, starts_on, ends_on]
              properties:
                deputy: {oneOf: [{type: string, format: email}, {type: integer}]}
                starts_on: {type: string, format: date}
                ends_on: {type: string, format: date}
      responses:
        201: {description: The delegation}
        400: {description: "The rule broken (fields: deputy, starts_on, ends_on)"}
        403: {description: Not a manager or HR officer}
        409: {description: Overlaps another delegation of the same principal}
    """
    data = json_body()
    delegation = service.create_delegation(
        current_user,
        deputy=_deputy(data),
        starts_on=parse_date(data, "starts_on", required=True),
        ends_on=parse_date(data, "ends_on", required=True),
    )
    return created(delegation_json(delegation))


@bp.route("/delegations/<int:delegation_id>/end", methods=["POST"])
@roles_required(Role.MANAGER, Role.HR)
def end_delegation(delegation_id: int):
    """The principal or HR ends a delegation early.
    ---
    post:
      summary: End a delegation now (the deputy's powers end at once)
      tags: [delegations]
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {comment: {type: string}}}
      responses:
        200: {description: The delegation with ended_at}
        403: {description: Neither the principal nor HR}
        404: {description: Not found or not visible}
        409: {description: Already ended}
    """
    delegation = service.get_delegation_or_404(delegation_id, current_user)
    data = request.get_json(silent=True) or {}
    comment = data.get("comment") if isinstance(data, dict) else None
    service.end_delegation(
        current_user, delegation, comment=comment if isinstance(comment, str) else None
    )
    return jsonify(delegation_json(delegation))
