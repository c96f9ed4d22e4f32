"""Drafting an application: its fields checked and normalised, attachments."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hrfund.applications.delegations import (  # noqa: F401  (create_delegation: one door)
    acts_as_hr,
    create_delegation,
    delegated_departments,
    endorsing_capacity,
    hr_principal_for,
)
from hrfund.applications.models import (
    Application,
    ApplicationStatus,
    Attachment,
    Call,
    CallStatus,
    Preference,
)
from hrfund.applications.scope import is_owner, live_application
from hrfund.auth.models import Role
from hrfund.core.audit import record_event
from hrfund.core.errors import (
    Conflict,
    InvalidTransition,
    NotAllowed,
    ValidationFailed,
)
from hrfund.core.files import store_upload
from hrfund.core.yen import read_yen
from hrfund.extensions import db
from hrfund.org.models import PartnerCity

A = ApplicationStatus
MAX_PREFERENCES = 3
MAX_BUDGET_ITEM = 100_000_000


# ---------------------------------------------------------------- drafting


def _clean(call: Call, values: dict) -> dict:
    """Check and normalise the editable fields; ValidationFailed names each bad field."""
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    if "preferences" in values:
        codes = [str(c or "").upper().strip() for c in (values["preferences"] or [])]
        codes = [c for c in codes if c]
        slot_codes = {s.city.code for s in call.slots}
        if len(codes) != len(set(codes)):
            errors["preferences"] = [str(_l("Name each city once."))]
        elif len(codes) > MAX_PREFERENCES:
            errors["preferences"] = [str(_l("Name at most %(n)d cities.", n=MAX_PREFERENCES))]
        elif any(c not in slot_codes for c in codes):
            errors["preferences"] = [
                str(
                    _l(
                        "Choose among the call's cities: %(codes)s.",
                        codes=", ".join(sorted(slot_codes)),
                    )
                )
            ]
        clean["preferences"] = codes
    if "statement" in values:
        statement = (values["statement"] or "").strip()
        if len(statement) > 10_000:
            errors["statement"] = [str(_l("Use at most %(n)d characters.", n=10_000))]
        clean["statement"] = statement
    for name in ("start_on", "end_on"):
        if name in values:
            if values[name] is not None and not isinstance(values[name], date):
                errors[name] = [str(_l("Enter a date as YYYY-MM-DD."))]
            clean[name] = values[name]
    if (
        isinstance(clean.get("start_on"), date)
        and isinstance(clean.get("end_on"), date)
        and clean["end_on"] < clean["start_on"]
    ):
        errors["end_on"] = [str(_l("The end must not be before the start."))]
    for name in ("travel_jpy", "stipend_jpy", "housing_jpy"):
        if name in values:
            value = values[name]
            try:
                value = read_yen(value, name, minimum=0, maximum=MAX_BUDGET_ITEM, allow_empty=True)
            except ValidationFailed as error:
                errors.update(error.fields)
            clean[name] = value or 0
    if errors:
        raise ValidationFailed(str(_l("The application could not be saved.")), fields=errors)
    return clean


def _apply_values(application: Application, clean: dict) -> dict:
    changes = {}
    for name, value in clean.items():
        if name == "preferences":
            if application.preference_codes != value:
                changes["preferences"] = [application.preference_codes, value]
                cities = {
                    c.code: c
                    for c in db.session.scalars(
                        sa.select(PartnerCity).where(PartnerCity.code.in_(value))
                    )
                }
                application.preferences.clear()
                db.session.flush()
                application.preferences.extend(
                    Preference(rank=i, city=cities[code]) for i, code in enumerate(value, 1)
                )
        elif getattr(application, name) != value:
            changes[name] = [getattr(application, name), value]
            setattr(application, name, value)
    return changes


def create_application(actor, call: Call, **values) -> Application:
    """An employee starts a draft for an open call (one live application per call)."""
    if not actor.has_role(Role.EMPLOYEE):
        raise NotAllowed(str(_l("Only TMG employees apply.")))
    if call.status != CallStatus.OPEN:
        raise InvalidTransition(str(_l("This call is not open.")))
    if live_application(actor, call) is not None:
        raise Conflict(str(_l("You have already applied to this call.")))
    clean = _clean(call, values)
    application = Application(call=call, applicant=actor)
    db.session.add(application)
    _apply_values(application, clean)
    db.session.flush()
    record_event(
        actor,
        "applications.create",
        application,
        object_type="applications",
        to_state="draft",
        changes={"call_id": call.id, **{k: v for k, v in clean.items() if k != "statement"}},
    )
    return application


def update_application(actor, application: Application, **values) -> Application:
    """The applicant edits a draft or a returned application."""
    if not is_owner(actor, application):
        raise NotAllowed(str(_l("Only the applicant edits an application.")))
    if application.status not in (A.DRAFT, A.RETURNED):
        raise InvalidTransition(str(_l("Only a draft or a returned application can be edited.")))
    changes = _apply_values(application, _clean(application.call, values))
    if changes:
        record_event(
            actor,
            "applications.update",
            application,
            object_type="applications",
            changes={k: v for k, v in changes.items() if k != "statement"},
        )
    return application


def add_attachment(actor, application: Application, kind: str, upload) -> Attachment:
    """A CV or certificate: same file rules as training certificates."""
    if not is_owner(actor, application):
        raise NotAllowed(str(_l("Only the applicant adds attachments.")))
    if application.status not in (A.DRAFT, A.RETURNED):
        raise InvalidTransition(
            str(_l("Attachments can be added to a draft or a returned application only."))
        )
    if kind not in ("cv", "certificate", "other"):
        raise ValidationFailed(
            str(_l("Choose CV, certificate or other.")),
            fields={"kind": [str(_l("Choose CV, certificate or other."))]},
        )
    stored = store_upload(upload.stream, upload.filename, owner=actor, actor=actor)
    attachment = Attachment(application_id=application.id, kind=kind, file=stored)
    db.session.add(attachment)
    db.session.flush()
    record_event(
        actor,
        "applications.attach",
        application,
        object_type="applications",
        changes={"kind": kind, "file": stored.original_name},
    )
    return attachment
