"""The e-mail action links (/act/<token>): a coordinator confirms or declines from the mail."""

from __future__ import annotations

from flask import render_template, request

from hrfund.core.errors import ValidationFailed
from hrfund.core.forms import show_errors
from hrfund.extensions import limiter
from hrfund.placements import nominations as service
from hrfund.placements.blueprint import bp
from hrfund.placements.forms import (
    CommentForm,
    ConfirmPlacementForm,
)


@bp.route("/act/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute")
def action_link(token: str):
    """A coordinator acts from the e-mail: details first, then confirm or decline, once."""
    placement, coordinator, _jti = service.load_action_link(token)
    confirm_form, decline_form = ConfirmPlacementForm(), CommentForm()
    status = 200
    if request.method == "POST":
        action = request.form.get("action")
        form = confirm_form if action == "confirm" else decline_form
        if _use_link(token, action or "", form):
            return render_template("placements/action_done.html", placement=placement)
        status = 422
    return render_template(
        "placements/action_link.html",
        placement=placement,
        coordinator=coordinator,
        confirm_form=confirm_form,
        decline_form=decline_form,
    ), status


def _use_link(token: str, action: str, form: CommentForm) -> bool:
    """Use the link as ``form`` says; False, with the refusal next to its fields, if refused."""
    try:
        service.use_action_link(
            token,
            action,
            comment=form.comment.data or "",
            host_office=getattr(form, "host_office", None) and form.host_office.data or "",
            host_supervisor=getattr(form, "host_supervisor", None)
            and form.host_supervisor.data
            or "",
        )
    except ValidationFailed as error:
        show_errors(form, error)
        return False
    return True
