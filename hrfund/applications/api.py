"""API routes of calls and applications (thin: parse, call a service, serialise)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import jsonify
from flask_login import current_user

from hrfund.applications import calls as call_service
from hrfund.applications import listing, services
from hrfund.applications.models import Application
from hrfund.applications.schemas import (
    ApplicationIn,
    ApplicationPatch,
    ApplicationQuery,
    ApplicationSchema,
    ApplicationView,
    ApproveIn,
    CallIn,
    CallQuery,
    CallSchema,
    application_item,
)
from hrfund.auth.models import Role
from hrfund.core.apiblueprint import ApiBlueprint
from hrfund.core.apischemas import Comment, page_of
from hrfund.core.apiutil import iso_instant, paged
from hrfund.core.permissions import login_required, roles_required
from hrfund.extensions import db

bp = ApiBlueprint("applications_api", __name__, description="Calls, applications, delegations")

BUDGET = ("travel_jpy", "stipend_jpy", "housing_jpy")


def application_view(a: Application) -> ApplicationView:
    db.session.flush()
    return ApplicationView(a, _histories([a.id])[a.id])


def _histories(ids: list[int]) -> dict[int, list]:
    """The workflow steps of each application, in one query: the columns a step shows only, and
    of the event's changes (snapshots, at times large) only who the step was on behalf of."""
    from hrfund.core.audit import AuditEvent

    found: dict[int, list] = {i: [] for i in ids}
    if not ids:
        return found
    for object_id, at, actor, from_, to, comment, on_behalf_of in db.session.execute(
        sa.select(
            AuditEvent.object_id,
            AuditEvent.at,
            AuditEvent.actor_label,
            AuditEvent.from_state,
            AuditEvent.to_state,
            AuditEvent.comment,
            AuditEvent.changes["on_behalf_of"],
        )
        .where(
            AuditEvent.object_type == "applications",
            AuditEvent.object_id.in_([str(i) for i in ids]),
            AuditEvent.to_state.is_not(None),
        )
        .order_by(AuditEvent.id)
    ):
        found[int(object_id or 0)].append(  # the ids asked for, never empty
            {
                "at": iso_instant(at),
                "actor": actor,
                "from_": from_,
                "to": to,
                "comment": comment,
                "on_behalf_of": on_behalf_of,
            }
        )
    return found


def _application_values(values: dict, *, partial: bool) -> dict:
    """The service's keywords: the budget's amounts beside the other fields."""
    budget = values.pop("budget", None)
    if budget is not None or not partial:
        for name in BUDGET:
            if name in (budget or {}) or not partial:
                values[name] = (budget or {}).get(name, 0)
    if not partial:
        values = {"preferences": [], "statement": "", "start_on": None, "end_on": None} | values
    return values


@bp.route("/calls")
@login_required
@bp.arguments(CallQuery, location="query")
@bp.response(200, page_of(CallSchema))
def list_calls(args):
    """Calls for applications (drafts only for HR and auditors)"""
    return paged(call_service.visible_calls(current_user, status=args.get("status")), per_page=50)


@bp.route("/calls", methods=["POST"])
@roles_required(Role.HR)
@bp.arguments(CallIn)
@bp.response(201, CallSchema)
def create_call(values):
    """HR drafts a call (status draft)"""
    return call_service.create_call(current_user, **values)


@bp.route("/calls/<int:call_id>/<any(open, close, decide):action>", methods=["POST"])
@roles_required(Role.HR)
@bp.response(200, CallSchema)
def call_action(call_id: int, action: str):
    """Move a call to its next state: open, close or decide (409: not from its state)"""
    call = call_service.get_call_or_404(call_id, current_user)
    call_service.CALL_ACTIONS[action](current_user, call)
    return call


@bp.route("/applications", methods=["POST"])
@roles_required(Role.EMPLOYEE)
@bp.arguments(ApplicationIn)
@bp.response(201, ApplicationSchema)
def create_application(values):
    """An employee starts an application (status draft; 409: applied already, or not open)"""
    call = call_service.get_call_or_404(values.pop("call_id"), current_user)
    application = services.create_application(
        current_user, call, **_application_values(values, partial=False)
    )
    return application_view(application)


@bp.route("/applications/<int:application_id>", methods=["PATCH"])
@roles_required(Role.EMPLOYEE)
@bp.arguments(ApplicationPatch)
@bp.response(200, ApplicationSchema)
def update_application(values, application_id: int):
    """The applicant edits a draft or returned application"""
    application = services.get_application_or_404(application_id, current_user)
    services.update_application(
        current_user, application, **_application_values(values, partial=True)
    )
    return application_view(application)


@bp.route("/applications")
@login_required
@bp.arguments(ApplicationQuery, location="query")
@bp.response(200, page_of(ApplicationSchema))
def list_applications(args):
    """Applications in the caller's scope (employee: own; manager: own departments; HR and
    auditors: all)"""
    stmt = services.filtered(
        current_user,
        status=args.get("status"),
        call_id=args.get("call_id"),
        city=args.get("city"),
        eligible=args.get("eligible"),
    )
    keys = stmt.with_only_columns(Application.id)
    rows = listing.api_rows(stmt)
    page = paged(keys, scalars=False, per_page=50, key=Application.id, rows=rows)
    ids = [row.id for row in page["items"]]
    codes, histories = listing.preference_codes(ids), _histories(ids)
    items = [application_item(r, codes.get(r.id, []), histories[r.id]) for r in page["items"]]
    return jsonify(page | {"items": items})  # what ApplicationSchema would dump, built lean


@bp.route("/applications/<int:application_id>")
@login_required
@bp.response(200, ApplicationSchema)
def get_application(application_id: int):
    """An application with its history (404 when not visible to the caller)"""
    return application_view(services.get_application_or_404(application_id, current_user))


@bp.route(
    "/applications/<int:application_id>/<any(submit, endorse, decline, return, reject,"
    " withdraw):action>",
    methods=["POST"],
)
@login_required
@bp.arguments(Comment)
@bp.response(200, ApplicationSchema)
def act(values, application_id: int, action: str):
    """A workflow step: submit, endorse, decline, return, reject or withdraw.

    409 when the state does not allow it, outside the call's window, or (submit) when the
    applicant does not meet the call's rules, with the reason.
    """
    application = services.get_application_or_404(application_id, current_user)
    if action == "submit":
        services.submit_application(current_user, application)
    else:
        services.ACTIONS[action](current_user, application, comment=values["comment"])
    return application_view(application)


@bp.route("/applications/<int:application_id>/approve", methods=["POST"])
@login_required
@bp.arguments(ApproveIn)
@bp.response(200, ApplicationSchema)
def approve(values, application_id: int):
    """HR approves: the placement is made and the amount committed (409 insufficient_funds)"""
    application = services.get_application_or_404(application_id, current_user)
    city = services.approval_city(application, values.pop("city"))
    services.approve_application(current_user, application, city=city, **values)
    return application_view(application)


from hrfund.applications import delegations_api  # noqa: E402,F401  (same blueprint)
