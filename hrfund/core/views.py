"""Home page, audit log page and its exports (health checks: hrfund/core/health.py)."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user

from hrfund.core.audit import AuditEvent, audit_query
from hrfund.core.exports import export_args, export_response, keyset_rows, utc_text
from hrfund.core.labels import action_label, comment_text, object_type_label, state_label
from hrfund.core.pagination import args_with, paginate, parse_page_args
from hrfund.core.permissions import login_required, roles_required

bp = Blueprint("core", __name__)
bp.add_app_template_global(export_args)
bp.add_app_template_global(args_with)

AUDIT_READERS = ("hr", "auditor")
AUDIT_FILTERS = ("object_type", "object_id", "action", "actor")


@bp.route("/")
@login_required
def index():
    """Home: the dashboard of the user's roles, when the reports module is installed (called by
    name: core does not import the modules above it)."""
    dashboard = current_app.view_functions.get("reports.dashboard")
    if dashboard is not None:
        return dashboard()
    return render_template("core/index.html", user=current_user)


def _audit_filters() -> dict:
    return {name: (request.args.get(name) or "").strip() or None for name in AUDIT_FILTERS}


@bp.route("/audit")
@roles_required(*AUDIT_READERS)
def audit():
    page, per_page = parse_page_args(request.args, current_app.config["PAGE_SIZE"], 200)
    filters = _audit_filters()
    return render_template(
        "core/audit.html",
        page=paginate(audit_query(**filters), page, per_page),
        filters=filters,
        actor=filters["actor"] or "",
    )


@bp.route("/audit/export.<any(csv, xlsx):fmt>")
@roles_required(*AUDIT_READERS)
def audit_export(fmt: str):
    header = [
        _("Event"),
        _("Recorded at (UTC)"),
        _("Who"),
        _("Action"),
        _("Object type"),
        _("Object id"),
        pgettext("state change", "From"),
        pgettext("state change", "To"),
        _("Comment"),
        _("Changes"),
        _("Request"),
    ]

    # Plain rows of these columns, not ORM objects: the log is the longest list there is.
    columns = (
        AuditEvent.id,
        AuditEvent.at,
        AuditEvent.actor_label,
        AuditEvent.action,
        AuditEvent.object_type,
        AuditEvent.object_id,
        AuditEvent.from_state,
        AuditEvent.to_state,
        AuditEvent.comment,
        AuditEvent.changes,
        AuditEvent.request_id,
    )

    def row(event) -> list:
        (id_, at, actor, action, type_, object_id, from_, to, comment, changes, request) = event
        return [
            id_,
            utc_text(at),
            actor,
            action_label(action),
            object_type_label(type_),
            object_id or "",
            state_label(from_),
            state_label(to),
            comment_text(action, comment),
            json.dumps(changes, ensure_ascii=False, sort_keys=True) if changes else "",
            request or "",
        ]

    stmt = audit_query(**_audit_filters()).with_only_columns(*columns)
    rows = keyset_rows(stmt, AuditEvent.id, row, newest_first=True)
    return export_response(fmt, "audit-log", _("Audit log"), header, rows)


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page links: answer with the app's icon."""
    return current_app.send_static_file("img/favicon.svg")
