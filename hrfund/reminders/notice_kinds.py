"""What each workflow event tells, and whom: the kinds of notice, their texts and recipients.

A notice is a short title and one line (in the app), or the same in an e-mail with greeting and
footer; both in the recipient's language. The texts are functions of the recipient's
:class:`~hrfund.core.mail.Localized` so that names, cities and dates follow their language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from hrfund.applications.models import Application, Delegation
from hrfund.auth.models import Role, User, department_managers
from hrfund.core.fiscal import tokyo_today
from hrfund.core.mail import Localized
from hrfund.extensions import db
from hrfund.placements.milestones import REPORT_MILESTONE
from hrfund.placements.models import Direction, Nomination, Placement, Report
from hrfund.reminders.audiences import Audiences, role_user_ids
from hrfund.reminders.models import Audience
from hrfund.training.labels import test_label
from hrfund.training.models import LanguageScore, TrainingRecord

Texts = Callable[[dict], str]

#: kind → (label for the rules and preferences pages, title, line). The title and line get the
#: parameters of :attr:`Notice.params` in the recipient's language.
KINDS: dict[str, tuple[object, Texts, Texts]] = {
    "application_submitted": (
        _l("Application submitted (to the manager)"),
        lambda p: _("Application to endorse: %(name)s", **p),
        lambda p: _(
            '%(name)s submitted an application to "%(call)s". It waits for your endorsement.', **p
        ),
    ),
    "application_endorsed": (
        _l("Application endorsed (to HR)"),
        lambda p: _("Application endorsed: %(name)s", **p),
        lambda p: _(
            'The application of %(name)s to "%(call)s" was endorsed and waits for a decision.', **p
        ),
    ),
    "application_declined": (
        _l("Application declined by the manager"),
        lambda p: _("Your application was declined", **p),
        lambda p: _('Your manager declined your application to "%(call)s".', **p),
    ),
    "application_returned": (
        _l("Application returned for changes"),
        lambda p: _("Your application was returned", **p),
        lambda p: _(
            'HR returned your application to "%(call)s". Change it and submit it again.', **p
        ),
    ),
    "application_approved": (
        _l("Application approved"),
        lambda p: _("Your application was approved", **p),
        lambda p: _('Your application to "%(call)s" was approved.', **p),
    ),
    "application_rejected": (
        _l("Application rejected"),
        lambda p: _("Your application was not approved", **p),
        lambda p: _('Your application to "%(call)s" was rejected.', **p),
    ),
    "placement_waiting": (
        _l("Placement waiting for the host's confirmation"),
        lambda p: _("Placement to confirm: %(name)s in %(city)s", **p),
        lambda p: _(
            "%(name)s is to be hosted in %(city)s from %(start)s to %(end)s. "
            "Please confirm or decline.",
            **p,
        ),
    ),
    "placement_confirmed": (
        _l("Placement confirmed"),
        lambda p: _("Placement confirmed: %(name)s in %(city)s", **p),
        lambda p: _(
            "The placement of %(name)s in %(city)s from %(start)s was confirmed by the host.", **p
        ),
    ),
    "placement_declined": (
        _l("Placement declined"),
        lambda p: _("Placement declined: %(name)s in %(city)s", **p),
        lambda p: _("The host declined the placement of %(name)s in %(city)s from %(start)s.", **p),
    ),
    "nomination_made": (
        _l("Nomination made (to HR)"),
        lambda p: _("New nomination from %(city)s: %(name)s", **p),
        lambda p: _(
            "%(city)s nominated %(name)s to be hosted in Tokyo from %(start)s to %(end)s.", **p
        ),
    ),
    "nomination_accepted": (
        _l("Nomination accepted"),
        lambda p: _("Nomination accepted: %(name)s", **p),
        lambda p: _("Tokyo accepted the nomination of %(name)s (from %(start)s).", **p),
    ),
    "nomination_rejected": (
        _l("Nomination rejected"),
        lambda p: _("Nomination not accepted: %(name)s", **p),
        lambda p: _("Tokyo did not accept the nomination of %(name)s (from %(start)s).", **p),
    ),
    "report_submitted": (
        _l("Report submitted (to HR)"),
        lambda p: _("%(report)s submitted: %(name)s", **p),
        lambda p: _("%(name)s submitted the %(report)s of the placement in %(city)s.", **p),
    ),
    "report_acknowledged": (
        _l("Report acknowledged"),
        lambda p: _("%(report)s acknowledged", **p),
        lambda p: _("HR acknowledged your %(report)s of the placement in %(city)s.", **p),
    ),
    "record_rejected": (
        _l("Language score or training not accepted by HR"),
        lambda p: _("Not accepted: %(entry)s", **p),
        lambda p: _("HR did not accept %(entry)s. Reason: %(reason)s", **p),
    ),
    "account_locked": (
        _l("Account locked by failed logins (to the administrators)"),
        lambda p: _("Account locked: %(name)s", **p),
        lambda p: _(
            "Failed logins locked the account of %(name)s (%(email)s) until %(until)s. "
            "Unlock it on the user's page if they ask.",
            **p,
        ),
    ),
    "delegation_started": (
        _l("Delegation starts (to the deputy)"),
        lambda p: _("You are the deputy of %(name)s", **p),
        lambda p: _("From %(start)s to %(end)s you act for %(name)s.", **p),
    ),
}
#: Kinds a partner city's coordinator can receive; TMG staff receive the others.
COORDINATOR_KINDS = ("placement_waiting", "nomination_accepted", "nomination_rejected")
#: Kinds only administrators receive.
ADMIN_KINDS = ("account_locked",)
APPLICATION_ACTIONS = {
    "submit": "application_submitted",
    "endorse": "application_endorsed",
    "decline": "application_declined",
    "return": "application_returned",
    "approve": "application_approved",
    "reject": "application_rejected",
}
PLACEMENT_ACTIONS = {"confirm": "placement_confirmed", "decline": "placement_declined"}


def rule_code(kind: str) -> str:
    return f"notice_{kind}"


def kinds_for(user: User) -> list[str]:
    """The kinds ``user`` can receive, for their preferences page."""
    kinds: list[str] = []
    if user.has_role(Role.COORDINATOR):
        kinds += COORDINATOR_KINDS
    if any(r != Role.COORDINATOR for r in user.roles):
        kinds += [k for k in KINDS if k not in COORDINATOR_KINDS + ADMIN_KINDS]
    if user.has_role(Role.ADMIN):
        kinds += ADMIN_KINDS
    return [k for k in KINDS if k in kinds]


@dataclass
class Notice:
    """One event to tell: what, about which object, to whom, with which words and link."""

    kind: str
    object_type: str
    object_id: int
    recipients: tuple[int, ...]
    params: Callable[[Localized], dict]
    link: tuple[str, dict] | None = None
    comment: str | None = None
    #: (subject_type, subject_id, due_on) when the subject itself is unique (a delegation starts
    #: once); else each event gets its own NoticeEvent row.
    key: tuple[str, int, date] | None = None
    extra: dict = field(default_factory=dict)


def _managers_and_deputies(department_id: int | None) -> tuple[int, ...]:
    if department_id is None:
        return ()
    managers = tuple(
        db.session.scalars(
            sa.select(department_managers.c.user_id).where(
                department_managers.c.department_id == department_id
            )
        )
    )
    today = tokyo_today()
    deputies = db.session.scalars(
        sa.select(Delegation.deputy_id).where(
            Delegation.principal_id.in_(managers) if managers else sa.false(),
            Delegation.starts_on <= today,
            Delegation.ends_on >= today,
        )
    )
    return managers + tuple(deputies)


def _person(user: User | None, local: Localized) -> str:
    return user.display_name(local.locale) if user is not None else ""


def application_notice(app: Application, kind: str, comment: str | None) -> Notice:
    if kind == "application_submitted":
        recipients = _managers_and_deputies(app.applicant.department_id)
    elif kind == "application_endorsed":
        recipients = role_user_ids(Role.HR)
    else:
        recipients = (app.applicant_id,)
    return Notice(
        kind,
        "application",
        app.id,
        recipients,
        lambda local: {"name": _person(app.applicant, local), "call": app.call.name(local.locale)},
        ("applications.application", {"application_id": app.id}),
        comment=comment if kind not in ("application_submitted", "application_endorsed") else None,
    )


def _placement_params(placement: Placement) -> Callable[[Localized], dict]:
    def params(local: Localized) -> dict:
        name = _person(placement.person, local) if placement.person else placement.guest_name
        return {
            "name": name or "",
            "city": placement.city.name(local.locale),
            "start": local.date(placement.start_on),
            "end": local.date(placement.end_on),
        }

    return params


def placement_notice(placement: Placement, kind: str, comment: str | None = None) -> Notice:
    if kind == "placement_waiting":
        if placement.direction == Direction.OUTGOING:
            recipients = Audiences(Audience.COORDINATOR).coordinators(placement.city_id)
        else:
            recipients = role_user_ids(Role.HR)
    else:
        recipients = role_user_ids(Role.HR) + (
            (placement.person_id,) if placement.person_id else ()
        )
    return Notice(
        kind,
        "placement",
        placement.id,
        recipients,
        _placement_params(placement),
        ("placements.detail", {"placement_id": placement.id}),
        comment=comment if kind == "placement_declined" else None,
    )


def nomination_notice(nomination: Nomination, kind: str, comment: str | None = None) -> Notice:
    if kind == "nomination_made":
        recipients = role_user_ids(Role.HR)
    else:
        recipients = Audiences(Audience.COORDINATOR).coordinators(nomination.city_id)
    return Notice(
        kind,
        "nomination",
        nomination.id,
        recipients,
        lambda local: {
            "name": nomination.name,
            "city": nomination.city.name(local.locale),
            "start": local.date(nomination.start_on),
            "end": local.date(nomination.end_on),
        },
        ("placements.nomination", {"nomination_id": nomination.id}),
        comment=comment,
    )


def report_notice(report: Report, kind: str) -> Notice:
    placement = report.placement
    if kind == "report_submitted":
        recipients = role_user_ids(Role.HR)
    else:  # the employee sent abroad (an incoming guest has no account)
        recipients = () if placement.person_id is None else (placement.person_id,)
    label = REPORT_MILESTONE[report.kind].lazy_label

    def params(local: Localized) -> dict:
        return _placement_params(placement)(local) | {"report": str(label)}

    return Notice(
        kind,
        "report",
        report.id,
        recipients,
        params,
        ("placements.detail", {"placement_id": placement.id}),
    )


def entry_notice(entry: LanguageScore | TrainingRecord, reason: str) -> Notice:
    """HR rejected the employee's own score or record: tell them which, and why."""

    def params(local: Localized) -> dict:
        on: date | None
        if isinstance(entry, LanguageScore):
            what = f"{test_label(entry.test, entry.test_name)} {entry.score}"
            on = entry.taken_on
        else:
            what, on = entry.program.name(local.locale), entry.completed_on
        return {"entry": f"{what} ({local.date(on)})" if on else what, "reason": reason}

    return Notice(
        "record_rejected",
        entry.__tablename__,
        entry.id,
        (entry.user_id,),
        params,
        ("training.history", {"user_id": entry.user_id}),
    )


def lock_notice(user: User, until) -> Notice:
    """Failed logins locked ``user``: the administrators, who can unlock it, are told."""

    def params(local: Localized) -> dict:
        return {
            "name": _person(user, local),
            "email": user.email,
            "until": local.instant(until),
        }

    return Notice(
        "account_locked",
        "users",
        user.id,
        role_user_ids(Role.ADMIN),
        params,
        ("admin.edit_user", {"user_id": user.id}),
    )


def delegation_notice(delegation: Delegation) -> Notice:
    return Notice(
        "delegation_started",
        "delegation",
        delegation.id,
        (delegation.deputy_id,),
        lambda local: {
            "name": _person(delegation.principal, local),
            "start": local.date(delegation.starts_on),
            "end": local.date(delegation.ends_on),
        },
        ("applications.applications", {}),
        key=("delegation", delegation.id, delegation.starts_on),
    )
