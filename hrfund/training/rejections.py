"""HR rejects an employee's own language score or training record, with a reason.

A rejected entry stays on the employee's record (with the reason, so that they can see why and
enter a corrected one), leaves HR's verification queue, and counts for nothing: not for
eligibility, not in the talent pool. Verified and rejected exclude each other (a check
constraint), and of two HR officers deciding at once exactly one wins (a conditional UPDATE).
The employee is told once, through the ``entry_rejected`` signal that the reminders turn into a
notice.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hrfund.core import signals
from hrfund.core.audit import record_event
from hrfund.core.db import utcnow
from hrfund.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from hrfund.core.statemachine import claim_row
from hrfund.training import summaries
from hrfund.training.models import LanguageScore, TrainingRecord

log = logging.getLogger(__name__)

MAX_REASON = 2000


def check_reason(reason: str | None) -> str:
    """The reason, stripped; refused when empty or too long."""
    reason = (reason or "").strip()
    if not reason:
        message = str(_l("Say why the entry is rejected."))
        raise ValidationFailed(message, fields={"reason": [message]})
    if len(reason) > MAX_REASON:
        message = str(_l("Use at most %(max)d characters.", max=MAX_REASON))
        raise ValidationFailed(message, fields={"reason": [message]})
    return reason


def _reject(actor, entry, model, action: str, reason: str | None):
    if not actor.has_role("hr"):
        raise NotAllowed(str(_l("Only HR can reject entries.")))
    reason = check_reason(reason)

    def refusal() -> Exception:
        if entry.verified:
            return InvalidTransition(str(_l("This entry is already verified.")))
        return InvalidTransition(str(_l("This entry was rejected.")))

    if entry.verified or entry.rejected_at is not None:
        raise refusal()
    counted = summaries.part_of(entry)
    claim_row(
        entry,
        sa.and_(model.verified.is_(False), model.rejected_at.is_(None)),
        {"rejected_at": utcnow(), "rejected_by_id": actor.id, "rejection_reason": reason},
        refusal,
    )
    summaries.moved(entry, counted)  # nothing today (only unverified entries are rejected)
    record_event(actor, action, entry, from_state="unverified", to_state="rejected", comment=reason)
    log.info("%s %s rejected by %s", model.__tablename__, entry.id, actor.email)
    signals.entry_rejected.send(entry, actor=actor, reason=reason)
    return entry


def reject_score(actor, score: LanguageScore, reason: str | None) -> LanguageScore:
    """HR does not accept an employee's language score (the certificate does not match, …)."""
    return _reject(actor, score, LanguageScore, "language_score.reject", reason)


def reject_record(actor, record: TrainingRecord, reason: str | None) -> TrainingRecord:
    """HR does not accept an employee's training record."""
    return _reject(actor, record, TrainingRecord, "training_record.reject", reason)
