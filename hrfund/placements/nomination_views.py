"""Coordinator portal pages: nominations, exchange balance and agreements, e-mail action links."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrfund.auth.models import Role
from hrfund.core.errors import NotFound, ValidationFailed
from hrfund.core.exports import date_text, export_response, keyset_rows, utc_text
from hrfund.core.form_checks import run_with_form
from hrfund.core.forms import show_errors
from hrfund.core.i18n import current_language, localized_name
from hrfund.core.pagination import paginate, parse_page_args
from hrfund.core.permissions import roles_required
from hrfund.extensions import db, limiter
from hrfund.org.models import Department
from hrfund.org.services import get_city_by_code
from hrfund.placements import nominations as service
from hrfund.placements.forms import (
    AcceptNominationForm,
    AgreementForm,
    CommentForm,
    ConfirmPlacementForm,
    NominationForm,
)
from hrfund.placements.models import ExchangeAgreement, Nomination
from hrfund.placements.views import bp


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
        can_nominate=current_user.has_role(Role.COORDINATOR),
        can_export=current_user.has_role(Role.HR, Role.AUDITOR),
    )


@bp.route("/nominations/export.<any(csv, xlsx):fmt>")
@roles_required(Role.HR, Role.AUDITOR)
def nominations_export(fmt: str):
    # Scoped like the page, should coordinators ever be let in.
    stmt = service.filtered_nominations(
        current_user, status=request.args.get("status") or None
    ).options(so.joinedload(Nomination.city))
    language = current_language()
    header = [
        _("Nomination"),
        _("Name"),
        _("E-mail address"),
        _("Position"),
        _("City"),
        _("Partner city"),
        _("Start"),
        _("End"),
        _("Status"),
        _("Placement"),
        _("Nominated at (UTC)"),
        _("Decided at (UTC)"),
    ]

    def row(n: Nomination) -> list:
        return [
            n.id,
            n.name,
            n.email,
            n.position,
            n.city.code,
            n.city.name(language),
            date_text(n.start_on),
            date_text(n.end_on),
            n.status.value,
            n.placement_id or "",
            utc_text(n.created_at),
            utc_text(n.decided_at),
        ]

    rows = keyset_rows(stmt, Nomination.id, row, newest_first=True)
    return export_response(fmt, "nominations", _("Nominations"), header, rows)


@bp.route("/nominations/new", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def nominate():
    form = NominationForm()
    nomination = run_with_form(  # the form's errors and the service's, on the first submit
        form,
        lambda: service.nominate(
            current_user,
            name=form.name.data,
            email=form.email.data,
            position=form.position.data,
            start_on=form.start_on.data,
            end_on=form.end_on.data,
        ),
    )
    if nomination is not None:
        flash(_("%(name)s is nominated; HR in Tokyo will answer.", name=nomination.name), "success")
        return redirect(url_for("placements.nomination", nomination_id=nomination.id))
    status = 422 if form.is_submitted() else 200
    return render_template("placements/nominate.html", form=form), status


def _accept_form() -> AcceptNominationForm:
    form = AcceptNominationForm()
    departments = db.session.scalars(sa.select(Department).order_by(Department.code)).all()
    form.host_department.choices = [(d.code, f"{d.code} {localized_name(d)}") for d in departments]
    return form


@bp.route("/nominations/<int:nomination_id>")
@roles_required(Role.COORDINATOR, Role.HR, Role.AUDITOR)
def nomination(nomination_id: int):
    item = service.get_nomination_or_404(nomination_id, current_user)
    return render_template(
        "placements/nomination.html",
        nomination=item,
        accept_form=_accept_form(),
        reject_form=CommentForm(),
        can_decide=current_user.has_role(Role.HR),
    )


@bp.route("/nominations/<int:nomination_id>/accept", methods=["POST"])
@roles_required(Role.HR)
def accept_nomination(nomination_id: int):
    item = service.get_nomination_or_404(nomination_id, current_user)
    form = _accept_form()
    if form.validate_on_submit():
        department = db.session.scalar(
            sa.select(Department).where(Department.code == form.host_department.data)
        )
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
        can_decide=True,
    ), 422


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


def _city_in_scope(code: str):
    city = get_city_by_code(code)
    if current_user.has_role(Role.HR, Role.AUDITOR) or current_user.city_id == city.id:
        return city
    raise NotFound(_("No partner city with code %(code)s.", code=code))


@bp.route("/cities/<code>/exchanges")
@roles_required(Role.HR, Role.AUDITOR, Role.COORDINATOR)
def exchanges(code: str):
    city = _city_in_scope(code)
    agreements = db.session.scalars(
        sa.select(ExchangeAgreement)
        .where(ExchangeAgreement.city_id == city.id)
        .order_by(ExchangeAgreement.starts_on.desc())
    ).all()
    return render_template(
        "placements/exchanges.html",
        city=city,
        agreements=agreements,
        balance=service.exchange_balance(city),
        can_edit=current_user.has_role(Role.HR),
    )


@bp.route("/cities/<code>/agreements/new", methods=["GET", "POST"])
@roles_required(Role.HR)
def new_agreement(code: str):
    city = _city_in_scope(code)
    form = AgreementForm()
    agreement = run_with_form(  # the form's errors and the service's, on the first submit
        form,
        lambda: service.create_agreement(
            current_user,
            city=city,
            title=form.title.data,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            outgoing_people=form.outgoing_people.data,
            outgoing_person_months=form.outgoing_person_months.data,
            incoming_people=form.incoming_people.data,
            incoming_person_months=form.incoming_person_months.data,
        ),
    )
    if agreement is not None:
        flash(_("The agreement is saved."), "success")
        return redirect(url_for("placements.exchanges", code=city.code))
    status = 422 if form.is_submitted() else 200
    return render_template("placements/agreement_form.html", form=form, city=city), status


@bp.route("/act/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute")
def action_link(token: str):
    """A coordinator acts from the e-mail: details first, then confirm or decline, once."""
    placement, coordinator, _jti = service.load_action_link(token)
    confirm_form, decline_form = ConfirmPlacementForm(), CommentForm()
    if request.method == "POST":
        action = request.form.get("action")
        form = confirm_form if action == "confirm" else decline_form
        try:
            service.use_action_link(
                token,
                action or "",
                comment=form.comment.data or "",
                host_office=getattr(form, "host_office", None) and form.host_office.data or "",
                host_supervisor=getattr(form, "host_supervisor", None)
                and form.host_supervisor.data
                or "",
            )
        except ValidationFailed as error:
            show_errors(form, error)
            return render_template(
                "placements/action_link.html",
                placement=placement,
                coordinator=coordinator,
                confirm_form=confirm_form,
                decline_form=decline_form,
            ), 422
        return render_template("placements/action_done.html", placement=placement)
    return render_template(
        "placements/action_link.html",
        placement=placement,
        coordinator=coordinator,
        confirm_form=confirm_form,
        decline_form=decline_form,
    )
