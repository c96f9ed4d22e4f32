"""HR reviews an employee's own language score or training record from the verification queue
(or the employee's development page): verifies it, or rejects it with the reason the employee
reads. Every review goes back where it was made."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrfund.core.errors import FORM_REFUSALS
from hrfund.core.permissions import roles_required
from hrfund.training import records, rejections, services
from hrfund.training.blueprint import bp
from hrfund.training.forms import ActionForm, RejectForm


def _back(user_id: int):
    if request.form.get("next") == "queue":
        return redirect(url_for("training.verification"))
    return redirect(url_for("training.history", user_id=user_id))


def _verify(entry, verify, done: str) -> None:
    if ActionForm().validate_on_submit():
        verify(current_user, entry)
        flash(done, "success")


def _reject(entry, reject) -> None:
    form = RejectForm()
    if not form.validate_on_submit():
        errors = " ".join(str(e) for e in form.reason.errors)
        flash(errors or _("Say why the entry is rejected."), "danger")
        return
    try:
        reject(current_user, entry, form.reason.data)
    except FORM_REFUSALS as error:
        flash(error.message, "danger")
    else:
        flash(_("The entry is rejected; the employee is told why."), "success")


@bp.route("/training/records/<int:record_id>/verify", methods=["POST"])
@roles_required("hr")
def verify_record(record_id: int):
    record = services.get_record_or_404(record_id, current_user)
    _verify(record, records.verify_record, _("The record is verified."))
    return _back(record.user_id)


@bp.route("/training/scores/<int:score_id>/verify", methods=["POST"])
@roles_required("hr")
def verify_score(score_id: int):
    score = services.get_score_or_404(score_id, current_user)
    _verify(score, records.verify_score, _("The score is verified."))
    return _back(score.user_id)


@bp.route("/training/scores/<int:score_id>/reject", methods=["POST"])
@roles_required("hr")
def reject_score(score_id: int):
    score = services.get_score_or_404(score_id, current_user)
    _reject(score, rejections.reject_score)
    return _back(score.user_id)


@bp.route("/training/records/<int:record_id>/reject", methods=["POST"])
@roles_required("hr")
def reject_record(record_id: int):
    record = services.get_record_or_404(record_id, current_user)
    _reject(record, rejections.reject_record)
    return _back(record.user_id)
