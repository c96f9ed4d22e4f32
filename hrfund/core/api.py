"""API routes of the core: the audit log."""

from __future__ import annotations

from flask import Blueprint, request

from hrfund.core.apiutil import iso_instant, page_response
from hrfund.core.audit import AuditEvent, audit_query
from hrfund.core.permissions import roles_required

bp = Blueprint("core_api", __name__)


def audit_json(event: AuditEvent) -> dict:
    return {
        "id": event.id,
        "at": iso_instant(event.at),
        "actor": event.actor_label,
        "actor_id": event.actor_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "from": event.from_state,
        "to": event.to_state,
        "comment": event.comment,
        "changes": event.changes,
        "request_id": event.request_id,
    }


@bp.route("/audit")
@roles_required("hr", "auditor")
def audit():
    """Audit events, newest first.
    ---
    get:
      summary: List audit events
      tags: [audit]
      parameters:
        - {name: object_type, in: query, schema: {type: string}}
        - {name: object_id, in: query, schema: {type: string}}
        - {name: action, in: query, schema: {type: string}}
        - {name: page, in: query, schema: {type: integer}}
        - {name: per_page, in: query, schema: {type: integer, maximum: 200}}
      responses:
        200: {description: A page of audit events}
        403: {description: Only HR and auditors read the audit log}
    """
    stmt = audit_query(
        object_type=request.args.get("object_type") or None,
        object_id=request.args.get("object_id") or None,
        action=request.args.get("action") or None,
    )
    return page_response(stmt, audit_json)
