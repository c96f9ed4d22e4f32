"""Completing a placement: before its end date only when HR confirms it ended early."""

from __future__ import annotations

from hrfund.auth.models import Role
from hrfund.core.permissions import roles_required
from hrfund.placements.forms import CompleteForm
from hrfund.placements.views import _act, bp


@bp.route("/placements/<int:placement_id>/complete", methods=["POST"])
@roles_required(Role.HR)
def complete(placement_id: int):
    form = CompleteForm()
    return _act(
        placement_id,
        "complete",
        "complete_form",
        form,
        comment=form.comment.data,
        confirm_early=bool(form.confirm_early.data),
    )
