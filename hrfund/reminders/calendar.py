"""Private iCalendar feeds: a user's own dates, or (HR) one partner city's, behind a revocable
token in the URL. Only the token's SHA-256 is stored; the URL is shown once when made."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from icalendar import Calendar, Event

from hrfund.applications.models import Application, ApplicationStatus, Call, CallStatus
from hrfund.auth.models import Role, User
from hrfund.core.audit import record_event
from hrfund.core.db import utcnow
from hrfund.core.errors import NotAllowed, NotFound
from hrfund.core.fiscal import tokyo_today
from hrfund.core.mail import recipient_language
from hrfund.core.statemachine import claim_row
from hrfund.extensions import db
from hrfund.org.models import PartnerCity
from hrfund.placements.models import Placement, PlacementStatus
from hrfund.reminders.models import CalendarToken
from hrfund.training.labels import test_label
from hrfund.training.models import LanguageScore, TrainingRecord

TOKEN_PREFIX = "cal_"  # noqa: S105 - a visible prefix, not a secret
SHOWN = (
    PlacementStatus.PROPOSED,
    PlacementStatus.CONFIRMED,
    PlacementStatus.ACTIVE,
    PlacementStatus.COMPLETED,
)
HISTORY_DAYS = 400  # a city feed shows placements that ended in about the last year


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def create_calendar_token(
    actor: User, city: PartnerCity | None = None
) -> tuple[CalendarToken, str]:
    """A new feed token for ``actor``'s own dates, or (HR only) for ``city``."""
    if city is not None and not actor.has_role(Role.HR):
        raise NotAllowed(str(_l("Only HR has calendar feeds of partner cities.")))
    plain = TOKEN_PREFIX + secrets.token_urlsafe(24)
    token = CalendarToken(
        user_id=actor.id,
        city_id=city.id if city else None,
        token_hash=_sha256(plain),
        prefix=plain[:10],
    )
    db.session.add(token)
    db.session.flush()
    record_event(
        actor, "calendar_token.create", token, changes={"city": city.code if city else None}
    )
    return token, plain


def revoke_calendar_token(actor: User, token: CalendarToken) -> None:
    if token.user_id != actor.id:
        raise NotFound(str(_l("No such calendar feed.")))
    try:  # claimed: of two revokes at once one writes the audit event; both succeed
        claim_row(token, CalendarToken.revoked_at.is_(None), {"revoked_at": utcnow()}, _Revoked)
    except _Revoked:
        return
    record_event(actor, "calendar_token.revoke", token)
    db.session.flush()


class _Revoked(Exception):
    """The token was revoked already: revoking it again changes nothing."""


def tokens_of(user: User) -> list[CalendarToken]:
    return list(
        db.session.scalars(
            sa.select(CalendarToken)
            .where(CalendarToken.user_id == user.id, CalendarToken.revoked_at.is_(None))
            .options(so.joinedload(CalendarToken.city))
            .order_by(CalendarToken.id)
        )
    )


