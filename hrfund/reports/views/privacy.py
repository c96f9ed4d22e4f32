"""Pages of personal data: the retention periods (HR and auditors), and the disclosure export of
one person (HR only). Routes on reports.bp."""

from __future__ import annotations

import tempfile

import sqlalchemy as sa
from flask import render_template, send_file
from flask_babel import gettext as _
from flask_login import current_user

from hrfund.auth.anonymous import is_placeholder
from hrfund.auth.models import Role, User
from hrfund.core.audit import AuditEvent
from hrfund.core.db import utcnow
from hrfund.core.errors import NotFound
from hrfund.core.permissions import roles_required
from hrfund.extensions import db
from hrfund.reports import personal_data, retention
from hrfund.reports.blueprint import bp


@bp.get("/privacy/retention")
@roles_required(Role.HR, Role.AUDITOR)
def retention_periods():
    now = utcnow()
    due = retention.due_counts(now)
    last_run = db.session.scalar(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "retention.run")
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    rows = [
        {
            "kind": kind,
            "days": retention.retention_days(kind.key),
            "cutoff": retention.cutoff(kind.key, now),
            "due": due[kind.key],
        }
        for kind in retention.KINDS
    ]
    labels = {kind.key: kind.label for kind in retention.KINDS}
    return render_template("reports/retention.html", rows=rows, last_run=last_run, labels=labels)


@bp.get("/privacy/people/<int:user_id>/export")
@roles_required(Role.HR)
def personal_data_export(user_id: int):
    user = db.session.get(User, user_id)
    if user is None or is_placeholder(user):
        raise NotFound(_("Not found."))
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (send_file closes it)
    personal_data.export_personal_data(current_user, user, out)
    db.session.commit()
    out.seek(0)
    response = send_file(
        out,
        mimetype="application/zip",
        as_attachment=True,
        download_name=personal_data.export_filename(user),
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
