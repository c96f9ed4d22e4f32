"""Placement pages: lists by scope, detail with milestones, reports and history, HR actions."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrfund.auth.models import Role, User, named_person
from hrfund.auth.services import get_user_by_email
from hrfund.core.errors import FORM_REFUSALS, NotFound, ValidationFailed
from hrfund.core.files import send_stored_file
from hrfund.core.fiscal import tokyo_today
from hrfund.core.form_checks import check_then_run, page_status
from hrfund.core.forms import show_errors
from hrfund.core.i18n import localized_name
from hrfund.core.pagination import paginate, parse_page_args
from hrfund.core.permissions import login_required, may_open, roles_required
from hrfund.extensions import db
from hrfund.fund.services import placement_totals
from hrfund.org.models import PartnerCity
from hrfund.placements import date_rules, exports, services
from hrfund.placements import milestones as ms
from hrfund.placements.blueprint import bp
from hrfund.placements.forms import (
    ArrivalForm,
    CommentForm,
    CompleteForm,
    ConfirmPlacementForm,
    MilestoneForm,
    PlacementForm,
    ReportForm,
)
from hrfund.placements.models import Milestone, Placement, Report

LIST_FILTERS = ("direction", "status", "city", "department", "q")
#: What a row of the list shows, and no more: the city's names (not its JSON of cooperation
#: areas), the person's name (not their roles), none of the placement's other columns.
LIST_LOADS = (
    so.load_only(
        Placement.id,
        Placement.direction,
        Placement.status,
        Placement.city_id,
        Placement.person_id,
        Placement.guest_name,
        Placement.start_on,
        Placement.end_on,
    ),
    so.joinedload(Placement.city).load_only(
        PartnerCity.code, PartnerCity.name_ja, PartnerCity.name_en
    ),
    named_person(Placement.person),
)


def _date_arg(name: str) -> date | None:
    raw = request.args.get(name) or ""
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise ValidationFailed(
            _("Enter a date as YYYY-MM-DD."), fields={name: ["YYYY-MM-DD"]}
        ) from None


def _filtered():
    filters = {name: (request.args.get(name) or "").strip() or None for name in LIST_FILTERS}
    stmt = services.filtered(
        current_user, starts_after=_date_arg("from"), starts_before=_date_arg("until"), **filters
    )
    return stmt, filters


@bp.route("/placements")
@login_required
def index():
    page, per_page = parse_page_args(request.args, current_app.config["PAGE_SIZE"], 200)
    stmt, filters = _filtered()
    result = paginate(stmt.options(*LIST_LOADS), page, per_page)
    ids = [p.id for p in result.items]
    cities = (
        db.session.scalars(sa.select(PartnerCity).order_by(PartnerCity.code)).all()
        if not current_user.has_role(Role.COORDINATOR) or current_user.has_role(Role.HR)
        else []
    )
    return render_template(
        "placements/index.html",
        page=result,
        filters=filters,
        totals=placement_totals(ids),
        overdue=ms.overdue_counts(ids, tokyo_today()),
        cities=cities,
        can_create=may_open("placements.new"),
        can_export=may_open("placements.export"),
    )


@bp.route("/placements/export.<fmt>")
@roles_required(Role.HR, Role.AUDITOR)
def export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    return exports.placements_response(fmt, _filtered()[0])


@bp.route("/placements/<int:placement_id>")
@login_required
def detail(placement_id: int):
    return _detail_page(services.get_placement_or_404(placement_id, current_user))


def _detail_page(placement: Placement, status: int = 200, **forms):
    """The detail page; a refused action shows it again with its filled-in form (``forms``)
    and a 4xx status, which also rolls the request back."""
    reports = db.session.scalars(
        sa.select(Report).where(Report.placement_id == placement.id).order_by(Report.kind)
    ).all()
    blank = {
        "confirm_form": ConfirmPlacementForm,
        "comment_form": CommentForm,
        "complete_form": CompleteForm,
        "arrival_form": ArrivalForm,
        "report_form": ReportForm,
        "milestone_form": MilestoneForm,
    }
    return render_template(
        "placements/detail.html",
        placement=placement,
        reports=reports,
        totals=placement_totals([placement.id])[placement.id],
        today=tokyo_today(),
        history=(history := services.MACHINE.history(placement)),
        ended_early=date_rules.ended_early(history),
        open_milestones=date_rules.open_milestones(placement),
        actions={t.action: t for t in services.MACHINE.actions_for(placement, current_user)},
        can_report=ms.can_submit_report(current_user, placement),
        tickable={m.id for m in placement.milestones if ms.may_complete(current_user, m)},
        is_hr=current_user.has_role(Role.HR),
        **{name: forms.get(name) or make() for name, make in blank.items()},
    ), status


@bp.route("/placements/new", methods=["GET", "POST"])
@roles_required(Role.HR)
def new():
    form, city = _placement_form()
    values = {
        "person": get_user_by_email(form.person.data or ""),
        "city": city,
        "start_on": form.start_on.data,
        "end_on": form.end_on.data,
        "amount_jpy": form.amount_jpy.data,
    }
    purpose = form.purpose.data
    # the service tells the city's coordinator: its checks run with the form's, it only after
    placement = check_then_run(
        form,
        lambda: services.check_outgoing_placement(current_user, **values),
        lambda: services.create_outgoing_placement(current_user, **values, purpose=purpose),
    )
    if placement is None:
        return render_template("placements/new.html", form=form), page_status(form)
    flash(_("The placement is proposed to %(city)s.", city=localized_name(city)), "success")
    return redirect(url_for("placements.detail", placement_id=placement.id))


def _placement_form() -> tuple[PlacementForm, PartnerCity | None]:
    """The form with the active cities to choose from, and the city chosen."""
    form = PlacementForm()
    cities = db.session.scalars(
        sa.select(PartnerCity).where(PartnerCity.active.is_(True)).order_by(PartnerCity.code)
    ).all()
    form.city.choices = [(c.code, f"{c.code} {localized_name(c)}") for c in cities]
    return form, next((c for c in cities if c.code == form.city.data), None)


#: The fields of each action's form that its service takes.
ACTION_FIELDS = {
    "confirm": ("host_office", "host_supervisor", "comment"),
    "decline": ("comment",),
    "start": ("arrived_on", "comment"),
    "cancel": ("comment",),
    "complete": ("comment", "confirm_early"),
}


def _act(placement_id: int, action: str, form_name: str, form):
    """Run a transition with its form's fields; refused, the page comes back with what was
    typed in ``form``."""
    values = {name: getattr(form, name).data for name in ACTION_FIELDS[action]}
    placement = services.get_placement_or_404(placement_id, current_user)
    if not form.within_bounds():
        return _detail_page(placement, 422, **{form_name: form})
    try:
        services.ACTIONS[action](current_user, placement, **values)
    except FORM_REFUSALS as error:
        show_errors(form, error)
        return _detail_page(placement, 422, **{form_name: form})
    flash(
        _("Done: the placement is %(state)s.", state=placement.status.label),
        "success",
    )
    return redirect(url_for("placements.detail", placement_id=placement.id))


@bp.route("/placements/<int:placement_id>/confirm", methods=["POST"])
@roles_required(Role.COORDINATOR, Role.HR)
def confirm(placement_id: int):
    return _act(placement_id, "confirm", "confirm_form", ConfirmPlacementForm())


@bp.route("/placements/<int:placement_id>/decline", methods=["POST"])
@roles_required(Role.COORDINATOR, Role.HR)
def decline(placement_id: int):
    return _act(placement_id, "decline", "comment_form", CommentForm())


@bp.route("/placements/<int:placement_id>/start", methods=["POST"])
@roles_required(Role.COORDINATOR, Role.HR)
def start(placement_id: int):
    return _act(placement_id, "start", "arrival_form", ArrivalForm())


@bp.route("/placements/<int:placement_id>/cancel", methods=["POST"])
@roles_required(Role.HR)
def cancel(placement_id: int):
    return _act(placement_id, "cancel", "comment_form", CommentForm())


def _milestone_or_404(placement_id: int, milestone_id: int) -> Milestone:
    return _part_or_404(Milestone, placement_id, milestone_id, _("No such milestone."))


P = TypeVar("P", Milestone, Report)


def _part_or_404(model: type[P], placement_id: int, part_id: int, missing: str) -> P:
    """A milestone or report of a placement the user sees; one of another placement is not
    found either, whatever the URL says."""
    placement = services.get_placement_or_404(placement_id, current_user)
    part = db.session.get(model, part_id)
    if part is None or part.placement_id != placement.id:
        raise NotFound(missing)
    return part


@bp.route("/placements/<int:placement_id>/milestones/<int:milestone_id>", methods=["POST"])
@roles_required(Role.HR)
def adjust_milestone(placement_id: int, milestone_id: int):
    milestone = _milestone_or_404(placement_id, milestone_id)
    form = MilestoneForm()
    if not form.validate_on_submit():
        flash(_("Enter a date as YYYY-MM-DD."), "danger")
        return redirect(url_for("placements.detail", placement_id=placement_id)), 303
    try:
        ms.adjust_milestone(current_user, milestone, form.due_on.data)
    except FORM_REFUSALS as error:
        flash(error.message, "danger")
        return redirect(url_for("placements.detail", placement_id=placement_id)), 303
    flash(_("The due date is changed."), "success")
    return redirect(url_for("placements.detail", placement_id=placement_id))


@bp.route("/placements/<int:placement_id>/milestones/<int:milestone_id>/done", methods=["POST"])
@login_required
def milestone_done(placement_id: int, milestone_id: int):
    ms.complete_milestone(current_user, _milestone_or_404(placement_id, milestone_id))
    flash(_("The milestone is done."), "success")
    return redirect(url_for("placements.detail", placement_id=placement_id))


@bp.route("/placements/<int:placement_id>/reports", methods=["POST"])
@roles_required(Role.EMPLOYEE)
def submit_report(placement_id: int):
    placement = services.get_placement_or_404(placement_id, current_user)
    form = ReportForm()
    try:
        ms.submit_report(
            current_user, placement, form.kind.data, form.summary.data, request.files.get("file")
        )
    except FORM_REFUSALS as error:  # shown again with the summary typed; nothing is kept
        show_errors(form, error)
        return _detail_page(placement, 422, report_form=form)
    flash(_("Your report is submitted."), "success")
    return redirect(url_for("placements.detail", placement_id=placement.id))


def _report_or_404(placement_id: int, report_id: int) -> Report:
    return _part_or_404(Report, placement_id, report_id, _("No such report."))


@bp.route("/placements/<int:placement_id>/reports/<int:report_id>/acknowledge", methods=["POST"])
@roles_required(Role.HR)
def acknowledge_report(placement_id: int, report_id: int):
    ms.acknowledge_report(current_user, _report_or_404(placement_id, report_id))
    flash(_("The report is acknowledged."), "success")
    return redirect(url_for("placements.detail", placement_id=placement_id))


@bp.route("/placements/<int:placement_id>/reports/<int:report_id>/file")
@login_required
def report_file(placement_id: int, report_id: int):
    report = _report_or_404(placement_id, report_id)
    if report.file is None:
        raise NotFound(_("This report has no file."))
    # whoever may see the placement may read its report (scope checked above)
    return send_stored_file(report.file, current_user, can_view=lambda _f, _u: True)


def _months_from(first: date) -> list[date]:
    """The first days of the twelve months from ``first``'s."""
    return [
        date(first.year + (first.month + i - 1) // 12, (first.month + i - 1) % 12 + 1, 1)
        for i in range(12)
    ]


@bp.route("/placements/timeline")
@roles_required(Role.HR, Role.AUDITOR, Role.COORDINATOR)
def timeline():
    """Placements per city over a fiscal year, month by month."""
    from hrfund.core.fiscal import current_fiscal_year, fiscal_year_bounds
    from hrfund.core.inputs import parse_year

    year = parse_year(request.args.get("fiscal_year"), default=current_fiscal_year())
    first, last = fiscal_year_bounds(year)
    stmt = (
        services.visible_to(current_user)
        .where(
            Placement.start_on <= last,
            Placement.end_on >= first,
            Placement.status.notin_(["declined", "cancelled"]),
        )
        .options(so.joinedload(Placement.city), so.joinedload(Placement.person))
        .order_by(Placement.city_id, Placement.start_on)
        .limit(500)
    )
    placements = db.session.scalars(stmt).unique().all()
    return render_template(
        "placements/timeline.html",
        placements=placements,
        months=_months_from(first),
        fiscal_year=year,
        user_lookup=User,
    )


# Completing: before its end date only when HR confirms it ended early.
@bp.route("/placements/<int:placement_id>/complete", methods=["POST"])
@roles_required(Role.HR)
def complete(placement_id: int):
    return _act(placement_id, "complete", "complete_form", CompleteForm())
