"""Rules of training records and language scores: who adds what, verification, history."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any, BinaryIO

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hrfund.auth.anonymous import not_placeholder
from hrfund.auth.models import User
from hrfund.core.audit import record_event
from hrfund.core.db import utcnow
from hrfund.core.errors import Conflict, NotAllowed, ValidationFailed
from hrfund.core.fiscal import fiscal_year_of, tokyo_today
from hrfund.core.texts import check_length
from hrfund.extensions import db
from hrfund.training import hooks
from hrfund.training.models import (
    LanguageScore,
    LanguageTest,
    RecordSource,
    RecordStatus,
    TrainingProgram,
    TrainingRecord,
)
from hrfund.training.services import (
    DEFAULT_VALIDITY_YEARS,
    acting_for,
    add_years,
    check_score,
    set_status,
    store_certificate,
    to_decimal,
)
from hrfund.training.verification import (  # noqa: F401 - the verifications' door stays here
    can_review,
    check_review,
    verify_record,
    verify_score,
)

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- records


def _verified_if(by_hr: bool, actor) -> dict[str, Any]:
    """HR's entry counts as verified when made, stamped with who and when; the employee's own
    waits for HR."""
    return {
        "verified": by_hr,
        "verified_at": utcnow() if by_hr else None,
        "verified_by_id": actor.id if by_hr else None,
    }


RECORD_FIELDS = ("status", "completed_on", "hours", "score", "expires_on", "note")


def _check_record_values(values: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if values.get("status") not in {s.value for s in RecordStatus}:
        errors["status"] = [str(_l("Choose one of the listed statuses."))]
    for name in ("completed_on", "expires_on"):
        if values.get(name) is not None and not isinstance(values[name], date):
            errors[name] = [str(_l("Enter a date as YYYY-MM-DD."))]
    values["hours"] = to_decimal(values.get("hours"), "hours", errors)
    values["score"] = to_decimal(values.get("score"), "score", errors)
    if values.get("status") == RecordStatus.COMPLETED and not values.get("completed_on"):
        errors["completed_on"] = [str(_l("A completed training needs its completion date."))]
    completed, expires = values.get("completed_on"), values.get("expires_on")
    if isinstance(completed, date) and completed > tokyo_today():
        errors["completed_on"] = [str(_l("The completion date cannot be in the future."))]
    if isinstance(completed, date) and isinstance(expires, date) and expires < completed:
        errors["expires_on"] = [str(_l("The expiry cannot be before the completion date."))]
    return errors


def check_training_record(values: dict) -> None:
    """A new record's rules, every broken one at once (``values`` gets its numbers read);
    the page runs it next to its form, before any certificate is stored."""
    if errors := _check_record_values(values):
        raise ValidationFailed(str(_l("The training record could not be saved.")), fields=errors)


def record_training(
    actor,
    user: User,
    program: TrainingProgram,
    *,
    status: str,
    completed_on: date | None = None,
    hours: Any = None,
    score: Any = None,
    expires_on: date | None = None,
    note: str = "",
    certificate: tuple[BinaryIO, str] | None = None,
) -> TrainingRecord:
    """Record a training of ``user``: by HR (verified) or by the employee (unverified)."""
    by_hr = acting_for(actor, user)
    values = {
        "status": status,
        "completed_on": completed_on,
        "hours": hours,
        "score": score,
        "expires_on": expires_on,
    }
    check_training_record(values)
    if completed_on and db.session.scalar(
        sa.select(TrainingRecord.id).where(
            TrainingRecord.user_id == user.id,
            TrainingRecord.program_id == program.id,
            TrainingRecord.completed_on == completed_on,
        )
    ):
        raise Conflict(str(_l("This training is already recorded for that date.")))
    record = TrainingRecord(
        user=user,
        program=program,
        status=RecordStatus(status),
        completed_on=completed_on,
        hours=values["hours"],
        score=values["score"],
        expires_on=expires_on,
        note=note or "",
        source=RecordSource.HR if by_hr else RecordSource.SELF,
        **_verified_if(by_hr, actor),
    )
    record.certificate = store_certificate(certificate, user, actor)
    db.session.add(record)
    record_event(
        actor,
        "training_record.create",
        record,
        to_state=record.status,
        changes={
            "user_id": user.id,
            "program_id": program.id,
            "verified": by_hr,
            **{k: values[k] for k in ("completed_on", "hours", "score")},
        },
    )
    return record


def update_record(actor, record: TrainingRecord, **values) -> TrainingRecord:
    """HR corrects a record or marks it completed or failed; HR's entry counts as verified."""
    if not actor.has_role("hr"):
        raise NotAllowed(str(_l("Only HR can change a training record.")))
    # read under the row's lock: what it counted before is moved out of the summary rows (two
    # edits at once each see the other's result, not the same old values)
    db.session.refresh(record, with_for_update=True)
    merged = {k: getattr(record, k) for k in RECORD_FIELDS} | values
    merged["status"] = str(merged["status"])
    if errors := _check_record_values(merged):
        raise ValidationFailed(str(_l("The training record could not be saved.")), fields=errors)
    changes = {
        k: [getattr(record, k), merged[k]]
        for k in RECORD_FIELDS[1:]
        if getattr(record, k) != merged[k]
    }
    for key in RECORD_FIELDS[1:]:  # before the status: a completed record has its date
        setattr(record, key, merged[key])
    set_status(actor, record, RecordStatus(merged["status"]))
    if record.status == RecordStatus.COMPLETED and not record.verified:
        # HR recording the outcome is HR's own entry, as record_training by HR is
        record.verified, record.verified_at, record.verified_by_id = True, utcnow(), actor.id
        changes["verified"] = [False, True]
    if changes:
        record_event(actor, "training_record.update", record, changes=changes)
    return record


