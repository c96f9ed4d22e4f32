"""The audit log page and its exports (/audit); the home page is in home.py."""

from __future__ import annotations

from flask import current_app, render_template, request

from hrfund.core import exports
from hrfund.core.audit import AuditEvent, audit_query
from hrfund.core.blueprint import bp
from hrfund.core.pagination import list_count_cap, paginate, parse_page_args
from hrfund.core.permissions import roles_required

AUDIT_READERS = ("hr", "auditor")
AUDIT_FILTERS = ("object_type", "object_id", "action", "actor")


def _audit_filters() -> dict:
    return {name: (request.args.get(name) or "").strip() or None for name in AUDIT_FILTERS}


@bp.route("/audit")
@roles_required(*AUDIT_READERS)
def audit():
    page, per_page = parse_page_args(request.args, current_app.config["PAGE_SIZE"], 200)
    filters = _audit_filters()
    return render_template(
        "core/audit.html",
        page=paginate(
            audit_query(**filters), page, per_page, key=AuditEvent.id, count_cap=list_count_cap()
        ),
        filters=filters,
        actor=filters["actor"] or "",
    )


@bp.route("/audit/export.<any(csv, xlsx):fmt>")
@roles_required(*AUDIT_READERS)
def audit_export(fmt: str):
    return exports.audit_response(fmt, audit_query(**_audit_filters()))
