"""Application rules: scope, the workflow, eligibility at submit, approval into a placement.

The workflow of DESIGN.md is declared once in ``MACHINE``. Approval is one transaction: the
application is claimed with a conditional UPDATE (two HR officers approving at once: one wins,
the other gets 409), the outgoing placement is created and its amount committed from the
fund's ``outgoing`` line — if the fund cannot cover it, nothing at all changes.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hrfund.applications.calls import window_is_open
from hrfund.applications.delegations import (  # noqa: F401  (create_delegation: one door)
    acts_as_hr,
    create_delegation,
    delegated_departments,
    endorsing_capacity,
    hr_principal_for,
)
from hrfund.applications.models import (
    UNDECIDED,
    Application,
    ApplicationStatus,
    Attachment,
    Call,
    CallStatus,
    Preference,
)
from hrfund.auth.models import Role, User
from hrfund.core.audit import record_event
from hrfund.core.db import utcnow
from hrfund.core.errors import (
    Conflict,
    InsufficientFunds,
    InvalidTransition,
    NotAllowed,
    NotFound,
    ValidationFailed,
)
from hrfund.core.files import store_upload
from hrfund.core.fiscal import fiscal_year_of, tokyo_today
from hrfund.core.statemachine import STATE_LABELS, StateMachine, Transition
from hrfund.core.yen import read_yen
from hrfund.extensions import db
from hrfund.fund import services as fund
from hrfund.fund.models import Category
from hrfund.org.models import PartnerCity
from hrfund.placements.services import create_outgoing_placement
from hrfund.training.eligibility import eligibility, eligible_condition

A = ApplicationStatus
STATE_LABELS.update(
    {
        "draft": _l("draft"),
        "submitted": _l("submitted"),
        "endorsed": _l("endorsed"),
        "returned": _l("returned"),
        "declined_by_manager": _l("declined by the manager"),
        "approved": _l("approved"),
        "rejected": _l("rejected"),
        "withdrawn": _l("withdrawn"),
    }
)
MAX_PREFERENCES = 3
MAX_BUDGET_ITEM = 100_000_000


# ---------------------------------------------------------------- who may act


def is_owner(actor, application: Application) -> bool:
    return application.applicant_id == actor.id


def manages_applicant(actor, application: Application) -> bool:
    """The applicant's manager (or their eligible deputy), never the applicant: nobody endorses
    their own application, nor their principal's through a delegation."""
    return endorsing_capacity(actor, application.applicant)[0]


def hr_or_deputy(actor, application: Application | None = None) -> bool:
    """HR (a deputy of HR holds the role too), deciding someone else's application: nobody
    decides their own."""
    if application is not None and is_owner(actor, application):
        return False
    return acts_as_hr(actor) is not None


MACHINE = StateMachine(
    "applications",
    [
        Transition("submit", {A.DRAFT, A.RETURNED}, A.SUBMITTED, who=is_owner, label=_l("Submit")),
        Transition(
            "endorse", {A.SUBMITTED}, A.ENDORSED, who=manages_applicant, label=_l("Endorse")
        ),
        Transition(
            "decline",
            {A.SUBMITTED},
            A.DECLINED_BY_MANAGER,
            who=manages_applicant,
            label=_l("Decline"),
            needs_comment=True,
        ),
        Transition(
            "return",
            {A.ENDORSED},
            A.RETURNED,
            who=hr_or_deputy,
            label=_l("Return"),
            needs_comment=True,
        ),
        Transition("approve", {A.ENDORSED}, A.APPROVED, who=hr_or_deputy, label=_l("Approve")),
        Transition(
            "reject",
            {A.ENDORSED},
            A.REJECTED,
            who=hr_or_deputy,
            label=_l("Reject"),
            needs_comment=True,
        ),
        Transition("withdraw", set(UNDECIDED), A.WITHDRAWN, who=is_owner, label=_l("Withdraw")),
    ],
)


def _on_behalf(actor, application: Application, action: str) -> User | None:
    """The principal a deputy acts for (recorded in the history), or None."""
    if action in ("endorse", "decline"):
        return endorsing_capacity(actor, application.applicant)[1]
    if action in ("return", "approve", "reject"):
        return hr_principal_for(actor, application.applicant)
    return None


