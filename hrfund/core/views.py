"""Home page, audit log page, health check."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, render_template, request
from flask_login import current_user

from hrfund.core.audit import AuditEvent, audit_query
from hrfund.core.pagination import paginate, parse_page_args
from hrfund.core.permissions import login_required, roles_required
from hrfund.extensions import db

bp = Blueprint("core", __name__)

AUDIT_READERS = ("hr", "auditor")


@bp.route("/")
@login_required
def index():
    return render_template("core/index.html", user=current_user)


@bp.route("/healthz")
def healthz():
    db.session.execute(sa.text("SELECT 1"))
    return jsonify(status="ok")


@bp.route("/audit")
@roles_required(*AUDIT_READERS)
def audit():
    page, per_page = parse_page_args(request.args, current_app.config["PAGE_SIZE"], 200)
    filters = {
        name: (request.args.get(name) or "").strip() or None
        for name in ("object_type", "object_id", "action")
    }
    actor = (request.args.get("actor") or "").strip()
    stmt = audit_query(**filters)
    if actor:
        stmt = stmt.where(AuditEvent.actor_label.ilike(f"%{actor}%"))
    return render_template(
        "core/audit.html", page=paginate(stmt, page, per_page), filters=filters, actor=actor
    )