def check_language_score(
    *,
    test: str,
    score: Any,
    taken_on: object,
    expires_on: object = None,
    test_name: str = "",
    level: str = "",
) -> tuple[str, str, Decimal]:
    """A score's rules, every broken one at once; (test name, level, score) as kept. The page
    runs it next to its form, before any certificate is stored."""
    errors: dict[str, list[str]] = {}
    if test not in {t.value for t in LanguageTest}:
        errors["test"] = [str(_l("Choose one of the listed tests."))]
    test_name = check_length(errors, "test_name", test_name, 100) if test == "other" else ""
    level = check_length(errors, "level", level, 20)
    if test == LanguageTest.OTHER and not test_name:
        errors["test_name"] = [str(_l("Name the test."))]
    number = to_decimal(score, "score", errors, required=True)
    if "test" not in errors:
        check_score(LanguageTest(test), number, errors)
    if not isinstance(taken_on, date):
        errors["taken_on"] = [str(_l("Enter a date as YYYY-MM-DD."))]
    elif taken_on > tokyo_today():
        errors["taken_on"] = [str(_l("The test date cannot be in the future."))]
    if expires_on is not None and not isinstance(expires_on, date):
        errors["expires_on"] = [str(_l("Enter a date as YYYY-MM-DD."))]
    elif isinstance(expires_on, date) and isinstance(taken_on, date) and expires_on < taken_on:
        errors["expires_on"] = [str(_l("The expiry cannot be before the test date."))]
    if errors:
        raise ValidationFailed(str(_l("The score could not be saved.")), fields=errors)
    assert number is not None  # a required score, read without errors
    return test_name, level, number


def add_language_score(
    actor,
    user: User,
    *,
    test: str,
    score: Any,
    taken_on: date | None,
    expires_on: date | None = None,
    test_name: str = "",
    level: str = "",
    certificate: tuple[BinaryIO, str] | None = None,
) -> LanguageScore:
    """Record a language test result: by HR (verified) or by the employee (unverified)."""
    by_hr = acting_for(actor, user)
    test_name, level, number = check_language_score(
        test=test,
        score=score,
        taken_on=taken_on,
        expires_on=expires_on,
        test_name=test_name,
        level=level,
    )
    test_value = LanguageTest(test)
    if expires_on is None and taken_on is not None and test_value in DEFAULT_VALIDITY_YEARS:
        expires_on = add_years(taken_on, DEFAULT_VALIDITY_YEARS[test_value])
    if db.session.scalar(
        sa.select(LanguageScore.id).where(
            LanguageScore.user_id == user.id,
            LanguageScore.test == test_value,
            LanguageScore.test_name == test_name,
            LanguageScore.taken_on == taken_on,
        )
    ):
        raise Conflict(str(_l("A score of this test on this date is already recorded.")))
    result = LanguageScore(
        user=user,
        test=test_value,
        test_name=test_name,
        score=number,
        level=level,
        taken_on=taken_on,
        expires_on=expires_on,
        **_verified_if(by_hr, actor),
    )
    result.certificate = store_certificate(certificate, user, actor)
    db.session.add(result)
    record_event(
        actor,
        "language_score.create",
        result,
        changes={
            "user_id": user.id,
            "test": test_value,
            "score": number,
            "taken_on": taken_on,
            "expires_on": expires_on,
            "verified": by_hr,
        },
    )
    return result


