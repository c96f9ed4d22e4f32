"""API routes of the core: the audit log."""

from __future__ import annotations

from hrfund.core.apiblueprint import ApiBlueprint
from hrfund.core.apischemas import page_of
from hrfund.core.apiutil import paged
from hrfund.core.audit import audit_query
from hrfund.core.permissions import roles_required
from hrfund.core.schemas import AuditEventSchema, AuditQuery

bp = ApiBlueprint("core_api", __name__, description="The audit log")


@bp.route("/audit")
@roles_required("hr", "auditor")
@bp.arguments(AuditQuery, location="query")
@bp.response(200, page_of(AuditEventSchema))
def audit(args: dict[str, str]) -> dict[str, object]:
    """Audit events, newest first (HR and auditors)"""
    stmt = audit_query(
        object_type=args.get("object_type") or None,
        object_id=args.get("object_id") or None,
        action=args.get("action") or None,
    )
    return paged(stmt)
