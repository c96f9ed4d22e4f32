"""Where HR reviews an employee's own language score or training record: the verification queue
and the employee's development page. HR verifies it, or rejects it with the reason the employee
reads. Every review goes back where it was made; a refused rejection shows that page again with
the reason as typed (in its field, or beside the list when the entry was decided meanwhile)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrfund.auth.models import User
from hrfund.core.errors import FORM_REFUSALS, NotFound
from hrfund.core.pagination import paginate, parse_page_args
from hrfund.core.permissions import may_open, roles_required
from hrfund.extensions import db
from hrfund.training import access, rejections, services
from hrfund.training import records as record_services
from hrfund.training.blueprint import bp
from hrfund.training.forms import ActionForm, RejectForm

RECORD_ROLES = services.RECORD_ROLES


@bp.route("/training/verification")
@roles_required("hr", "auditor")
def verification():
    return queue_page()


def queue_page(typed: dict[str, str] | None = None, unsaved: str = "") -> str:
    """The queue; a refused rejection's reason kept in its field (``typed``, by the field's
    id), or, for an entry decided meanwhile, shown (``unsaved``) so that it is not lost."""
    records_stmt, scores_stmt = record_services.unverified_queue()
    return render_template(
        "training/verification.html",
        action=ActionForm(),
        records=paginate(records_stmt, *_page_args("records_page")),
        scores=paginate(scores_stmt, *_page_args("scores_page")),
        can_verify=may_open("training.verify_record"),
        typed=typed or {},
        unsaved=unsaved,
    )


@bp.route("/training/people/<int:user_id>")
@roles_required(*RECORD_ROLES)
def history(user_id: int):
    user = db.session.get(User, user_id)
    if user is None or not services.can_see_development_of(current_user, user):
        raise NotFound(_("Not found."))
    return history_page(user)


def history_page(user: User, typed: dict[str, str] | None = None, unsaved: str = "") -> str:
    """One employee's development page; ``typed`` and ``unsaved`` as on the queue."""
    return render_template(
        "training/history.html",
        person=user,
        action=ActionForm(),
        can_add=access.can_add_for(current_user, user),
        can_edit_records=may_open("training.edit_record"),
        typed=typed or {},
        unsaved=unsaved,
        **record_services.development_history(user),
    )


def _page_args(param: str):
    """Each list of the queue is paged on its own (``records_page``, ``scores_page``)."""
    args = {"page": request.args.get(param), "per_page": request.args.get("per_page")}
    return parse_page_args(args, current_app.config["PAGE_SIZE"], 200)


def _back(entry, kind: str, status: int | None):
    """Where a review leads: back to the queue or the development page; refused, that page
    again with the reason as typed (never lost to a redirect)."""
    queue = request.form.get("next") == "queue"
    if status is None:
        if queue:
            return redirect(url_for("training.verification"))
        return redirect(url_for("training.history", user_id=entry.user_id))
    reason = request.form.get("reason") or ""
    decided = entry.verified or entry.rejected_at is not None
    typed = {} if decided else {f"reason-{kind}-{entry.id}": reason}
    unsaved = reason if decided and reason.strip() else ""
    if queue:
        return queue_page(typed, unsaved), status
    return history_page(entry.user, typed, unsaved), status


def _verify(entry, verify, done: str) -> None:
    if ActionForm().validate_on_submit():
        verify(current_user, entry)
        flash(done, "success")


def _reject(entry, reject) -> int | None:
    """Reject ``entry`` with the form's reason; the refusal's status, or None when done."""
    form = RejectForm()
    if not form.validate_on_submit():
        errors = " ".join(str(e) for e in form.reason.errors)
        flash(errors or _("Say why the entry is rejected."), "danger")
        return 422
    try:
        reject(current_user, entry, form.reason.data)
    except FORM_REFUSALS as error:
        flash(error.message, "danger")
        return error.status
    flash(_("The entry is rejected; the employee is told why."), "success")
    return None


@bp.route("/training/records/<int:record_id>/verify", methods=["POST"])
@roles_required("hr")
def verify_record(record_id: int):
    record = services.get_record_or_404(record_id, current_user)
    _verify(record, record_services.verify_record, _("The record is verified."))
    return _back(record, "record", None)


@bp.route("/training/scores/<int:score_id>/verify", methods=["POST"])
@roles_required("hr")
def verify_score(score_id: int):
    score = services.get_score_or_404(score_id, current_user)
    _verify(score, record_services.verify_score, _("The score is verified."))
    return _back(score, "score", None)


@bp.route("/training/scores/<int:score_id>/reject", methods=["POST"])
@roles_required("hr")
def reject_score(score_id: int):
    score = services.get_score_or_404(score_id, current_user)
    return _back(score, "score", _reject(score, rejections.reject_score))


@bp.route("/training/records/<int:record_id>/reject", methods=["POST"])
@roles_required("hr")
def reject_record(record_id: int):
    record = services.get_record_or_404(record_id, current_user)
    return _back(record, "record", _reject(record, rejections.reject_record))