# ---------------------------------------------------------------- scope


def visible_to(user) -> sa.Select:
    """Employees their own; managers (and deputies) their departments' submitted ones;
    HR and auditors all but others' drafts."""
    stmt = sa.select(Application)
    if user.has_role(Role.HR, Role.AUDITOR):
        return stmt.where(
            sa.or_(Application.status != A.DRAFT, Application.applicant_id == user.id)
        )
    conditions = [Application.applicant_id == user.id]
    own = {d.id for d in user.managed_departments} if user.has_role(Role.MANAGER) else set()
    if own:
        staff = sa.select(User.id).where(User.department_id.in_(own))
        conditions.append(
            sa.and_(Application.applicant_id.in_(staff), Application.status != A.DRAFT)
        )
    # through a delegation: the principal's departments, never the principal's own application
    for principal, departments in delegated_departments(user).items():
        staff = sa.select(User.id).where(User.department_id.in_(departments))
        conditions.append(
            sa.and_(
                Application.applicant_id.in_(staff),
                Application.applicant_id != principal.id,
                Application.status != A.DRAFT,
            )
        )
    return stmt.where(sa.or_(*conditions))


def get_application_or_404(application_id, user) -> Application:
    try:
        application_id = int(application_id)
    except (TypeError, ValueError):
        raise NotFound(str(_l("No such application."))) from None
    application = db.session.scalar(visible_to(user).where(Application.id == application_id))
    if application is None:
        raise NotFound(str(_l("No such application.")))
    return application


def filtered(
    user,
    *,
    status=None,
    call_id=None,
    city=None,
    department=None,
    q=None,
    eligible=None,
    sort: str = "-updated",
) -> sa.Select:
    """The applications ``user`` may see, filtered. ``eligible`` ("yes"/"no") asks whether the
    applicant meets the call's rules today, which needs the call."""
    stmt = visible_to(user)
    if status:
        if status not in {s.value for s in A}:
            raise ValidationFailed(str(_l("Unknown status.")), fields={"status": ["unknown"]})
        stmt = stmt.where(Application.status == status)
    if call_id:
        try:
            stmt = stmt.where(Application.call_id == int(call_id))
        except ValueError:
            raise ValidationFailed(
                str(_l("Check the filters.")), fields={"call_id": ["must be a number"]}
            ) from None
    if eligible:
        stmt = stmt.where(_eligibility_filter(call_id, eligible))
    if city:
        prefs = (
            sa.select(Preference.application_id)
            .join(PartnerCity, PartnerCity.id == Preference.city_id)
            .where(PartnerCity.code == city.upper())
        )
        stmt = stmt.where(Application.id.in_(prefs))
    if department or q:
        people = sa.select(User.id)
        if department:
            from hrfund.org.models import Department

            people = people.join(Department, Department.id == User.department_id).where(
                Department.code == department
            )
        if q:
            like = f"%{q.strip()}%"
            people = people.where(
                sa.or_(
                    User.email.ilike(like),
                    User.family_name.like(like),
                    User.family_name_romaji.ilike(like),
                    User.employee_number.like(like),
                )
            )
        stmt = stmt.where(Application.applicant_id.in_(people))
    order = {
        "-updated": Application.updated_at.desc(),
        "updated": Application.updated_at,
        "-submitted": Application.submitted_at.desc(),
        "submitted": Application.submitted_at,
        "id": Application.id,
    }.get(sort)
    if order is None:
        raise ValidationFailed(str(_l("Check the filters.")), fields={"sort": ["unknown"]})
    return stmt.order_by(order, Application.id.desc())


def _eligibility_filter(call_id, eligible: str):
    if eligible not in ("yes", "no"):
        raise ValidationFailed(str(_l("Check the filters.")), fields={"eligible": ["yes or no"]})
    call = db.session.get(Call, int(call_id)) if call_id else None
    if call is None:
        raise ValidationFailed(
            str(_l("Choose a call to filter by eligibility: each call has its own rules.")),
            fields={"eligible": ["needs call_id"]},
        )
    condition = eligible_condition(Application.applicant_id, call.rules, tokyo_today())
    return condition if eligible == "yes" else sa.not_(condition)


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
    if db.session.scalar(
        sa.select(Application.id).where(
            Application.call_id == call.id,
            Application.applicant_id == actor.id,
            Application.status != A.WITHDRAWN,
        )
    ):
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


