"""What a host in Tokyo needs to know of a nominee: CV, purpose and cooperation area, the
preferred host department and language ability; and the nomination's history for its city.

``nominations.nominate`` checks its fields with :func:`check_nomination` (the details with
:func:`check_details`), which a view also runs with its form's; the CV is stored with the
shared upload checks (:mod:`hrfund.core.files`: name, content, size) and served only to those
who see the nomination (its city's coordinators, HR, auditors).
"""

from __future__ import annotations

from typing import BinaryIO

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import Response
from flask_babel import lazy_gettext as _l

from hrfund.auth.models import Role
from hrfund.core.actor import Actor
from hrfund.core.audit import AuditEvent, audit_query, record_event
from hrfund.core.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from hrfund.core.files import DOCUMENT_KINDS, send_stored_file, store_upload
from hrfund.core.permissions import allowed
from hrfund.extensions import db
from hrfund.org.models import CooperationArea, Department
from hrfund.placements import date_rules
from hrfund.placements.models import Nomination, NominationStatus
from hrfund.placements.services import _check_period

MAX_PURPOSE = 4000
MAX_LANGUAGES = 500
FIELDS = ("purpose", "cooperation_area", "preferred_department", "language_ability")


def check_details(details: dict) -> tuple[dict, dict[str, list[str]]]:
    """(column values, errors by field) of the details a coordinator gave; each is optional."""
    errors: dict[str, list[str]] = {}
    purpose = (details.get("purpose") or "").strip()
    if len(purpose) > MAX_PURPOSE:
        errors["purpose"] = [str(_l("Use at most %(max)d characters.", max=MAX_PURPOSE))]
    languages = (details.get("language_ability") or "").strip()
    if len(languages) > MAX_LANGUAGES:
        errors["language_ability"] = [str(_l("Use at most %(max)d characters.", max=MAX_LANGUAGES))]
    area = (details.get("cooperation_area") or "").strip().lower() or None
    if area is not None and area not in {a.value for a in CooperationArea}:
        errors["cooperation_area"] = [str(_l("Choose one of the cooperation areas."))]
    department_id = None
    code = (details.get("preferred_department") or "").strip()
    if code:
        department_id = db.session.scalar(sa.select(Department.id).where(Department.code == code))
        if department_id is None:
            errors["preferred_department"] = [str(_l("No TMG department has this code."))]
    values = {
        "purpose": purpose,
        "cooperation_area": area,
        "preferred_department_id": department_id,
        "language_ability": languages,
    }
    return values, errors


def check_nomination(
    actor, *, name: str, email: str, position: str, start_on, end_on, details: dict | None = None
) -> tuple[dict, dict]:
    """The checks of :func:`nominate`, changing nothing: (column values, details' values), or
    ValidationFailed with every field's error; a view runs them with its form's."""
    if not actor.has_role(Role.COORDINATOR) or actor.city_id is None:
        raise NotAllowed(str(_l("Only a partner city's coordinator nominates.")))
    extra, errors = check_details(details or {})
    errors |= _check_period(start_on, end_on)
    for field, messages in date_rules.check_nomination_dates(start_on, end_on).items():
        errors.setdefault(field, messages)
    values = {"name": (name or "").strip(), "position": (position or "").strip()}
    for field, value in values.items():
        if not value:
            errors[field] = [str(_l("This field is required."))]
        elif len(value) > 200:
            errors[field] = [str(_l("Use at most 200 characters."))]
    try:
        values["email"] = validate_email(
            (email or "").strip(), check_deliverability=False
        ).normalized
    except EmailNotValidError:
        errors["email"] = [str(_l("Enter a valid e-mail address."))]
    if errors:
        raise ValidationFailed(str(_l("The nomination could not be saved.")), fields=errors)
    return values, extra


def audit_details(nomination: Nomination) -> dict:
    """The details as the audit event of the nomination records them."""
    department = nomination.preferred_department
    return {
        "purpose": nomination.purpose,
        "cooperation_area": nomination.cooperation_area,
        "preferred_department": department.code if department else None,
        "language_ability": nomination.language_ability,
    }


def attach_cv(actor, nomination: Nomination, stream: BinaryIO, filename: str) -> Nomination:
    """The nominee's CV (a PDF or an image), by a coordinator of the nomination's city while
    it waits for Tokyo; a new CV replaces the previous one (which stays in the audit log)."""
    if not actor.has_role(Role.COORDINATOR) or actor.city_id != nomination.city_id:
        raise NotAllowed(str(_l("Only the nominating city's coordinator adds the CV.")))
    if nomination.status != NominationStatus.PENDING:
        raise InvalidTransition(str(_l("The nomination is decided; its CV can no longer change.")))
    stored = store_upload(stream, filename, actor=actor, kinds=DOCUMENT_KINDS)
    previous = nomination.cv_file_id
    nomination.cv_file = stored
    db.session.flush()
    record_event(
        actor,
        "nominations.cv",
        nomination,
        changes={"cv": [previous, stored.id], "name": stored.original_name},
    )
    return nomination


def send_cv(nomination: Nomination, user: Actor) -> Response:
    """The CV's download (NotFound when there is none); the caller found the nomination through
    its scope already."""
    if nomination.cv_file is None:
        raise NotFound(str(_l("Not found.")))
    return send_stored_file(nomination.cv_file, user, can_view=lambda _file, _user: True)


def cv_json(nomination: Nomination) -> dict | None:
    stored = nomination.cv_file
    if stored is None:
        return None
    return {"name": stored.original_name, "size": stored.size, "content_type": stored.content_type}


def history(nomination: Nomination) -> list[AuditEvent]:
    """The nomination's changes of state, oldest first, for its page."""
    stmt = audit_query(object_type="nominations", object_id=str(nomination.id))
    return list(reversed(db.session.scalars(stmt.where(AuditEvent.to_state.is_not(None))).all()))


def check_decide(actor: Actor, nomination: Nomination) -> None:
    """HR decides a nomination (accepts or rejects it) while it is pending."""
    if not actor.has_role(Role.HR):
        raise NotAllowed(str(_l("Only HR decides nominations.")))
    if nomination.status != NominationStatus.PENDING:
        raise InvalidTransition(str(_l("This nomination is already decided.")))


def can_decide(actor: Actor, nomination: Nomination) -> bool:
    return allowed(check_decide, actor, nomination)
