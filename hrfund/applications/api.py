"""API routes of calls and applications (thin: parse, call a service, serialise)."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, jsonify, request
from flask_login import current_user

from hrfund.applications import calls as call_service
from hrfund.applications import services
from hrfund.applications.models import Application, Call
from hrfund.auth.models import Role
from hrfund.core.apiutil import created, iso_date, iso_instant, json_body, parse_date, parse_str
from hrfund.core.errors import ValidationFailed
from hrfund.core.pagination import paginate, parse_page_args
from hrfund.core.permissions import login_required, roles_required
from hrfund.extensions import db
from hrfund.org.models import PartnerCity

bp = Blueprint("applications_api", __name__)


def call_json(call: Call) -> dict:
    return {
        "id": call.id,
        "title": call.title,
        "title_ja": call.title_ja,
        "title_en": call.title_en,
        "fiscal_year": call.fiscal_year,
        "opens_on": iso_date(call.opens_on),
        "closes_on": iso_date(call.closes_on),
        "closes_at": iso_instant(call_service.deadline(call)),
        "status": call.status.value,
        "slots": [
            {
                "city": s.city.code,
                "positions": s.positions,
                "months": s.months,
                "estimated_cost_jpy": s.estimated_cost_jpy,
            }
            for s in call.slots
        ],
        "rules": call.rules or {},
    }


def application_json(a: Application) -> dict:
    db.session.flush()
    return _base_json(a) | {"history": _histories([a.id])[a.id]}


def _int(data: dict, name: str, *, required: bool = False) -> int | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(
            f"{name} must be a whole number.", fields={name: ["must be a whole number"]}
        )
    return value


def _application_values(data: dict, *, partial: bool) -> dict:
    values: dict = {}
    if "preferences" in data or not partial:
        prefs = data.get("preferences", [])
        if not isinstance(prefs, list) or not all(isinstance(p, str) for p in prefs):
            raise ValidationFailed(
                "preferences must be a list of city codes.",
                fields={"preferences": ["must be a list of city codes"]},
            )
        values["preferences"] = prefs
    if "statement" in data or not partial:
        values["statement"] = parse_str(data, "statement", max_length=10_000)
    for name in ("start_on", "end_on"):
        if name in data or not partial:
            values[name] = parse_date(data, name)
    if "budget" in data or not partial:
        budget = data.get("budget") or {}
        if not isinstance(budget, dict):
            raise ValidationFailed("budget must be an object.", fields={"budget": ["object"]})
        for name in ("travel_jpy", "stipend_jpy", "housing_jpy"):
            if name in budget or not partial:
                values[name] = budget.get(name, 0)
    return values


@bp.route("/calls")
@login_required
def list_calls():
    """Calls for applications.
    ---
    get:
      summary: List calls (drafts only for HR and auditors)
      tags: [calls]
      parameters:
        - {name: status, in: query, schema: {type: string, enum: [draft, open, closed, decided]}}
        - {name: page, in: query, schema: {type: integer}}
        - {name: per_page, in: query, schema: {type: integer, maximum: 200}}
      responses:
        200: {description: A page of calls}
    """
    stmt = call_service.visible_calls(current_user, status=request.args.get("status"))
    page, per_page = parse_page_args(request.args, 50, 200)
    result = paginate(stmt, page, per_page)
    return jsonify(
        items=[call_json(c) for c in result.items],
        page=result.page,
        per_page=result.per_page,
        total=result.total,
    )


@bp.route("/calls", methods=["POST"])
@roles_required(Role.HR)
def create_call():
    """HR drafts a call.
    ---
    post:
      summary: Create a call (status draft)
      tags: [calls]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [fiscal_year, opens_on, closes_on, slots]
              properties:
                title: {type: string, description: "the title, when not given in each language"}
                title_ja: {type: string}
                title_en: {type: string}
                fiscal_year: {type: integer}
                opens_on: {type: string, format: date}
                closes_on: {type: string, format: date}
                slots:
                  type: array
                  items:
                    type: object
                    properties:
                      city: {type: string}
                      positions: {type: integer}
                      months: {type: integer}
                      estimated_cost_jpy: {type: integer}
                rules:
                  type: object
                  properties:
                    min_years_of_service: {type: integer}
                    language:
                      type: object
                      properties: {test: {type: string}, min_score: {type: number}}
                    required_programs: {type: array, items: {type: integer}}
      responses:
        201: {description: The call}
        400: {description: Invalid fields}
    """
    data = json_body()
    slots = data.get("slots") or []
    if not isinstance(slots, list) or not all(isinstance(s, dict) for s in slots):
        raise ValidationFailed("slots must be a list of objects.", fields={"slots": ["list"]})
    rules = data.get("rules") or {}
    if not isinstance(rules, dict):
        raise ValidationFailed("rules must be an object.", fields={"rules": ["object"]})
    call = call_service.create_call(
        current_user,
        title=parse_str(data, "title", max_length=200),
        title_ja=parse_str(data, "title_ja", max_length=200),
        title_en=parse_str(data, "title_en", max_length=200),
        fiscal_year=_int(data, "fiscal_year", required=True),
        opens_on=parse_date(data, "opens_on", required=True),
        closes_on=parse_date(data, "closes_on", required=True),
        slots=slots,
        rules=rules,
        description=parse_str(data, "description"),
    )
    return created(call_json(call))


@bp.route("/calls/<int:call_id>/<any(open, close, decide):action>", methods=["POST"])
@roles_required(Role.HR)
def call_action(call_id: int, action: str):
    """Open, close or decide a call.
    ---
    post:
      summary: Move a call to its next state (open, close, decide)
      tags: [calls]
      responses:
        200: {description: The call}
        409: {description: Not allowed in its current state}
    """
    call = call_service.get_call_or_404(call_id, current_user)
    call_service.CALL_ACTIONS[action](current_user, call)
    return call_json(call)


@bp.route("/applications", methods=["POST"])
@roles_required(Role.EMPLOYEE)
def create_application():
    """An employee starts an application (draft).
    ---
    post:
      summary: Create an application (status draft)
      tags: [applications]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [call_id]
              properties:
                call_id: {type: integer}
                preferences: {type: array, items: {type: string}}
                statement: {type: string}
                start_on: {type: string, format: date}
                end_on: {type: string, format: date}
                budget:
                  type: object
                  properties:
                    travel_jpy: {type: integer}
                    stipend_jpy: {type: integer}
                    housing_jpy: {type: integer}
      responses:
        201: {description: The application}
        400: {description: Invalid fields}
        409: {description: Already applied, or the call is not open}
    """
    data = json_body()
    call = call_service.get_call_or_404(_int(data, "call_id", required=True), current_user)
    application = services.create_application(
        current_user, call, **_application_values(data, partial=False)
    )
    return created(application_json(application))


@bp.route("/applications/<int:application_id>", methods=["PATCH"])
@roles_required(Role.EMPLOYEE)
def update_application(application_id: int):
    """The applicant edits a draft or returned application.
    ---
    patch:
      summary: Update an application (owner, while draft or returned)
      tags: [applications]
      responses:
        200: {description: The application}
        409: {description: Not editable in its current state}
    """
    application = services.get_application_or_404(application_id, current_user)
    services.update_application(
        current_user, application, **_application_values(json_body(), partial=True)
    )
    return application_json(application)


@bp.route("/applications")
@login_required
def list_applications():
    """Applications in the caller's scope.
    ---
    get:
      summary: "List applications (employee: own; manager: own departments; HR, auditor: all)"
      tags: [applications]
      parameters:
        - {name: status, in: query, schema: {type: string}}
        - {name: call_id, in: query, schema: {type: integer}}
        - {name: city, in: query, schema: {type: string}}
        - name: eligible
          in: query
          description: "yes/no: the applicant meets the call's rules today (needs call_id)"
          schema: {type: string, enum: ["yes", "no"]}
        - {name: page, in: query, schema: {type: integer}}
        - {name: per_page, in: query, schema: {type: integer, maximum: 200}}
      responses:
        200: {description: A page of applications}
        400: {description: A filter is not valid}
    """
    stmt = services.filtered(
        current_user,
        status=request.args.get("status"),
        call_id=request.args.get("call_id"),
        city=request.args.get("city"),
        eligible=request.args.get("eligible"),
    )
    stmt = stmt.options(so.joinedload(Application.applicant))
    page, per_page = parse_page_args(request.args, 50, 200)
    result = paginate(stmt, page, per_page)
    histories = _histories([a.id for a in result.items])
    return jsonify(
        items=[application_json_with(a, histories) for a in result.items],
        page=result.page,
        per_page=result.per_page,
        total=result.total,
    )


def _histories(ids: list[int]) -> dict[int, list]:
    from hrfund.core.audit import AuditEvent

    found: dict[int, list] = {i: [] for i in ids}
    if not ids:
        return found
    for event in db.session.scalars(
        sa.select(AuditEvent)
        .where(
            AuditEvent.object_type == "applications",
            AuditEvent.object_id.in_([str(i) for i in ids]),
            AuditEvent.to_state.is_not(None),
        )
        .order_by(AuditEvent.id)
    ):
        found[int(event.object_id)].append(
            {
                "at": iso_instant(event.at),
                "actor": event.actor_label,
                "from": event.from_state,
                "to": event.to_state,
                "comment": event.comment,
                "on_behalf_of": (event.changes or {}).get("on_behalf_of"),
            }
        )
    return found


def application_json_with(a: Application, histories: dict) -> dict:
    return _base_json(a) | {"history": histories.get(a.id, [])}


def _base_json(a: Application) -> dict:
    return {
        "id": a.id,
        "status": a.status.value,
        "call_id": a.call_id,
        "applicant": {
            "id": a.applicant.id,
            "name": a.applicant.display_name("en"),
            "email": a.applicant.email,
        },
        "preferences": a.preference_codes,
        "statement": a.statement,
        "start_on": iso_date(a.start_on),
        "end_on": iso_date(a.end_on),
        "budget": {
            "travel_jpy": a.travel_jpy,
            "stipend_jpy": a.stipend_jpy,
            "housing_jpy": a.housing_jpy,
            "total_jpy": a.total_jpy,
        },
        "submitted_at": iso_instant(a.submitted_at),
        "placement_id": a.placement_id,
    }


@bp.route("/applications/<int:application_id>")
@login_required
def get_application(application_id: int):
    """One application with its history.
    ---
    get:
      summary: An application (404 when not visible to the caller)
      tags: [applications]
      responses:
        200: {description: The application}
        404: {description: Not found or not visible}
    """
    return application_json(services.get_application_or_404(application_id, current_user))


@bp.route(
    "/applications/<int:application_id>/<any(submit, endorse, decline, return, reject,"
    " withdraw):action>",
    methods=["POST"],
)
@login_required
def act(application_id: int, action: str):
    """A workflow step: submit, endorse, decline, return, reject or withdraw.
    ---
    post:
      summary: Move an application (submit, endorse, decline, return, reject, withdraw)
      tags: [applications]
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {comment: {type: string}}}
      responses:
        200: {description: The application}
        400: {description: A comment is required}
        403: {description: Not your role}
        409: {description: Not allowed in its current state, outside the window, or ineligible}
    """
    application = services.get_application_or_404(application_id, current_user)
    data = json_body() if request.content_length else {}
    if action == "submit":
        services.submit_application(current_user, application)
    else:
        services.ACTIONS[action](current_user, application, comment=parse_str(data, "comment"))
    return application_json(application)


@bp.route("/applications/<int:application_id>/approve", methods=["POST"])
@login_required
def approve(application_id: int):
    """HR approves: the placement is created and the amount committed.
    ---
    post:
      summary: Approve (HR) with city, dates and amount
      tags: [applications]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [city, start_on, end_on, amount_jpy]
              properties:
                city: {type: string}
                start_on: {type: string, format: date}
                end_on: {type: string, format: date}
                amount_jpy: {type: integer}
                comment: {type: string}
      responses:
        200: {description: The approved application with placement_id}
        409: {description: Not endorsed, already approved, or insufficient_funds}
    """
    application = services.get_application_or_404(application_id, current_user)
    data = json_body()
    code = parse_str(data, "city")
    city = (
        db.session.scalar(sa.select(PartnerCity).where(PartnerCity.code == code.upper()))
        if code
        else None
    )
    services.approve_application(
        current_user,
        application,
        city=city,
        start_on=parse_date(data, "start_on", required=True),
        end_on=parse_date(data, "end_on", required=True),
        amount_jpy=_int(data, "amount_jpy", required=True),
        comment=parse_str(data, "comment"),
    )
    return application_json(application)


from hrfund.applications import delegations_api  # noqa: E402,F401  (same blueprint)