def get_token_or_404(token_id: int, user: User) -> CalendarToken:
    token = db.session.get(CalendarToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(str(_l("No such calendar feed.")))
    return token


def feed_token(plain: str) -> CalendarToken:
    """The live token behind a feed URL, or NotFound (also once revoked or its owner left)."""
    token = db.session.scalar(
        sa.select(CalendarToken).where(CalendarToken.token_hash == _sha256(plain or ""))
    )
    if token is None or token.revoked_at is not None or not token.user.active:
        raise NotFound(str(_l("No such calendar feed.")))
    if token.city_id is not None and not token.user.has_role(Role.HR):
        raise NotFound(str(_l("No such calendar feed.")))
    return token


def _all_day(
    uid: str, summary: str, start: date, end: date | None = None, description: str = ""
) -> Event:
    event = Event()
    event.add("uid", f"{uid}@hrfund")
    event.add("dtstamp", utcnow())
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", (end or start) + timedelta(days=1))
    if description:
        event.add("description", description)
    return event


def _placement_events(placements, lang: str) -> list[Event]:
    events = []
    for p in placements:
        city = p.city.name(lang)
        # the person's name as the subscriber's language writes it (山田 太郎 / Taro Yamada)
        name = p.person.display_name(lang) if p.person is not None else p.person_name
        events.append(
            _all_day(
                f"placement-{p.id}",
                _("Placement: %(name)s in %(city)s", name=name, city=city),
                p.start_on,
                p.end_on,
                p.purpose or "",
            )
        )
        for m in p.milestones:
            if m.done_at is None:
                events.append(
                    _all_day(
                        f"milestone-{m.id}",
                        _(
                            "%(milestone)s: %(name)s (%(city)s)",
                            milestone=m.kind.label,
                            name=name,
                            city=city,
                        ),
                        m.due_on,
                    )
                )
    return events


def build_feed(token: CalendarToken) -> bytes:
    """The iCalendar document of a feed, in its owner's language and time zone."""
    owner = token.user
    with recipient_language(owner) as local:
        cal = Calendar()
        cal.add("prodid", "-//Tokyo Metropolitan Government//hrfund//EN")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        stmt = (
            sa.select(Placement)
            .where(Placement.status.in_(SHOWN))
            .options(
                so.joinedload(Placement.city),
                so.joinedload(Placement.person),
                so.selectinload(Placement.milestones),
            )
            .order_by(Placement.start_on, Placement.id)
        )
        if token.city is not None:
            city = token.city
            since = tokyo_today() - timedelta(days=HISTORY_DAYS)
            stmt = stmt.where(Placement.city_id == city.id, Placement.end_on >= since)
            cal.add("x-wr-calname", _("hrfund: %(city)s", city=city.name(local.locale)))
            cal.add("x-wr-timezone", city.timezone)
        else:
            stmt = stmt.where(Placement.person_id == owner.id)
            cal.add("x-wr-calname", _("hrfund: my dates"))
            cal.add("x-wr-timezone", local.tz.key)
        for event in _placement_events(db.session.scalars(stmt).unique(), local.locale):
            cal.add_component(event)
        if token.city is None:
            for event in _own_deadlines(owner, local.locale):
                cal.add_component(event)
    return cal.to_ical()


def _own_deadlines(user: User, lang: str) -> list[Event]:
    events = []
    records = db.session.scalars(
        sa.select(TrainingRecord)
        .where(TrainingRecord.user_id == user.id, TrainingRecord.expires_on.is_not(None))
        .options(so.joinedload(TrainingRecord.program))
    )
    for record in records:
        if record.expires_on is None:  # not selected; for the type checker
            continue
        events.append(
            _all_day(
                f"training-record-{record.id}",
                _("Certificate expires: %(program)s", program=record.program.name(lang)),
                record.expires_on,
            )
        )
    scores = db.session.scalars(
        sa.select(LanguageScore).where(
            LanguageScore.user_id == user.id, LanguageScore.expires_on.is_not(None)
        )
    )
    unsent = db.session.execute(
        sa.select(Call)
        .join(Application, Application.call_id == Call.id)
        .where(
            Application.applicant_id == user.id,
            Application.status.in_([ApplicationStatus.DRAFT, ApplicationStatus.RETURNED]),
            Call.status == CallStatus.OPEN,
        )
    )
    for call in unsent.scalars():  # the applicant's own deadline to submit
        title = call.name(lang)
        events.append(
            _all_day(
                f"call-{call.id}-closes", _("Call closes: %(title)s", title=title), call.closes_on
            )
        )
    for score in scores:
        if score.expires_on is None:  # not selected; for the type checker
            continue
        events.append(
            _all_day(
                f"language-score-{score.id}",
                _(
                    "Language score expires: %(test)s %(score)s",
                    test=test_label(score.test, score.test_name),
                    score=score.score,
                ),
                score.expires_on,
            )
        )
    return events
