"""Pages of calls: the list with deadlines and eligibility, HR's editor and state actions."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrfund.applications import calls as call_service
from hrfund.applications import exports
from hrfund.applications.blueprint import bp
from hrfund.applications.forms import CallForm
from hrfund.applications.models import Call, CallStatus
from hrfund.applications.services import live_application, live_application_states
from hrfund.auth.models import Role
from hrfund.core.errors import ValidationFailed
from hrfund.core.fiscal import current_fiscal_year, tokyo_today
from hrfund.core.form_checks import run_with_form
from hrfund.core.i18n import localized_name
from hrfund.core.inputs import parse_id
from hrfund.core.pagination import paginate, parse_page_args
from hrfund.core.permissions import login_required, may_open, roles_required
from hrfund.extensions import db
from hrfund.org.models import PartnerCity
from hrfund.training.eligibility import eligibility
from hrfund.training.labels import TEST_LABELS
from hrfund.training.models import TrainingProgram


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
        mine = live_application_states(current_user, ids)
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
        can_create=may_open("applications.new_call"),
        can_export=may_open("applications.calls_export"),
    )


@bp.route("/calls/export.<any(csv, xlsx):fmt>")
@roles_required(Role.HR, Role.AUDITOR)
def calls_export(fmt: str):
    stmt = call_service.visible_calls(current_user, status=request.args.get("status") or None)
    return exports.calls_response(fmt, stmt)


@bp.route("/calls/<int:call_id>")
@login_required
def call(call_id: int):
    item = call_service.get_call_or_404(call_id, current_user)
    mine = None
    check = None
    if current_user.has_role(Role.EMPLOYEE):
        mine = live_application(current_user, item)
        check = eligibility(current_user, item.rules, on=tokyo_today())
    return render_template(
        "applications/call.html",
        call=item,
        mine=mine,
        check=check,
        programs=call_service.required_programs(item),
        test_labels=TEST_LABELS,
        window_open=call_service.window_is_open(item),
        opens_at=call_service.opens_at(item),
        closes_at=call_service.deadline(item),
        actions={t.action: t for t in call_service.CALL_MACHINE.actions_for(item, current_user)},
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
    if form.language_test.data or form.language_min_score.raw_data not in (None, [], [""]):
        # both parts go to the service, which says which one is missing or out of range
        score = form.language_min_score.data
        rules["language"] = {
            "test": form.language_test.data or None,
            "min_score": None if score is None else str(score),
        }
    if form.required_programs.data:  # not an id: the service says the rule is not valid
        program = parse_id(form.required_programs.data)
        rules["required_programs"] = [program if program else form.required_programs.data]
    return rules


#: The service's names of the rule fields, and the form's.
RULE_FIELDS = {
    "rules.language.test": "language_test",
    "rules.language.min_score": "language_min_score",
    "rules.min_years_of_service": "min_years_of_service",
}


def _create_call(form: CallForm) -> Call:
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
    return call_service.create_call(
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


@bp.route("/calls/new", methods=["GET", "POST"])
@roles_required(Role.HR)
def new_call():
    form = _call_form()
    item = run_with_form(form, lambda: _create_call(form), rename=RULE_FIELDS)
    if item is not None:
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
    flash(_("The call is %(state)s.", state=item.status.label), "success")
    return redirect(url_for("applications.call", call_id=item.id))