def unverified_queue():
    """Unverified records and scores, oldest first, for HR's verification page."""
    records = (
        sa.select(TrainingRecord)
        .where(
            TrainingRecord.verified.is_(False),
            TrainingRecord.rejected_at.is_(None),
            TrainingRecord.status == RecordStatus.COMPLETED,
        )
        .options(sa.orm.joinedload(TrainingRecord.user), sa.orm.joinedload(TrainingRecord.program))
        .order_by(TrainingRecord.id)
    )
    scores = (
        sa.select(LanguageScore)
        .join(User, User.id == LanguageScore.user_id)
        # anonymised scores (see hrfund/reports/retention.py) belong to nobody to verify
        .where(
            LanguageScore.verified.is_(False),
            not_placeholder(User.email),
            LanguageScore.rejected_at.is_(None),
        )
        .options(sa.orm.joinedload(LanguageScore.user))
        .order_by(LanguageScore.id)
    )
    return records, scores


# ---------------------------------------------------------------- development history


def development_history(user: User) -> dict:
    """Everything one employee has done: records, scores, hours per fiscal year, exchanges."""
    records = db.session.scalars(
        sa.select(TrainingRecord)
        .where(TrainingRecord.user_id == user.id)
        .options(
            sa.orm.joinedload(TrainingRecord.program), sa.orm.joinedload(TrainingRecord.session)
        )
        .order_by(TrainingRecord.completed_on.desc().nulls_first(), TrainingRecord.id.desc())
    ).all()
    scores = db.session.scalars(
        sa.select(LanguageScore)
        .where(LanguageScore.user_id == user.id)
        .order_by(LanguageScore.taken_on.desc())
    ).all()
    hours: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for record in records:
        if record.status == RecordStatus.COMPLETED and record.completed_on:
            year = fiscal_year_of(record.completed_on)
            hours[year][record.program.category.value] += record.effective_hours
            hours[year]["total"] += record.effective_hours
    return {
        "records": records,
        "scores": scores,
        "hours_by_year": {y: dict(v) for y, v in sorted(hours.items(), reverse=True)},
        "exchanges": hooks.exchange_history(user),
        "today": tokyo_today(),
    }


def find_employee(value: Any, field: str = "user") -> User:
    """A user named by id, e-mail or employee number; ValidationFailed on ``field`` if none."""
    stmt = None
    if isinstance(value, int) and not isinstance(value, bool):
        stmt = sa.select(User).where(User.id == value)
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        stmt = sa.select(User).where(
            sa.or_(sa.func.lower(User.email) == text.lower(), User.employee_number == text)
        )
    user = db.session.scalar(stmt) if stmt is not None else None
    if user is None:
        message = str(_l("No employee with this e-mail, number or id."))
        raise ValidationFailed(message, fields={field: [message]})
    return user


def names_actor(actor, value: Any) -> bool:
    """Does ``value`` (an id, e-mail or employee number) name ``actor``?"""
    if isinstance(value, int) and not isinstance(value, bool):
        return bool(value == actor.id)
    text = str(value).strip().lower()
    return text in (actor.email.lower(), (actor.employee_number or "").lower())


def entry_subject(actor, value: Any, field: str = "user") -> User:
    """Whose record or score ``actor`` is entering: ``value`` names them (id, e-mail or
    employee number), ``actor`` when empty. Only HR enters someone else's, so anyone else
    naming another person is refused before the lookup, which would tell them who exists."""
    if value is None or (isinstance(value, str) and not value.strip()) or names_actor(actor, value):
        return actor
    acting_for(actor, None)  # refuses everyone but HR
    return find_employee(value, field)
