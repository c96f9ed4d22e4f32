"""Pages of applications: apply, edit, attach, the queues of managers and HR, decisions."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrfund.applications import exports, listing, services
from hrfund.applications.blueprint import bp
from hrfund.applications.calls import deadline, get_call_or_404
from hrfund.applications.forms import (
    ApplicationForm,
    ApproveForm,
    AttachmentForm,
    DecisionForm,
)
from hrfund.applications.models import Application, ApplicationStatus, Attachment, Call
from hrfund.auth.models import Role
from hrfund.core.errors import (
    FORM_REFUSALS,
    Conflict,
    InsufficientFunds,
    NotFound,
    ValidationFailed,
)
from hrfund.core.files import send_stored_file
from hrfund.core.fiscal import fiscal_year_of, tokyo_today
from hrfund.core.form_checks import run_with_form
from hrfund.core.forms import show_errors
from hrfund.core.i18n import current_language, localized_name
from hrfund.core.labels import state_label
from hrfund.core.pagination import list_count_cap, parse_page_args
from hrfund.core.permissions import login_required, may_open, roles_required
from hrfund.extensions import db
from hrfund.placements.models import Placement, PlacementStatus

FILTERS = ("status", "call_id", "city", "department", "q", "eligible", "sort")


def _flash_refusal(error: ValidationFailed) -> None:
    messages = [error.message, *[m for ms in error.fields.values() for m in ms]]
    flash(" ".join(dict.fromkeys(messages)), "danger")


def _application_form(call: Call, application: Application | None = None) -> ApplicationForm:
    form = (
        ApplicationForm(obj=application)
        if application and request.method == "GET"
        else ApplicationForm()
    )
    choices = [("", "—")] + [
        (s.city.code, f"{s.city.code} {s.city.name_en} / {s.city.name_ja}") for s in call.slots
    ]
    for n in (1, 2, 3):
        getattr(form, f"preference_{n}").choices = choices
    if application is not None and request.method == "GET":
        for n, code in enumerate(application.preference_codes, 1):
            getattr(form, f"preference_{n}").data = code
    return form


def _values(form: ApplicationForm) -> dict:
    return {
        "preferences": [getattr(form, f"preference_{n}").data for n in (1, 2, 3)],
        "statement": form.statement.data,
        "start_on": form.start_on.data,
        "end_on": form.end_on.data,
        "travel_jpy": form.travel_jpy.data or 0,
        "stipend_jpy": form.stipend_jpy.data or 0,
        "housing_jpy": form.housing_jpy.data or 0,
    }


def _save(form: ApplicationForm, save) -> Application | None:
    """Save the draft with the form's own checks, so that every error is said on the first
    submit (a draft's effects are all in the database); submit it only once all pass, since
    submitting tells the manager. A refused submit answers 422, which keeps nothing."""
    application = run_with_form(form, save, rename={"preferences": "preference_1"})
    if application is None or not form.submit_application.data:
        return application
    try:
        services.submit_application(current_user, application)
    except FORM_REFUSALS as error:
        show_errors(form, error)
        return None
    return application


def _saved(form: ApplicationForm, application: Application):
    flash(
        _("Your application is submitted.")
        if form.submit_application.data
        else _("Your draft is saved."),
        "success",
    )
    return redirect(url_for("applications.application", application_id=application.id))


@bp.route("/calls/<int:call_id>/apply", methods=["GET", "POST"])
@roles_required(Role.EMPLOYEE)
def apply(call_id: int):
    call = get_call_or_404(call_id, current_user)
    form = _application_form(call)
    application = _save(
        form, lambda: services.create_application(current_user, call, **_values(form))
    )
    if application is not None:
        return _saved(form, application)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "applications/application_form.html", form=form, call=call, application=None
    ), status


@bp.route("/applications/<int:application_id>/edit", methods=["GET", "POST"])
@roles_required(Role.EMPLOYEE)
def edit(application_id: int):
    application = services.get_application_or_404(application_id, current_user)
    form = _application_form(application.call, application)
    if _save(form, lambda: services.update_application(current_user, application, **_values(form))):
        return _saved(form, application)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "applications/application_form.html",
        form=form,
        call=application.call,
        application=application,
    ), status


def _listed(filters: dict[str, Any]) -> sa.Select[Application]:
    """The list's applications with its filters; a wrong filter is said and shows nothing."""
    try:
        return services.filtered(
            current_user,
            **{k: v for k, v in filters.items() if k != "sort"},
            sort=filters["sort"] or "-updated",
        )
    except ValidationFailed as error:
        flash(error.message, "warning")
        return services.visible_to(current_user).where(sa.false())


@bp.route("/applications")
@login_required
def applications():
    page, per_page = parse_page_args(request.args, current_app.config["PAGE_SIZE"], 200)
    filters = {name: (request.args.get(name) or "").strip() or None for name in FILTERS}
    lang = current_language()
    listed = listing.list_page(
        _listed(filters), page, per_page, count_cap=list_count_cap(), locale=lang
    )
    # the filter's calls: their names only
    calls = listing.call_choices(lang) if current_user.has_role(Role.HR, Role.AUDITOR) else []
    return render_template(
        "applications/applications.html",
        page=listed,
        filters=filters,
        calls=calls,
        can_export=may_open("applications.export"),
        status_labels={s.value: state_label(s.value) for s in ApplicationStatus},  # once a page
    )


@bp.route("/applications/export.<fmt>")
@roles_required(Role.HR, Role.AUDITOR)
def export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    filters = {name: (request.args.get(name) or "").strip() or None for name in FILTERS}
    stmt = services.filtered(current_user, **{k: v for k, v in filters.items() if k != "sort"})
    return exports.applications_response(fmt, stmt)


def _applicant_background(item: Application) -> tuple[Any, list[Placement]]:
    """For a reader other than the applicant: their development history, and their past
    exchanges (completed only) through the placements' own scope (a deputy sees only what they
    may)."""
    if services.is_owner(current_user, item):
        return None, []
    from hrfund.placements.services import visible_to as placements_visible_to
    from hrfund.training.records import development_history

    past = db.session.scalars(
        placements_visible_to(current_user)
        .where(
            Placement.person_id == item.applicant_id,
            Placement.status == PlacementStatus.COMPLETED,
        )
        .options(so.joinedload(Placement.city))
        .order_by(Placement.start_on.desc())
        .limit(20)
    ).all()
    return development_history(item.applicant), list(past)


@bp.route("/applications/<int:application_id>")
@login_required
def application(application_id: int):
    item = services.get_application_or_404(application_id, current_user)
    background, past = _applicant_background(item)
    actions = {t.action: t for t in services.MACHINE.actions_for(item, current_user)}
    return render_template(
        "applications/application.html",
        application=item,
        history=services.MACHINE.history(item),
        actions=actions,
        background=background,
        past_placements=past,
        decision_form=DecisionForm(),
        attachment_form=AttachmentForm(),
        closes_at=deadline(item.call),
        can_edit=services.is_owner(current_user, item)
        and item.status.value in ("draft", "returned"),
    )


@bp.route(
    "/applications/<int:application_id>/<any(submit, endorse, decline, return, reject,"
    " withdraw):action>",
    methods=["POST"],
)
@login_required
def act(application_id: int, action: str):
    item = services.get_application_or_404(application_id, current_user)
    try:
        if action == "submit":
            services.submit_application(current_user, item)
        else:
            services.ACTIONS[action](current_user, item, comment=DecisionForm().comment.data)
    except ValidationFailed as error:
        _flash_refusal(error)
        return redirect(url_for("applications.application", application_id=item.id)), 303
    flash(
        _("Done: the application is %(state)s.", state=item.status.label),
        "success",
    )
    return redirect(url_for("applications.application", application_id=item.id))


def _approve_form(item: Application) -> ApproveForm:
    """The approval form: the call's cities to choose from; at first, what the applicant
    proposed."""
    form = ApproveForm()
    form.city.choices = [
        (s.city.code, f"{s.city.code} {localized_name(s.city)}") for s in item.call.slots
    ]
    if request.method == "GET":
        form.city.data = item.preference_codes[0] if item.preference_codes else None
        form.start_on.data, form.end_on.data = item.start_on, item.end_on
        form.amount_jpy.data = item.total_jpy or None
    return form


def _approve_with(form: ApproveForm, item: Application) -> int | None:
    """Approve as the valid form says: None when done (and said), else the page's status with
    the refusal shown (422 a field, 409 short of funds or double booked)."""
    city = services.approval_city(item, form.city.data)
    try:
        services.approve_application(
            current_user,
            item,
            city=city,
            start_on=form.start_on.data,
            end_on=form.end_on.data,
            amount_jpy=form.amount_jpy.data,
            comment=form.comment.data,
        )
    except ValidationFailed as error:
        show_errors(form, error)
        return 422
    except (InsufficientFunds, Conflict) as error:
        flash(error.message, "danger")
        return 409
    flash(
        _(
            "Approved: the placement awaits the confirmation of %(city)s.",
            city=localized_name(city),
        ),
        "success",
    )
    return None


@bp.route("/applications/<int:application_id>/approve", methods=["GET", "POST"])
@login_required
def approve(application_id: int):
    item = services.get_application_or_404(application_id, current_user)
    if not services.MACHINE.can(item, "approve", current_user):
        services.MACHINE.apply(item, "approve", current_user)  # the precise refusal
    form = _approve_form(item)
    if form.validate_on_submit():
        refused = _approve_with(form, item)
        if refused is None:
            return redirect(url_for("applications.application", application_id=item.id))
        status = refused
    else:
        status = 422 if form.is_submitted() else 200
    start = form.start_on.data or item.start_on or tokyo_today()
    fy = fiscal_year_of(start)
    return render_template(
        "applications/approve.html",
        application=item,
        form=form,
        fiscal_year=fy,
        available=services.line_available(fy),
    ), status


@bp.route("/applications/<int:application_id>/attachments", methods=["POST"])
@roles_required(Role.EMPLOYEE)
def attach(application_id: int):
    item = services.get_application_or_404(application_id, current_user)
    form = AttachmentForm()
    try:
        services.add_attachment(
            current_user, item, form.kind.data, request.files.get("file") or _no_file()
        )
    except ValidationFailed as error:
        _flash_refusal(error)
        return redirect(url_for("applications.application", application_id=item.id)), 303
    flash(_("The file is attached."), "success")
    return redirect(url_for("applications.application", application_id=item.id))


def _no_file():
    raise ValidationFailed(_("Choose a file to upload."), fields={"file": [_("Choose a file.")]})


@bp.route("/applications/<int:application_id>/attachments/<int:attachment_id>")
@login_required
def attachment(application_id: int, attachment_id: int):
    item = services.get_application_or_404(application_id, current_user)
    found = db.session.get(Attachment, attachment_id)
    if found is None or found.application_id != item.id:
        raise NotFound(_("No such file."))
    # whoever may see the application may read its attachments (scope checked above)
    return send_stored_file(found.file, current_user, can_view=lambda _f, _u: True)
