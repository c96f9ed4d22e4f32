"""HR verifies an employee's own training record or language score: who may, and when
(``check_review``, which pages ask through ``can_review``), and the claim of the row, so that
of two HR officers at once one verifies and the other gets 409."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hrfund.core.actor import Actor
from hrfund.core.audit import record_event
from hrfund.core.db import utcnow
from hrfund.core.errors import InvalidTransition, NotAllowed
from hrfund.core.permissions import allowed
from hrfund.core.statemachine import claim_row
from hrfund.training import summaries
from hrfund.training.models import LanguageScore, TrainingRecord

_REVIEW = {
    "record": (_l("Only HR can verify records."), _l("This record is already verified.")),
    "score": (_l("Only HR can verify scores."), _l("This score is already verified.")),
}


def check_review(actor: Actor, entry: TrainingRecord | LanguageScore) -> None:
    """HR verifies (or rejects) an employee's record or score while it awaits review."""
    only_hr, already = _REVIEW["score" if isinstance(entry, LanguageScore) else "record"]
    if not actor.has_role("hr"):
        raise NotAllowed(str(only_hr))
    if entry.verified:
        raise InvalidTransition(str(already))
    if entry.rejected_at is not None:
        raise InvalidTransition(str(_l("This entry was rejected.")))


def can_review(actor: Actor, entry: TrainingRecord | LanguageScore) -> bool:
    return allowed(check_review, actor, entry)


def verify_record(actor: Actor, record: TrainingRecord) -> TrainingRecord:
    """HR confirms an employee's own entry."""
    _verify(actor, record, "training_record.verify")
    return record


def _verify(actor: Actor, entry: TrainingRecord | LanguageScore, action: str) -> None:
    """Verify a record or a score: of two HR officers at once, one does, the other gets 409."""
    check_review(actor, entry)
    model = type(entry)
    _only_hr, already = _REVIEW["score" if model is LanguageScore else "record"]
    counted = summaries.part_of(entry)
    claim_row(
        entry,
        sa.and_(model.verified.is_(False), model.rejected_at.is_(None)),
        {"verified": True, "verified_at": utcnow(), "verified_by_id": actor.id},
        lambda: InvalidTransition(str(already)),
    )
    summaries.moved(entry, counted)  # a verified score counts in the levels
    record_event(actor, action, entry, from_state="unverified", to_state="verified")


# ---------------------------------------------------------------- language scores


def verify_score(actor: Actor, score: LanguageScore) -> LanguageScore:
    """HR confirms an employee's own score (after seeing the certificate)."""
    _verify(actor, score, "language_score.verify")
    return score
