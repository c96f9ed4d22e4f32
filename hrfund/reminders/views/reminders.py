"""The reminder rules and the delivery log (/reminders/...), for HR and auditors; the admin reads
the delivery log too (failed e-mail is an operations matter), and only HR retries."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from hrfund.core.errors import ValidationFailed
from hrfund.core.inputs import parse_id
from hrfund.core.pagination import paginate, parse_page_args
from hrfund.core.permissions import may_open, roles_required
from hrfund.extensions import db
from hrfund.reminders import exports, services
from hrfund.reminders import rules as rule_services
from hrfund.reminders.blueprint import bp
from hrfund.reminders.models import Channel, Delivery, DeliveryStatus, ReminderRule
from hrfund.reminders.registry import BEFORE_KINDS, KIND_LABELS


def _page_args():
    return parse_page_args(request.args, current_app.config["PAGE_SIZE"], 200)


# ---------------------------------------------------------------- rules and deliveries (HR)


@bp.route("/reminders/rules")
@roles_required("hr", "auditor")
def rules():
    rows = db.session.scalars(_rules_query()).all()
    return render_template(
        "reminders/rules.html",
        rules=rows,
        kind_labels=KIND_LABELS,
        before_kinds=BEFORE_KINDS,
        audience_labels=rule_services.AUDIENCE_LABELS,
        can_edit=may_open("reminders.update_rule"),
    )


def _rules_query() -> sa.Select:
    return sa.select(ReminderRule).order_by(ReminderRule.id)


@bp.route("/reminders/rules/<int:rule_id>", methods=["POST"])
@roles_required("hr")
def update_rule(rule_id: int):
    rule = rule_services.get_rule_or_404(rule_id)
    try:
        offset = int(request.form.get("offset_days", ""))
    except ValueError:
        offset = -1
    try:
        rule_services.update_rule(
            current_user,
            rule,
            offset_days=offset,
            enabled=request.form.get("enabled") == "on",
            channels=",".join(request.form.getlist("channels")),
        )
    except ValidationFailed as error:
        flash("; ".join(m for ms in error.fields.values() for m in ms) or error.message, "danger")
        return redirect(url_for("reminders.rules"))
    flash(_("Rule saved."), "success")
    return redirect(url_for("reminders.rules"))


def _delivery_filters() -> dict:
    """The delivery log's filters from the query string; unknown values mean "all"."""
    filters = {
        "status": request.args.get("status", ""),
        "channel": request.args.get("channel", ""),
        "q": (request.args.get("q") or "").strip(),
        "rule_id": parse_id(request.args.get("rule_id")),
    }
    if filters["status"] not in ("", *DeliveryStatus):
        filters["status"] = ""
    if filters["channel"] not in ("", *Channel):
        filters["channel"] = ""
    return filters


def _deliveries_stmt(filters: dict) -> sa.Select:
    return rule_services.deliveries_query(**filters).options(
        so.joinedload(Delivery.rule), so.joinedload(Delivery.recipient)
    )


@bp.route("/reminders/deliveries")
@roles_required("hr", "auditor", "admin")
def deliveries():
    filters = _delivery_filters()
    page = paginate(_deliveries_stmt(filters), *_page_args())
    rule_rows = db.session.scalars(_rules_query()).all()
    return render_template(
        "reminders/deliveries.html",
        page=page,
        rules=rule_rows,
        kind_labels=KIND_LABELS,
        delivery_status_labels=rule_services.DELIVERY_STATUS_LABELS,
        channel_labels=rule_services.CHANNEL_LABELS,
        **filters,
    )


@bp.route("/reminders/deliveries/export.<any(csv, xlsx):fmt>")
@roles_required("hr", "auditor", "admin")
def deliveries_export(fmt: str):
    return exports.deliveries_response(fmt, _deliveries_stmt(_delivery_filters()))


@bp.route("/reminders/deliveries/<int:delivery_id>/retry", methods=["POST"])
@roles_required("hr")
def retry_delivery(delivery_id: int):
    delivery = db.session.get(Delivery, delivery_id)
    if delivery is None:
        abort(404)
    try:
        services.retry_delivery(current_user, delivery)
    except ValidationFailed as error:
        flash(error.message, "danger")
        return redirect(url_for("reminders.deliveries"))
    flash(_("The e-mail will be sent again at the next dispatch."), "success")
    return redirect(url_for("reminders.deliveries", status="failed"))
