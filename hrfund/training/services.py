"""Rules of the training catalogue: scope, programs, sessions and enrolment.

Records and scores live in records.py, eligibility in eligibility.py, the talent search in
talent.py, bulk imports in imports.py.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from hrfund.auth.models import User
from hrfund.core.actor import Actor
from hrfund.core.audit import record_event
from hrfund.core.db import rows_changed
from hrfund.core.errors import Conflict, InvalidTransition, NotAllowed, NotFound, ValidationFailed
from hrfund.core.fiscal import tokyo_today
from hrfund.core.labels import state_label
from hrfund.core.permissions import allowed
from hrfund.core.statemachine import claim_row
from hrfund.extensions import db
from hrfund.training import summaries
from hrfund.training.models import (
    LanguageScore,
    ProgramCategory,
    RecordSource,
    RecordStatus,
    TrainingProgram,
    TrainingRecord,
    TrainingSession,
)
from hrfund.training.values import (  # records import them here
    DEFAULT_VALIDITY_YEARS,
    SCORE_RULES,
    TENTH,
    add_years,
    check_score,
    store_certificate,
    test_label_plain,
    to_decimal,
)

#: Re-exported from the module's other files: callers have one door to its rules.
__all__ = [
    "DEFAULT_VALIDITY_YEARS",
    "SCORE_RULES",
    "TENTH",
    "add_years",
    "check_score",
    "store_certificate",
    "test_label_plain",
    "to_decimal",
]

log = logging.getLogger(__name__)

ALL_RECORD_READERS = ("hr", "auditor")
# ---------------------------------------------------------------- scope


def sees_all_records(viewer: Actor) -> bool:
    return viewer.has_role(*ALL_RECORD_READERS)


def _owner_clause(viewer: Actor, column: so.InstrumentedAttribute[int]) -> sa.ColumnElement[bool]:
    if sees_all_records(viewer):
        return sa.true()
    if viewer.has_role("coordinator") and not viewer.has_role("employee"):
        return sa.false()  # partner-city staff keep no TMG training records
    return column == viewer.id


def records_visible_to(viewer: Actor) -> sa.Select[TrainingRecord]:
    """The training records ``viewer`` may read: HR and auditors all, anyone else their own."""
    return sa.select(TrainingRecord).where(_owner_clause(viewer, TrainingRecord.user_id))


def scores_visible_to(viewer: Actor) -> sa.Select[LanguageScore]:
    """The language scores ``viewer`` may read: HR and auditors all, anyone else their own."""
    return sa.select(LanguageScore).where(_owner_clause(viewer, LanguageScore.user_id))


#: Everyone but partner-city coordinators has (or reads) TMG training records.
RECORD_ROLES = ("employee", "manager", "hr", "auditor", "admin")


def can_see_development_of(viewer: Actor, user: User) -> bool:
    return sees_all_records(viewer) or (
        viewer.id == user.id
        and not (viewer.has_role("coordinator") and not viewer.has_role("employee"))
    )


def get_record_or_404(record_id: int, viewer: Actor) -> TrainingRecord:
    record = db.session.scalar(records_visible_to(viewer).where(TrainingRecord.id == record_id))
    if record is None:
        raise NotFound(str(_l("No such training record.")))
    return record


def get_score_or_404(score_id: int, viewer: Actor) -> LanguageScore:
    score = db.session.scalar(scores_visible_to(viewer).where(LanguageScore.id == score_id))
    if score is None:
        raise NotFound(str(_l("No such language score.")))
    return score


def acting_for(actor: Actor, user: User | None) -> bool:
    """True when HR acts (records verified); False for an employee's own entry; else refuse
    (``user`` None: someone other than ``actor``, not looked up)."""
    if actor.has_role("hr"):
        return True
    if user is not None and user.id == actor.id and actor.has_role("employee"):
        return False
    raise NotAllowed(str(_l("You can only add your own training and scores.")))


# ---------------------------------------------------------------- catalogue

PROGRAM_FIELDS = (
    "code",
    "title_ja",
    "title_en",
    "category",
    "provider",
    "hours",
    "language",
    "description",
    "active",
)


#: Text columns that hold "" rather than NULL: a post that leaves one out stores "".
_PROGRAM_TEXTS = ("provider", "language", "description")


def _check_program(values: dict[str, Any], program: TrainingProgram | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name in _PROGRAM_TEXTS:
        if name in values and values[name] is None:
            values[name] = ""
    for name in ("title_ja", "title_en"):
        if not str(values.get(name) or "").strip():
            errors.setdefault(name, []).append(str(_l("This field is required.")))
        elif len(values[name]) > 200:
            errors.setdefault(name, []).append(str(_l("Use at most 200 characters.")))
    if values.get("category") not in {c.value for c in ProgramCategory}:
        errors["category"] = [str(_l("Choose one of the listed categories."))]
    values["hours"] = to_decimal(values.get("hours"), "hours", errors, required=True)
    code = values.get("code") or None
    if code and db.session.scalar(
        sa.select(TrainingProgram.id).where(
            TrainingProgram.code == code, TrainingProgram.id != (program.id if program else -1)
        )
    ):
        errors["code"] = [str(_l("Another program has this code."))]
    return errors


def create_program(actor: Actor, **values: Any) -> TrainingProgram:
    """Add a program to the catalogue (HR)."""
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    values["code"] = (values.get("code") or "").upper() or None
    if errors := _check_program(values, None):
        raise ValidationFailed(str(_l("The program could not be saved.")), fields=errors)
    program = TrainingProgram(**{k: values[k] for k in PROGRAM_FIELDS if k in values})
    program.category = ProgramCategory(values["category"])
    db.session.add(program)
    db.session.flush()
    record_event(
        actor,
        "training_program.create",
        program,
        changes={k: values.get(k) for k in PROGRAM_FIELDS if k in values},
    )
    return program


def update_program(actor: Actor, program: TrainingProgram, **values: Any) -> TrainingProgram:
    """Change a program of the catalogue (HR)."""
    merged = {k: getattr(program, k) for k in PROGRAM_FIELDS} | {
        k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()
    }
    merged["code"] = (merged.get("code") or "").upper() or None
    if errors := _check_program(merged, program):
        raise ValidationFailed(str(_l("The program could not be saved.")), fields=errors)
    merged["category"] = ProgramCategory(merged["category"])
    changes = {
        k: [getattr(program, k), merged[k]]
        for k in PROGRAM_FIELDS
        if getattr(program, k) != merged[k]
    }
    for key in PROGRAM_FIELDS:
        setattr(program, key, merged[key])
    if changes:
        record_event(actor, "training_program.update", program, changes=changes)
    return program


def programs_query(
    *, q: str | None = None, category: str | None = None, active: bool | None = True
) -> sa.Select[TrainingProgram]:
    stmt = sa.select(TrainingProgram).order_by(TrainingProgram.category, TrainingProgram.title_en)
    if active is not None:
        stmt = stmt.where(TrainingProgram.active.is_(active))
    if category:
        stmt = stmt.where(TrainingProgram.category == category)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(
            sa.or_(
                TrainingProgram.title_en.ilike(like),
                TrainingProgram.title_ja.like(like),
                TrainingProgram.code.ilike(like),
                TrainingProgram.provider.ilike(like),
            )
        )
    return stmt


def get_program_or_404(program_id: int) -> TrainingProgram:
    program = db.session.get(TrainingProgram, program_id)
    if program is None:
        raise NotFound(str(_l("No such training program.")))
    return program


def create_session(
    actor: Actor,
    program: TrainingProgram,
    *,
    starts_on: date | None,
    ends_on: date | None,
    capacity: Any,
    place: str = "",
) -> TrainingSession:
    """Schedule a session of a program (HR)."""
    errors: dict[str, list[str]] = {}
    if not isinstance(starts_on, date):
        errors["starts_on"] = [str(_l("Enter a date as YYYY-MM-DD."))]
    if not isinstance(ends_on, date):
        errors["ends_on"] = [str(_l("Enter a date as YYYY-MM-DD."))]
    elif isinstance(starts_on, date) and ends_on < starts_on:
        errors["ends_on"] = [str(_l("The session cannot end before it starts."))]
    if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1:
        errors["capacity"] = [str(_l("Enter a whole number of seats, at least 1."))]
    if errors:
        raise ValidationFailed(str(_l("The session could not be saved.")), fields=errors)
    session = TrainingSession(
        program=program,
        starts_on=starts_on,
        ends_on=ends_on,
        capacity=capacity,
        place=(place or "").strip(),
    )
    db.session.add(session)
    record_event(
        actor,
        "training_session.create",
        session,
        changes={
            "program_id": program.id,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "capacity": capacity,
            "place": session.place,
        },
    )
    return session


def get_session_or_404(session_id: int) -> TrainingSession:
    session = db.session.get(TrainingSession, session_id)
    if session is None:
        raise NotFound(str(_l("No such session.")))
    return session


def open_for_enrolment(session: TrainingSession, today: date | None = None) -> bool:
    """A session takes enrolments until the day it starts, if its program is still offered."""
    return session.program.active and session.starts_on >= (today or tokyo_today())


def enrol(actor: User, session: TrainingSession, user: User | None = None) -> TrainingRecord:
    """Take a seat in a session (for ``actor`` themselves unless HR names ``user``); refuses when
    it is full, under any concurrency, and once it has started or its program is no longer
    offered."""
    user = user or actor
    acting_for(actor, user)
    if not open_for_enrolment(session):
        raise InvalidTransition(
            str(_l("This session no longer takes enrolments: it has started or is withdrawn."))
        )
    already = db.session.scalar(
        sa.select(TrainingRecord.id).where(
            TrainingRecord.session_id == session.id,
            TrainingRecord.user_id == user.id,
            TrainingRecord.status == RecordStatus.ENROLLED,
        )
    )
    if already:
        raise Conflict(str(_l("You are already enrolled in this session.")))
    # A conditional UPDATE is atomic on every backend: of two requests racing for the last seat,
    # exactly one sees a row updated.
    taken = rows_changed(
        db.session.execute(
            sa.update(TrainingSession)
            .where(
                TrainingSession.id == session.id,
                TrainingSession.enrolled_count < TrainingSession.capacity,
            )
            .values(enrolled_count=TrainingSession.enrolled_count + 1)
            .execution_options(synchronize_session=False)
        )
    )
    if not taken:
        raise Conflict(str(_l("This session is full.")))
    db.session.refresh(session)
    record = TrainingRecord(
        user=user,
        program_id=session.program_id,
        session=session,
        status=RecordStatus.ENROLLED,
        source=RecordSource.ENROLMENT,
    )
    db.session.add(record)
    record_event(
        actor,
        "training_record.enrol",
        record,
        to_state=RecordStatus.ENROLLED,
        changes={"user_id": user.id, "session_id": session.id},
    )
    return record


def check_cancel(actor: Actor, record: TrainingRecord) -> None:
    """An enrolment is cancelled by its employee or by HR."""
    if not (actor.has_role("hr") or record.user_id == actor.id):
        raise NotAllowed(str(_l("You can only cancel your own enrolment.")))
    if record.status != RecordStatus.ENROLLED:
        raise InvalidTransition(str(_l("Only an enrolment can be cancelled.")))


def can_cancel(actor: Actor, record: TrainingRecord) -> bool:
    return allowed(check_cancel, actor, record)


def cancel_enrolment(actor: Actor, record: TrainingRecord) -> TrainingRecord:
    """Give up a seat (the employee or HR); the seat becomes free again."""
    check_cancel(actor, record)
    set_status(actor, record, RecordStatus.CANCELLED)
    return record


def set_status(actor: Actor, record: TrainingRecord, status: RecordStatus) -> None:
    before = record.status
    if before == status:
        return
    if before == RecordStatus.CANCELLED:
        raise InvalidTransition(str(_l("A cancelled record cannot change any more.")))
    if status == RecordStatus.ENROLLED:
        raise InvalidTransition(str(_l("A record cannot go back to enrolled.")))
    counted = summaries.part_of(record)
    claim_row(  # of two changes at once (two cancels), one wins; the seat is given back once
        record,
        TrainingRecord.status == before,
        {"status": status},
        lambda: InvalidTransition(
            str(
                _l(
                    "This was changed meanwhile: it is now %(state)s.",
                    state=state_label(record.status),
                )
            )
        ),
    )
    summaries.moved(record, counted)
    if status == RecordStatus.CANCELLED and record.session_id:
        db.session.execute(
            sa.update(TrainingSession)
            .where(TrainingSession.id == record.session_id, TrainingSession.enrolled_count > 0)
            .values(enrolled_count=TrainingSession.enrolled_count - 1)
            .execution_options(synchronize_session=False)
        )
    record_event(actor, "training_record.status", record, from_state=before, to_state=status)
