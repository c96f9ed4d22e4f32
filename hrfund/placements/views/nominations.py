"""Nominations (/nominations): coordinators nominate their staff, HR accepts or rejects."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrfund.auth.models import Role
from hrfund.core.errors import ValidationFailed
from hrfund.core.form_checks import check_then_run, page_status
from hrfund.core.forms import show_errors
from hrfund.core.i18n import localized_name
from hrfund.core.pagination import paginate, parse_page_args
from hrfund.core.permissions import may_open, roles_required
from hrfund.extensions import db
from hrfund.org.forms import AREA_LABELS
from hrfund.org.models import Department
from hrfund.placements import exports
from hrfund.placements import nomination_details as details
from hrfund.placements import nominations as service
from hrfund.placements.blueprint import bp
from hrfund.placements.forms import (
    AcceptNominationForm,
    CommentForm,
    NominationForm,
)
from hrfund.placements.models import Nomination


@bp.route("/nominations")
@roles_required(Role.COORDINATOR, Role.HR, Role.AUDITOR)
def nominations():
    page, per_page = parse_page_args(request.args, current_app.config["PAGE_SIZE"], 200)
    status = request.args.get("status") or None
    stmt = service.filtered_nominations(current_user, status=status).options(
        so.joinedload(Nomination.city), so.joinedload(Nomination.placement)
    )
    return render_template(
        "placements/nominations.html",
        page=paginate(stmt, page, per_page),
        status=status,
        can_nominate=may_open("placements.nominate"),
        can_export=may_open("placements.nominations_export"),
    )


@bp.route("/nominations/export.<any(csv, xlsx):fmt>")
@roles_required(Role.HR, Role.AUDITOR)
def nominations_export(fmt: str):
    # Scoped like the page, should coordinators ever be let in.
    stmt = service.filtered_nominations(current_user, status=request.args.get("status") or None)
    return exports.nominations_response(fmt, stmt)


@bp.route("/nominations/new", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def nominate():
    form = _nomination_form()
    values = _nomination_values(form)
    upload = form.cv.data
    cv = (upload.stream, upload.filename) if getattr(upload, "filename", "") else None
    # the service stores the CV and tells HR: its checks run with the form's, it only after
    nomination = check_then_run(
        form,
        lambda: details.check_nomination(current_user, **values),
        lambda: service.nominate(current_user, **values, cv=cv),
    )
    if nomination is None:
        return render_template("placements/nominate.html", form=form), page_status(form)
    flash(_("%(name)s is nominated; HR in Tokyo will answer.", name=nomination.name), "success")
    return redirect(url_for("placements.nomination", nomination_id=nomination.id))


def _nomination_form() -> NominationForm:
    form = NominationForm()
    departments = db.session.scalars(sa.select(Department).order_by(Department.code)).all()
    form.preferred_department.choices = [("", "—")] + [
        (d.code, f"{d.code} {localized_name(d)}") for d in departments
    ]
    return form


def _nomination_values(form: NominationForm) -> dict:
    return {
        "name": form.name.data,
        "email": form.email.data,
        "position": form.position.data,
        "start_on": form.start_on.data,
        "end_on": form.end_on.data,
        "details": {name: getattr(form, name).data for name in details.FIELDS},
    }


def _accept_form(nomination: Nomination | None = None) -> AcceptNominationForm:
    form = AcceptNominationForm()
    departments = db.session.scalars(sa.select(Department).order_by(Department.code)).all()
    form.host_department.choices = [(d.code, f"{d.code} {localized_name(d)}") for d in departments]
    if nomination is not None and nomination.preferred_department and not form.is_submitted():
        form.host_department.data = nomination.preferred_department.code  # the city's wish
    return form


@bp.route("/nominations/<int:nomination_id>")
@roles_required(Role.COORDINATOR, Role.HR, Role.AUDITOR)
def nomination(nomination_id: int):
    item = service.get_nomination_or_404(nomination_id, current_user)
    return render_template(
        "placements/nomination.html",
        nomination=item,
        accept_form=_accept_form(item),
        reject_form=CommentForm(),
        can_decide=details.can_decide(current_user, item),
        history=details.history(item),
        area_labels=AREA_LABELS,
    )


@bp.route("/nominations/<int:nomination_id>/cv")
@roles_required(Role.COORDINATOR, Role.HR, Role.AUDITOR)
def nomination_cv(nomination_id: int):
    item = service.get_nomination_or_404(nomination_id, current_user)
    return details.send_cv(item, current_user)


@bp.route("/nominations/<int:nomination_id>/accept", methods=["POST"])
@roles_required(Role.HR)
def accept_nomination(nomination_id: int):
    item = service.get_nomination_or_404(nomination_id, current_user)
    form = _accept_form()
    if form.validate_on_submit():
        department = _department(form.host_department.data)
        try:
            placement = service.accept_nomination(
                current_user, item, host_department=department, amount_jpy=form.amount_jpy.data
            )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(
                _("%(name)s will be hosted; the placement is confirmed.", name=item.name), "success"
            )
            return redirect(url_for("placements.detail", placement_id=placement.id))
    return render_template(
        "placements/nomination.html",
        nomination=item,
        accept_form=form,
        reject_form=CommentForm(),
        can_decide=details.can_decide(current_user, item),
        history=details.history(item),
        area_labels=AREA_LABELS,
    ), 422


def _department(code: str | None) -> Department | None:
    """The host department the form names, or None (the service says what is missing)."""
    return db.session.scalar(sa.select(Department).where(Department.code == code))


@bp.route("/nominations/<int:nomination_id>/reject", methods=["POST"])
@roles_required(Role.HR)
def reject_nomination(nomination_id: int):
    item = service.get_nomination_or_404(nomination_id, current_user)
    try:
        service.reject_nomination(current_user, item, comment=CommentForm().comment.data)
    except ValidationFailed as error:
        flash(error.message, "danger")
        return redirect(url_for("placements.nomination", nomination_id=item.id)), 303
    flash(_("The nomination is declined."), "success")
    return redirect(url_for("placements.nominations"))
