"""Home page, audit log page and its exports (health checks: hrfund/core/health.py)."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_login import current_user

from hrfund.core import exports
from hrfund.core.audit import audit_query
from hrfund.core.blueprint import bp
from hrfund.core.pagination import paginate, parse_page_args
from hrfund.core.permissions import login_required, roles_required

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
    return exports.audit_response(fmt, audit_query(**_audit_filters()))


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page links: answer with the app's icon."""
    return current_app.send_static_file("img/favicon.svg")