# ---------------------------------------------------------------- transitions


def submit_application(actor, application: Application, *, now=None) -> Application:
    """Submit inside the call's window, if the applicant meets every rule of the call."""
    call = application.call
    if not window_is_open(call, now):
        raise InvalidTransition(
            str(
                _l(
                    "The call is not open for applications now: its window "
                    "closes at 23:59:59 Tokyo time on the closing day."
                )
            )
        )
    missing = {}
    if not application.preferences:
        missing["preferences"] = [str(_l("Name at least one city."))]
    if not application.statement:
        missing["statement"] = [str(_l("Write your statement."))]
    if not application.start_on or not application.end_on:
        missing["start_on"] = [str(_l("Propose your dates."))]
    if missing:
        raise ValidationFailed(str(_l("The application is not complete.")), fields=missing)
    result = eligibility(application.applicant, call.rules, on=tokyo_today())
    if not result.eligible:
        raise InvalidTransition(
            " ".join([str(_l("You do not meet the call's rules:")), *result.reasons])
        )
    MACHINE.apply(application, "submit", actor, values={"submitted_at": utcnow()})
    return application


def _act(
    actor, application: Application, action: str, comment: str | None = None, **kw
) -> Application:
    MACHINE.apply(
        application,
        action,
        actor,
        comment=comment,
        on_behalf_of=_on_behalf(actor, application, action),
        **kw,
    )
    return application


def endorse_application(actor, application, *, comment=None):
    return _act(actor, application, "endorse", comment)


def decline_application(actor, application, *, comment=None):
    return _act(actor, application, "decline", comment)


def return_application(actor, application, *, comment=None):
    return _act(actor, application, "return", comment)


def reject_application(actor, application, *, comment=None):
    return _act(actor, application, "reject", comment, values={"decided_at": utcnow()})


def withdraw_application(actor, application, *, comment=None):
    return _act(actor, application, "withdraw", comment)


def line_available(fiscal_year: int) -> int:
    """What the fiscal year's ``outgoing`` line has available now."""
    return fund.summary(fiscal_year).lines[Category.OUTGOING].available


def approve_application(
    actor,
    application: Application,
    *,
    city: PartnerCity | None,
    start_on: date,
    end_on: date,
    amount_jpy: int,
    comment: str | None = None,
) -> Application:
    """Approve: in one transaction, the application is claimed, the placement created and
    ``amount_jpy`` committed from the outgoing line; if the fund is short nothing changes."""
    if not MACHINE.can(application, "approve", actor):
        MACHINE.apply(application, "approve", actor)  # raises the precise refusal
    slot_codes = {s.city.code for s in application.call.slots}
    if city is None or city.code not in slot_codes:
        message = str(
            _l("Choose one of the call's cities: %(codes)s.", codes=", ".join(sorted(slot_codes)))
        )
        raise ValidationFailed(message, fields={"city": [message]})
    # the deputy approves and is named on the placement and the commitment, "for" the principal
    principal = _on_behalf(actor, application, "approve")
    _act(actor, application, "approve", comment, values={"decided_at": utcnow()})
    try:
        placement = create_outgoing_placement(
            actor,
            on_behalf_of=principal,
            person=application.applicant,
            city=city,
            start_on=start_on,
            end_on=end_on,
            amount_jpy=amount_jpy,
            purpose=application.call.title,
            application_id=application.id,
        )
    except InsufficientFunds:
        fy = fiscal_year_of(start_on) if isinstance(start_on, date) else None
        available = line_available(fy) if fy else 0
        raise InsufficientFunds(
            str(
                _l(
                    "The outgoing line of FY%(year)d has only ¥%(available)s available; "
                    "this approval needs ¥%(amount)s. Nothing was changed.",
                    year=fy,
                    available=f"{available:,}",
                    amount=f"{amount_jpy:,}",
                )
            )
        ) from None
    application.placement_id = placement.id
    db.session.flush()
    return application


ACTIONS = {
    "submit": submit_application,
    "endorse": endorse_application,
    "decline": decline_application,
    "return": return_application,
    "reject": reject_application,
    "withdraw": withdraw_application,
}
