"""The audit log page and its exports (/audit); the home page is in home.py."""

from __future__ import annotations

from typing import TypedDict

from flask import current_app, render_template, request
from flask.typing import ResponseReturnValue

from hrfund.core import exports
from hrfund.core.audit import AuditEvent, audit_query
from hrfund.core.blueprint import bp
from hrfund.core.pagination import list_count_cap, paginate, parse_page_args
from hrfund.core.permissions import roles_required

AUDIT_READERS = ("hr", "auditor")


class AuditFilters(TypedDict):
    object_type: str | None
    object_id: str | None
    action: str | None
    actor: str | None


def _audit_filters() -> AuditFilters:
    def arg(name: str) -> str | None:
        return (request.args.get(name) or "").strip() or None

    return AuditFilters(
        object_type=arg("object_type"),
        object_id=arg("object_id"),
        action=arg("action"),
        actor=arg("actor"),
    )


@bp.route("/audit")
@roles_required(*AUDIT_READERS)
def audit() -> ResponseReturnValue:
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
def audit_export(fmt: str) -> ResponseReturnValue:
    return exports.audit_response(fmt, audit_query(**_audit_filters()))
