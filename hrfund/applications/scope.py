"""Who may act on an application, and which applications a user sees (``visible_to``)."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
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
    Call,
    Preference,
)
from hrfund.auth.models import Role, User
from hrfund.auth.services import user_search
from hrfund.core.errors import (
    ValidationFailed,
)
from hrfund.core.fiscal import tokyo_today
from hrfund.core.inputs import parse_id
from hrfund.core.lookup import visible_or_404
from hrfund.extensions import db
from hrfund.org.models import PartnerCity
from hrfund.training.eligibility import eligible_condition

A = ApplicationStatus
#: What a page or an action of one application reads, joined in the one statement that finds it:
#: the call, the preferences, the applicant with their department and roles.
_APPLICANT = so.joinedload(Application.applicant)
WITH_PEOPLE = (
    so.joinedload(Application.call),
    so.joinedload(Application.preferences),
    _APPLICANT.joinedload(User.department),
    _APPLICANT.joinedload(User.role_rows),
    _APPLICANT.joinedload(User.managed_departments),
)


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
    return visible_or_404(
        visible_to(user).options(*WITH_PEOPLE),
        Application.id,
        application_id,
        _l("No such application."),
    )


def _field_refused(field: str, message, field_message) -> ValidationFailed:
    """A filter refused, with a message for the field in the reader's language too (the API
    answers it)."""
    return ValidationFailed(str(message), fields={field: [str(field_message)]})


def filtered(
    user: User,
    *,
    status: str | None = None,
    call_id: str | None = None,
    city: str | None = None,
    department: str | None = None,
    q: str | None = None,
    eligible: str | None = None,
    sort: str | None = "-updated",
) -> sa.Select[Application]:
    """The applications ``user`` may see, filtered. ``eligible`` ("yes"/"no") asks whether the
    applicant meets the call's rules today, which needs the call."""
    stmt = visible_to(user)
    if status:
        if status not in {s.value for s in A}:
            raise _field_refused(
                "status", _l("Unknown status."), _l("Choose one of the listed statuses.")
            )
        stmt = stmt.where(Application.status == status)
    if call_id:
        wanted = parse_id(call_id)  # digits beyond any id would reach the database: refused
        if wanted is None:
            raise _field_refused("call_id", _l("Check the filters."), _l("Enter a number."))
        stmt = stmt.where(Application.call_id == wanted)
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
            people = people.where(user_search(q))
        stmt = stmt.where(Application.applicant_id.in_(people))
    order = {
        "-updated": Application.updated_at.desc(),
        "updated": Application.updated_at,
        "-submitted": Application.submitted_at.desc(),
        "submitted": Application.submitted_at,
        "id": Application.id,
    }.get(sort or "")
    if order is None:
        raise _field_refused(
            "sort", _l("Check the filters."), _l("Choose one of the listed orders.")
        )
    return stmt.order_by(order, Application.id.desc())


def _eligibility_filter(call_id, eligible: str):
    if eligible not in ("yes", "no"):
        raise _field_refused("eligible", _l("Check the filters."), _l("Choose yes or no."))
    call = db.session.get(Call, call_id) if call_id else None
    if call is None:
        message = _l("Choose a call to filter by eligibility: each call has its own rules.")
        raise _field_refused("eligible", message, message)
    condition = eligible_condition(Application.applicant_id, call.rules, tokyo_today())
    return condition if eligible == "yes" else sa.not_(condition)


# ---------------------------------------------------------------- one live application per call


def _live(user) -> sa.Select:
    # "Live" = not withdrawn, as the partial unique index on (call, applicant) says.
    return sa.select(Application).where(
        Application.applicant_id == user.id, Application.status != A.WITHDRAWN
    )


def live_application(user, call: Call) -> Application | None:
    """The user's live (not withdrawn) application to ``call``, or None."""
    return db.session.scalar(_live(user).where(Application.call_id == call.id))


def live_application_states(user, call_ids: list[int]) -> dict[int, str]:
    """For each of ``call_ids`` the user has a live application to: call id → its state (the
    calls list says "Draft saved" or "Applied")."""
    if not call_ids:
        return {}
    stmt = _live(user).where(Application.call_id.in_(call_ids))
    rows = db.session.execute(stmt.with_only_columns(Application.call_id, Application.status))
    return {call_id: str(status) for call_id, status in rows}


#: what a listed applicant shows: their name in both scripts, their e-mail, their department
_APPLICANT_COLUMNS = (
    User.id,
    User.email,
    User.family_name,
    User.given_name,
    User.family_name_romaji,
    User.given_name_romaji,
    User.department_id,
)
#: what a listed call shows: its title
CALL_NAME_COLUMNS = (Call.id, Call.title, Call.title_en, Call.title_ja)


def list_loads(*, page: bool = True) -> list[so.interfaces.ORMOption]:
    """Loader options for a list of applications: the applicant in the same query, and none of
    what a row does not show. An applicant's roles and managed departments and a call's slots
    are otherwise loaded eagerly (one query each, and hundreds of objects a page) for nothing.
    ``page``: the HTML list, which also shows the department and the call, not the statement."""
    applicant = so.joinedload(Application.applicant).options(
        so.load_only(*_APPLICANT_COLUMNS),
        so.lazyload(User.role_rows),
        so.lazyload(User.managed_departments),
    )
    if not page:
        return [applicant]
    return [
        applicant.options(so.joinedload(User.department)),
        so.joinedload(Application.call).options(
            so.load_only(*CALL_NAME_COLUMNS), so.lazyload(Call.slots)
        ),
        so.defer(Application.statement),
    ]
