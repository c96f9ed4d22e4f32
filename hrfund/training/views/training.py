"""Pages under /training: the catalogue, records, scores and development history (the imports
are in imports.py, the talent pool in talent.py)."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrfund.auth.models import User
from hrfund.core.errors import FORM_REFUSALS, NotFound
from hrfund.core.files import send_stored_file
from hrfund.core.form_checks import check_with_form, run_with_form
from hrfund.core.forms import show_errors
from hrfund.core.pagination import paginate, parse_page_args
from hrfund.core.permissions import login_required, may_open, roles_required
from hrfund.extensions import db
from hrfund.training import records as record_services
from hrfund.training import services
from hrfund.training.access import ENTRY_ROLES, RECORD_ROLES
from hrfund.training.blueprint import bp
from hrfund.training.forms import (
    ActionForm,
    ProgramForm,
    RecordForm,
    RecordUpdateForm,
    ScoreForm,
    SessionForm,
)
from hrfund.training.labels import CATEGORY_LABELS
from hrfund.training.models import TrainingProgram

RECORD_VALUES = ("status", "completed_on", "hours", "score", "expires_on")


def _page_args(param: str = "page"):
    """(page, per_page) from the query string; ``param`` names the page of one of several
    lists on a page, each paged on its own."""
    args = {"page": request.args.get(param), "per_page": request.args.get("per_page")}
    return parse_page_args(args, current_app.config["PAGE_SIZE"], 200)


def _certificate(form):
    data = form.certificate.data
    filename = getattr(data, "filename", None) if data is not None else None
    return (data.stream, filename) if filename else None


# ---------------------------------------------------------------- catalogue


@bp.route("/training/")
@login_required
def programs():
    q = (request.args.get("q") or "").strip()
    category = request.args.get("category") or None
    if category not in CATEGORY_LABELS:
        category = None
    result = paginate(services.programs_query(q=q, category=category), *_page_args())
    return render_template(
        "training/programs.html",
        page=result,
        q=q,
        category=category,
        can_edit=may_open("training.new_program"),
        can_verify=may_open("training.verification"),
        can_see_imports=may_open("training.import_list"),
    )


@bp.route("/training/programs/<int:program_id>")
@login_required
def program(program_id: int):
    program = services.get_program_or_404(program_id)
    return render_template(
        "training/program.html",
        program=program,
        form=SessionForm(),
        action=ActionForm(),
        can_edit=may_open("training.edit_program"),
        can_add_session=may_open("training.new_session"),
        can_enrol=may_open("training.enrol"),
        enrollable={s.id for s in program.sessions if services.open_for_enrolment(s)},
    )


@bp.route("/training/programs/new", methods=["GET", "POST"])
@roles_required("hr")
def new_program():
    return _program_form(None)


@bp.route("/training/programs/<int:program_id>/edit", methods=["GET", "POST"])
@roles_required("hr")
def edit_program(program_id: int):
    return _program_form(services.get_program_or_404(program_id))


def _program_form(program: TrainingProgram | None):
    form = ProgramForm(obj=program) if program and request.method == "GET" else ProgramForm()
    if program and request.method == "GET":
        form.category.data = program.category.value
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in services.PROGRAM_FIELDS}
        try:
            if program is None:
                program = services.create_program(current_user, **values)
            else:
                services.update_program(current_user, program, **values)
        except FORM_REFUSALS as error:
            show_errors(form, error)
        else:
            flash(_("The program is saved."), "success")
            return redirect(url_for("training.program", program_id=program.id))
    status = 422 if form.is_submitted() else 200
    return render_template("training/program_form.html", form=form, program=program), status


def _session_values(form: SessionForm) -> dict[str, Any]:
    return {
        "starts_on": form.starts_on.data,
        "ends_on": form.ends_on.data,
        "capacity": form.capacity.data,
        "place": form.place.data,
    }


@bp.route("/training/programs/<int:program_id>/sessions", methods=["POST"])
@roles_required("hr")
def new_session(program_id: int):
    program = services.get_program_or_404(program_id)
    form = SessionForm()
    if form.validate_on_submit():
        try:
            services.create_session(current_user, program, **_session_values(form))
        except FORM_REFUSALS as error:
            show_errors(form, error)
        else:
            flash(_("The session is added."), "success")
            return redirect(url_for("training.program", program_id=program.id))
    return render_template(
        "training/program.html",
        program=program,
        form=form,
        action=ActionForm(),
        can_edit=may_open("training.edit_program"),
        can_add_session=True,
        can_enrol=may_open("training.enrol"),
        enrollable={s.id for s in program.sessions if services.open_for_enrolment(s)},
    ), 422


@bp.route("/training/sessions/<int:session_id>/enrol", methods=["POST"])
@roles_required("employee")
def enrol(session_id: int):
    session = services.get_session_or_404(session_id)
    if ActionForm().validate_on_submit():
        services.enrol(current_user, session)
        flash(_("You are enrolled."), "success")
    return redirect(url_for("training.program", program_id=session.program_id))


@bp.route("/training/records/<int:record_id>/cancel", methods=["POST"])
@roles_required(*ENTRY_ROLES)
def cancel(record_id: int):
    record = services.get_record_or_404(record_id, current_user)
    if ActionForm().validate_on_submit():
        services.cancel_enrolment(current_user, record)
        flash(_("The enrolment is cancelled."), "success")
    return redirect(url_for("training.history", user_id=record.user_id))


# ---------------------------------------------------------------- development history


@bp.route("/training/me")
@roles_required(*RECORD_ROLES)
def my_history():
    return redirect(url_for("training.history", user_id=current_user.id))


# ---------------------------------------------------------------- records and scores


def _subject(form) -> User:
    """Whose record: HR may name anyone; anyone else naming another person is refused."""
    return record_services.entry_subject(current_user, form.employee.data, "employee")


def _record_form() -> RecordForm:
    form = RecordForm()
    form.program.choices = [
        (p.id, p.name(_lang())) for p in db.session.scalars(services.programs_query(active=None))
    ]
    return form


@bp.route("/training/records/new", methods=["GET", "POST"])
@roles_required(*ENTRY_ROLES)
def new_record():
    """A record may carry a certificate file: the service's own checks run with the form's,
    and the service (which stores the file) only once both pass."""
    form = _record_form()
    values = {name: getattr(form, name).data for name in RECORD_VALUES}
    if check_with_form(form, lambda: record_services.check_training_record(dict(values))):
        try:
            user = _subject(form)
            record = record_services.record_training(
                current_user,
                user,
                services.get_program_or_404(form.program.data),
                **values,
                note=form.note.data or "",
                certificate=_certificate(form),
            )
        except FORM_REFUSALS as error:
            show_errors(form, error)
        else:
            flash(
                _("The training is recorded.")
                if record.verified
                else _("The training is recorded; HR will verify it."),
                "success",
            )
            return redirect(url_for("training.history", user_id=user.id))
    status = 422 if form.is_submitted() else 200
    return render_template("training/record_form.html", form=form), status


@bp.route("/training/records/<int:record_id>/edit", methods=["GET", "POST"])
@roles_required("hr")
def edit_record(record_id: int):
    record = services.get_record_or_404(record_id, current_user)
    form = RecordUpdateForm(obj=record) if request.method == "GET" else RecordUpdateForm()
    if request.method == "GET":
        form.status.data = record.status.value
    saved = run_with_form(  # the form's errors and the service's, on the first submit
        form,
        lambda: record_services.update_record(
            current_user,
            record,
            **{name: getattr(form, name).data for name in RECORD_VALUES},
            note=form.note.data or "",
        ),
    )
    if saved is not None:
        flash(_("The training record is saved."), "success")
        return redirect(url_for("training.history", user_id=record.user_id))
    status = 422 if form.is_submitted() else 200
    return render_template("training/record_edit.html", form=form, record=record), status


@bp.route("/training/records/<int:record_id>/certificate")
@roles_required(*RECORD_ROLES)
def record_certificate(record_id: int):
    record = services.get_record_or_404(record_id, current_user)
    if record.certificate is None:
        raise NotFound(_("Not found."))
    return send_stored_file(record.certificate, current_user)


def _score_values(form: ScoreForm) -> dict[str, Any]:
    return {
        "test": form.test.data,
        "score": form.score.data,
        "taken_on": form.taken_on.data,
        "expires_on": form.expires_on.data,
        "test_name": form.test_name.data or "",
        "level": form.level.data or "",
    }


@bp.route("/training/scores/new", methods=["GET", "POST"])
@roles_required(*ENTRY_ROLES)
def new_score():
    """As for records: a certificate file is stored only once the form and the checks pass."""
    form = ScoreForm()
    values = _score_values(form)
    if check_with_form(form, lambda: record_services.check_language_score(**values)):
        try:
            user = _subject(form)
            score = record_services.add_language_score(
                current_user, user, **values, certificate=_certificate(form)
            )
        except FORM_REFUSALS as error:
            show_errors(form, error)
        else:
            flash(
                _("The score is saved.")
                if score.verified
                else _("The score is saved; HR will verify it."),
                "success",
            )
            return redirect(url_for("training.history", user_id=user.id))
    status = 422 if form.is_submitted() else 200
    return render_template("training/score_form.html", form=form), status


@bp.route("/training/scores/<int:score_id>/certificate")
@roles_required(*RECORD_ROLES)
def score_certificate(score_id: int):
    score = services.get_score_or_404(score_id, current_user)
    if score.certificate is None:
        raise NotFound(_("Not found."))
    return send_stored_file(score.certificate, current_user)


def _lang() -> str:
    from hrfund.core.i18n import current_language

    return current_language()
