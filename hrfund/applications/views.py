"""Pages of calls: the list with deadlines and eligibility, HR's editor and state actions."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrfund.applications import calls as call_service
from hrfund.applications.forms import CallForm
from hrfund.applications.models import Application, Call, CallSlot, CallStatus
from hrfund.auth.models import Role
from hrfund.core.errors import ValidationFailed
from hrfund.core.exports import date_text, export_response, keyset_rows
from hrfund.core.fiscal import current_fiscal_year, tokyo_today
from hrfund.core.forms import show_errors
from hrfund.core.i18n import localized_name
from hrfund.core.pagination import paginate, parse_page_args
from hrfund.core.permissions import login_required, roles_required
from hrfund.extensions import db
from hrfund.org.models import PartnerCity
from hrfund.training.eligibility import eligibility
from hrfund.training.labels import TEST_LABELS
from hrfund.training.models import TrainingProgram

bp = Blueprint("applications", __name__)


@bp.route("/calls")
@login_required
def calls():
    page, per_page = parse_page_args(request.args, current_app.config["PAGE_SIZE"], 200)
    status = request.args.get("status") or None
    stmt = call_service.visible_calls(current_user, status=status)
    result = paginate(stmt, page, per_page)
    mine = {}
    checks = {}
    if current_user.has_role(Role.EMPLOYEE) and result.items:
        ids = [c.id for c in result.items]
        mine = dict(
            db.session.execute(
                sa.select(Application.call_id, Application.id).where(
                    Application.call_id.in_(ids),
                    Application.applicant_id == current_user.id,
                    Application.status != "withdrawn",
                )
            ).all()
        )
        today = tokyo_today()
        checks = {
            c.id: eligibility(current_user, c.rules, on=today)
            for c in result.items
            if c.status == CallStatus.OPEN
        }
    return render_template(
        "applications/calls.html",
        page=result,
        status=status,
        mine=mine,
        checks=checks,
        closes_at=call_service.deadline,
        can_create=current_user.has_role(Role.HR),
        can_export=current_user.has_role(Role.HR, Role.AUDITOR),
    )


@bp.route("/calls/export.<any(csv, xlsx):fmt>")
@roles_required(Role.HR, Role.AUDITOR)
def calls_export(fmt: str):
    stmt = call_service.visible_calls(current_user, status=request.args.get("status") or None)
    header = [
        _("Call"),
        _("Title"),
        _("Fiscal year"),
        _("Status"),
        _("Opens on"),
        _("Closes on"),
        _("Partner cities"),
        _("Positions"),
        _("Estimated cost (yen)"),
    ]

    def row(c: Call) -> list:
        return [
            c.id,
            localized_name(c),
            c.fiscal_year,
            c.status.value,
            date_text(c.opens_on),
            date_text(c.closes_on),
            ", ".join(s.city.code for s in c.slots),
            sum(s.positions for s in c.slots),
            sum(s.estimated_cost_jpy for s in c.slots),
        ]

    stmt = stmt.options(so.selectinload(Call.slots).joinedload(CallSlot.city))  # no N+1
    rows = keyset_rows(stmt, Call.id, row, newest_first=True)
    return export_response(fmt, "calls", _("Calls for applications"), header, rows)


@bp.route("/calls/<int:call_id>")
@login_required
def call(call_id: int):
    item = call_service.get_call_or_404(call_id, current_user)
    mine = None
    check = None
    if current_user.has_role(Role.EMPLOYEE):
        mine = db.session.scalar(
            sa.select(Application).where(
                Application.call_id == item.id,
                Application.applicant_id == current_user.id,
                Application.status != "withdrawn",
            )
        )
        check = eligibility(current_user, item.rules, on=tokyo_today())
    programs = {
        p.id: p
        for p in db.session.scalars(
            sa.select(TrainingProgram).where(
                TrainingProgram.id.in_(item.rules.get("required_programs") or [])
            )
        )
    }
    return render_template(
        "applications/call.html",
        call=item,
        mine=mine,
        check=check,
        programs=programs,
        test_labels=TEST_LABELS,
        window_open=call_service.window_is_open(item),
        opens_at=call_service.opens_at(item),
        closes_at=call_service.deadline(item),
        actions=[t.action for t in call_service.CALL_MACHINE.actions_for(item, current_user)],
    )


def _call_form() -> CallForm:
    form = CallForm()
    cities = db.session.scalars(
        sa.select(PartnerCity).where(PartnerCity.active.is_(True)).order_by(PartnerCity.code)
    ).all()
    for entry in form.slots:
        entry.form.city.choices = [("", "—")] + [
            (c.code, f"{c.code} {localized_name(c)}") for c in cities
        ]
    form.language_test.choices = [("", "—")] + [
        (k.value if hasattr(k, "value") else k, str(v)) for k, v in TEST_LABELS.items()
    ]
    programs = db.session.scalars(
        sa.select(TrainingProgram).order_by(TrainingProgram.id).limit(500)
    ).all()
    form.required_programs.choices = [("", "—")] + [
        (str(p.id), localized_name(p)) for p in programs
    ]
    if request.method == "GET" and not form.fiscal_year.data:
        form.fiscal_year.data = current_fiscal_year() + 1
    return form


def _rules_of(form: CallForm) -> dict:
    rules: dict = {}
    if form.min_years_of_service.data is not None:
        rules["min_years_of_service"] = form.min_years_of_service.data
    if form.language_test.data:
        score = form.language_min_score.data
        rules["language"] = {
            "test": form.language_test.data,
            "min_score": str(score if score is not None else Decimal(0)),
        }
    if form.required_programs.data:
        rules["required_programs"] = [int(form.required_programs.data)]
    return rules


@bp.route("/calls/new", methods=["GET", "POST"])
@roles_required(Role.HR)
def new_call():
    form = _call_form()
    if form.validate_on_submit():
        slots = [
            {
                "city": e.form.city.data,
                "positions": e.form.positions.data,
                "months": e.form.months.data,
                "estimated_cost_jpy": e.form.estimated_cost_jpy.data,
            }
            for e in form.slots
            if e.form.city.data
        ]
        try:
            item = call_service.create_call(
                current_user,
                title_ja=form.title_ja.data,
                title_en=form.title_en.data,
                fiscal_year=form.fiscal_year.data,
                opens_on=form.opens_on.data,
                closes_on=form.closes_on.data,
                slots=slots,
                rules=_rules_of(form),
                description=form.description.data,
            )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The call is saved as a draft. Open it when it is ready."), "success")
            return redirect(url_for("applications.call", call_id=item.id))
    status = 422 if form.is_submitted() else 200
    return render_template("applications/call_form.html", form=form), status


@bp.route("/calls/<int:call_id>/<any(open, close, decide):action>", methods=["POST"])
@roles_required(Role.HR)
def call_action(call_id: int, action: str):
    item = call_service.get_call_or_404(call_id, current_user)
    try:
        call_service.CALL_ACTIONS[action](current_user, item)
    except ValidationFailed as error:
        flash(error.message, "danger")
        return redirect(url_for("applications.call", call_id=item.id)), 303
    flash(
        _("The call is %(state)s.", state=call_service.STATE_LABELS[item.status.value]), "success"
    )
    return redirect(url_for("applications.call", call_id=item.id))


from hrfund.applications import (  # noqa: E402,F401  (same blueprint)
    application_views,
    delegation_views,
)
