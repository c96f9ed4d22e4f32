"""API routes of placements and nominations (thin: parse, call a service, serialise)."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from hrfund.auth.models import Role, named_person
from hrfund.core.apiblueprint import ApiBlueprint
from hrfund.core.apischemas import page_of
from hrfund.core.apiutil import paged
from hrfund.core.errors import ValidationFailed
from hrfund.core.permissions import login_required, roles_required
from hrfund.extensions import db
from hrfund.fund.services import placement_totals
from hrfund.org.models import Department
from hrfund.placements import nomination_details, services
from hrfund.placements import nominations as nominations_service
from hrfund.placements.models import Nomination, Placement
from hrfund.placements.schemas import (
    AcceptIn,
    CompleteIn,
    ConfirmIn,
    CvUpload,
    DeclineIn,
    NominationIn,
    NominationQuery,
    NominationSchema,
    PlacementDetailSchema,
    PlacementQuery,
    PlacementSchema,
    PlacementView,
    StartIn,
)

bp = ApiBlueprint("placements_api", __name__, description="Placements and nominations")


def placement_detail(p: Placement) -> PlacementView:
    """A placement with its totals, milestones and history, for PlacementDetailSchema."""
    return PlacementView(p, placement_totals([p.id])[p.id], list(services.MACHINE.history(p)))


@bp.route("/placements")
@login_required
@bp.arguments(PlacementQuery, location="query")
@bp.response(200, page_of(PlacementSchema))
def list_placements(args):
    """Placements the caller may see (employee own, coordinator own city, HR and auditors all)"""
    stmt = services.filtered(
        current_user,
        direction=args.get("direction"),
        status=args.get("status"),
        city=args.get("city"),
    ).options(
        so.joinedload(Placement.city),
        named_person(Placement.person),
        so.joinedload(Placement.host_department),
    )
    page = paged(stmt, per_page=50)
    totals = placement_totals([p.id for p in page["items"]])
    return page | {"items": [PlacementView(p, totals[p.id]) for p in page["items"]]}


@bp.route("/placements/<int:placement_id>")
@login_required
@bp.response(200, PlacementDetailSchema)
def get_placement(placement_id: int):
    """A placement with milestones and history (404 when not visible to the caller)"""
    return placement_detail(services.get_placement_or_404(placement_id, current_user))


def _action(placement_id: int, action: str, **values) -> PlacementView:
    placement = services.get_placement_or_404(placement_id, current_user)
    services.ACTIONS[action](current_user, placement, **values)
    db.session.flush()
    return placement_detail(placement)


@bp.route("/placements/<int:placement_id>/confirm", methods=["POST"])
@roles_required(Role.COORDINATOR, Role.HR)
@bp.arguments(ConfirmIn)
@bp.response(200, PlacementDetailSchema)
def confirm(values, placement_id: int):
    """The host confirms (outgoing: coordinator of its city; incoming: HR)"""
    return _action(placement_id, "confirm", **values)


@bp.route("/placements/<int:placement_id>/decline", methods=["POST"])
@roles_required(Role.COORDINATOR, Role.HR)
@bp.arguments(DeclineIn)
@bp.response(200, PlacementDetailSchema)
def decline(values, placement_id: int):
    """The host declines with a comment; the open commitment is released"""
    return _action(placement_id, "decline", **values)


@bp.route("/placements/<int:placement_id>/start", methods=["POST"])
@roles_required(Role.COORDINATOR, Role.HR)
@bp.arguments(StartIn)
@bp.response(200, PlacementDetailSchema)
def start(values, placement_id: int):
    """Arrival confirmed: the placement is active (HR or the host coordinator)"""
    return _action(placement_id, "start", arrived_on=values.get("arrived_on"), **_comment(values))


@bp.route("/placements/<int:placement_id>/complete", methods=["POST"])
@roles_required(Role.HR)
@bp.arguments(CompleteIn)
@bp.response(200, PlacementDetailSchema)
def complete(values, placement_id: int):
    """Completed (HR); what was not spent is released; before the end date only with
    confirm_early (409 otherwise, naming the open milestones)"""
    return _action(
        placement_id, "complete", **_comment(values), confirm_early=values["confirm_early"]
    )


@bp.route("/placements/<int:placement_id>/cancel", methods=["POST"])
@roles_required(Role.HR)
@bp.arguments(DeclineIn)
@bp.response(200, PlacementDetailSchema)
def cancel(values, placement_id: int):
    """Cancelled (HR) with a comment; the open commitment is released"""
    return _action(placement_id, "cancel", **values)


def _comment(values: dict) -> dict:
    return {"comment": values.get("comment", "")}


@bp.route("/nominations")
@roles_required(Role.COORDINATOR, Role.HR, Role.AUDITOR)
@bp.arguments(NominationQuery, location="query")
@bp.response(200, page_of(NominationSchema))
def list_nominations(args):
    """Nominations the caller may see (coordinator own city, HR and auditors all)"""
    stmt = nominations_service.filtered_nominations(
        current_user, status=args.get("status")
    ).options(so.joinedload(Nomination.city))
    return paged(stmt)  # the page's filter, the shared paging


@bp.route("/nominations", methods=["POST"])
@roles_required(Role.COORDINATOR)
@bp.arguments(NominationIn)
@bp.response(201, NominationSchema)
def create_nomination(values):
    """A coordinator nominates one of their own city's officials (the CV follows:
    POST /nominations/ID/cv)"""
    details = {name: values.pop(name) for name in nomination_details.FIELDS}
    return nominations_service.nominate(current_user, **values, details=details)


@bp.route("/nominations/<int:nomination_id>/cv", methods=["POST"])
@roles_required(Role.COORDINATOR)
@bp.arguments(CvUpload, location="files")
@bp.response(200, NominationSchema)
def upload_nomination_cv(files, nomination_id: int):
    """Attach the nominee's CV (PDF, PNG or JPEG) while the nomination waits for Tokyo"""
    nomination = nominations_service.get_nomination_or_404(nomination_id, current_user)
    upload = files["file"]
    nomination_details.attach_cv(current_user, nomination, upload.stream, upload.filename or "")
    return nomination


@bp.route("/nominations/<int:nomination_id>/accept", methods=["POST"])
@roles_required(Role.HR)
@bp.arguments(AcceptIn)
@bp.response(200, PlacementDetailSchema)
def accept_nomination(values, nomination_id: int):
    """HR hosts the nominee: an incoming placement, confirmed, committed from the incoming line"""
    nomination = nominations_service.get_nomination_or_404(nomination_id, current_user)
    code = values["host_department"]
    department = (
        db.session.scalar(sa.select(Department).where(Department.code == code)) if code else None
    )
    if code and department is None:
        raise ValidationFailed(
            str(_l("Unknown department.")),
            fields={"host_department": [str(_l("No department has this code."))]},
        )
    placement = nominations_service.accept_nomination(
        current_user, nomination, host_department=department, amount_jpy=values.get("amount_jpy")
    )
    return placement_detail(placement)
