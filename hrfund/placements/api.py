"""API routes of placements and nominations (thin: parse, call a service, serialise)."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from hrfund.auth.models import Role
from hrfund.core.apiutil import (
    created,
    iso_date,
    iso_instant,
    json_body,
    page_response,
    parse_date,
    parse_str,
)
from hrfund.core.errors import ValidationFailed
from hrfund.core.pagination import paginate, parse_page_args
from hrfund.core.permissions import login_required, roles_required
from hrfund.extensions import db
from hrfund.fund.services import placement_totals
from hrfund.org.models import Department
from hrfund.placements import date_rules, services
from hrfund.placements import nominations as nominations_service
from hrfund.placements.models import Nomination, Placement

bp = Blueprint("placements_api", __name__)


def placement_json(p: Placement, totals) -> dict:
    return {
        "id": p.id,
        "direction": p.direction.value,
        "status": p.status.value,
        "city": p.city.code,
        "person": {"name": p.person_name, "email": p.person_email},
        "start_on": iso_date(p.start_on),
        "end_on": iso_date(p.end_on),
        "fiscal_year": p.fiscal_year,
        "host_office": p.host_office,
        "host_supervisor": p.host_supervisor,
        "host_department": p.host_department.code if p.host_department else None,
        "application_id": p.application_id,
        "committed_jpy": totals.committed_jpy,
        "disbursed_jpy": totals.disbursed_jpy,
    }


def placement_detail_json(p: Placement) -> dict:
    body = placement_json(p, placement_totals([p.id])[p.id])
    body["milestones"] = [
        {
            "id": m.id,
            "kind": m.kind.value,
            "due_on": iso_date(m.due_on),
            "done_at": iso_instant(m.done_at),
        }
        for m in p.milestones
    ]
    history = services.MACHINE.history(p)
    body["history"] = [
        {
            "at": iso_instant(e.at),
            "actor": e.actor_label,
            "action": e.action,
            "from": e.from_state,
            "to": e.to_state,
            "comment": e.comment,
        }
        for e in history
    ]
    early = date_rules.ended_early(history)
    body["ended_early"] = (
        {
            "ended_on": iso_date(early["ended_on"]),
            "planned_end_on": iso_date(early["planned_end_on"]),
        }
        if early
        else None
    )
    return body


def nomination_json(n: Nomination) -> dict:
    return {
        "id": n.id,
        "city": n.city.code,
        "name": n.name,
        "email": n.email,
        "position": n.position,
        "start_on": iso_date(n.start_on),
        "end_on": iso_date(n.end_on),
        "status": n.status.value,
        "placement_id": n.placement_id,
    }


@bp.route("/placements")
@login_required
def list_placements():
    """Placements the caller may see.
    ---
    get:
      summary: List placements (employee own, coordinator own city, HR and auditors all)
      tags: [placements]
      parameters:
        - {name: direction, in: query, schema: {type: string, enum: [outgoing, incoming]}}
        - {name: status, in: query, schema: {type: string}}
        - {name: city, in: query, schema: {type: string}}
        - {name: page, in: query, schema: {type: integer}}
        - {name: per_page, in: query, schema: {type: integer, maximum: 200}}
      responses:
        200:
          description: >-
            A page of {id, direction, status, city, person, start_on, end_on,
            committed_jpy, disbursed_jpy}
    """
    page, per_page = parse_page_args(request.args, 50, 200)
    stmt = services.filtered(
        current_user,
        direction=request.args.get("direction"),
        status=request.args.get("status"),
        city=request.args.get("city"),
    )
    stmt = stmt.options(
        so.joinedload(Placement.city),
        so.joinedload(Placement.person),
        so.joinedload(Placement.host_department),
    )
    result = paginate(stmt, page, per_page)
    totals = placement_totals([p.id for p in result.items])
    return jsonify(
        items=[placement_json(p, totals[p.id]) for p in result.items],
        page=result.page,
        per_page=result.per_page,
        total=result.total,
    )


@bp.route("/placements/<int:placement_id>")
@login_required
def get_placement(placement_id: int):
    """One placement with milestones and history.
    ---
    get:
      summary: A placement (404 when not visible to the caller)
      tags: [placements]
      responses:
        200: {description: The placement with milestones and history}
        404: {description: Not found or not visible}
    """
    return placement_detail_json(services.get_placement_or_404(placement_id, current_user))


def _action(placement_id: int, action: str, **values):
    placement = services.get_placement_or_404(placement_id, current_user)
    services.ACTIONS[action](current_user, placement, **values)
    db.session.flush()
    return placement_detail_json(placement)


@bp.route("/placements/<int:placement_id>/confirm", methods=["POST"])
@roles_required(Role.COORDINATOR, Role.HR)
def confirm(placement_id: int):
    """The host confirms.
    ---
    post:
      summary: "Confirm (outgoing: coordinator of its city; incoming: HR)"
      tags: [placements]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                host_office: {type: string}
                host_supervisor: {type: string}
                comment: {type: string}
      responses:
        200: {description: The confirmed placement}
        409: {description: Not allowed in its current state}
    """
    data = json_body()
    return _action(
        placement_id,
        "confirm",
        host_office=parse_str(data, "host_office"),
        host_supervisor=parse_str(data, "host_supervisor"),
        comment=parse_str(data, "comment"),
    )


@bp.route("/placements/<int:placement_id>/decline", methods=["POST"])
@roles_required(Role.COORDINATOR, Role.HR)
def decline(placement_id: int):
    """The host declines; the open commitment is released.
    ---
    post:
      summary: Decline with a comment
      tags: [placements]
      requestBody:
        content:
          application/json:
            schema: {type: object, required: [comment], properties: {comment: {type: string}}}
      responses:
        200: {description: The declined placement}
        400: {description: The comment is missing}
        409: {description: Not allowed in its current state}
    """
    return _action(placement_id, "decline", comment=parse_str(json_body(), "comment"))


@bp.route("/placements/<int:placement_id>/start", methods=["POST"])
@roles_required(Role.COORDINATOR, Role.HR)
def start(placement_id: int):
    """Arrival confirmed: the placement is active.
    ---
    post:
      summary: Start (HR or the host coordinator)
      tags: [placements]
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {arrived_on: {type: string, format: date}}}
      responses:
        200: {description: The active placement}
        409: {description: Not allowed in its current state}
    """
    data = json_body() if request.content_length else {}
    return _action(
        placement_id,
        "start",
        arrived_on=parse_date(data, "arrived_on"),
        comment=parse_str(data, "comment"),
    )


@bp.route("/placements/<int:placement_id>/complete", methods=["POST"])
@roles_required(Role.HR)
def complete(placement_id: int):
    """Completed; what was not spent is released.
    ---
    post:
      summary: Complete (HR); before the end date only with confirm_early
      tags: [placements]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                confirm_early: {type: boolean}
                comment: {type: string}
      responses:
        200: {description: The completed placement}
        409: {description: Not allowed in its current state, or early without confirm_early}
    """
    data = json_body() if request.content_length else {}
    confirm_early = data.get("confirm_early", False)
    if not isinstance(confirm_early, bool):
        message = str(_l("confirm_early must be true or false."))
        raise ValidationFailed(message, fields={"confirm_early": [message]})
    return _action(
        placement_id, "complete", comment=parse_str(data, "comment"), confirm_early=confirm_early
    )


@bp.route("/placements/<int:placement_id>/cancel", methods=["POST"])
@roles_required(Role.HR)
def cancel(placement_id: int):
    """Cancelled; the open commitment is released.
    ---
    post:
      summary: Cancel (HR) with a comment
      tags: [placements]
      requestBody:
        content:
          application/json:
            schema: {type: object, required: [comment], properties: {comment: {type: string}}}
      responses:
        200: {description: The cancelled placement}
        409: {description: Not allowed in its current state}
    """
    return _action(placement_id, "cancel", comment=parse_str(json_body(), "comment"))


@bp.route("/nominations")
@roles_required(Role.COORDINATOR, Role.HR, Role.AUDITOR)
def list_nominations():
    """Nominations the caller may see.
    ---
    get:
      summary: List nominations (coordinator own city, HR and auditors all)
      tags: [nominations]
      parameters:
        - {name: status, in: query, schema: {type: string, enum: [pending, accepted, rejected]}}
        - {name: page, in: query, schema: {type: integer}}
        - {name: per_page, in: query, schema: {type: integer, maximum: 200}}
      responses:
        200: {description: A page of nominations}
        400: {description: Unknown status}
    """
    stmt = nominations_service.filtered_nominations(
        current_user, status=request.args.get("status")
    ).options(so.joinedload(Nomination.city))
    return page_response(stmt, nomination_json)  # the page's filter, the shared paging


@bp.route("/nominations", methods=["POST"])
@roles_required(Role.COORDINATOR)
def create_nomination():
    """A coordinator nominates one of their city's officials.
    ---
    post:
      summary: Nominate (coordinator, for their own city)
      tags: [nominations]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [name, email, position, start_on, end_on]
              properties:
                name: {type: string}
                email: {type: string}
                position: {type: string}
                start_on: {type: string, format: date}
                end_on: {type: string, format: date}
      responses:
        201: {description: The nomination}
        400: {description: Invalid fields}
    """
    data = json_body()
    nomination = nominations_service.nominate(
        current_user,
        name=parse_str(data, "name", max_length=200),
        email=parse_str(data, "email", max_length=254),
        position=parse_str(data, "position", max_length=200),
        start_on=parse_date(data, "start_on", required=True),
        end_on=parse_date(data, "end_on", required=True),
    )
    return created(nomination_json(nomination))


@bp.route("/nominations/<int:nomination_id>/accept", methods=["POST"])
@roles_required(Role.HR)
def accept_nomination(nomination_id: int):
    """HR hosts the nominee.
    ---
    post:
      summary: Accept (HR) → incoming placement confirmed, committed from the incoming line
      tags: [nominations]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [host_department, amount_jpy]
              properties:
                host_department: {type: string, description: department code}
                amount_jpy: {type: integer}
      responses:
        200: {description: The incoming placement}
        409: {description: Already decided, or not enough funds (insufficient_funds)}
    """
    nomination = nominations_service.get_nomination_or_404(nomination_id, current_user)
    data = json_body()
    code = parse_str(data, "host_department")
    department = (
        db.session.scalar(sa.select(Department).where(Department.code == code)) if code else None
    )
    if code and department is None:
        raise ValidationFailed(
            "Unknown department.", fields={"host_department": ["no department with this code"]}
        )
    placement = nominations_service.accept_nomination(
        current_user, nomination, host_department=department, amount_jpy=data.get("amount_jpy")
    )
    return placement_detail_json(placement)
