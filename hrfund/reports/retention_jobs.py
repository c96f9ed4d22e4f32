"""The retention job: anonymise what is past its period, batch by batch, one audit event a run.

Jobs own their transactions: each batch is committed on its own (a crash loses at most the batch
in flight, and the next run takes it up again), and the bytes of the files a batch removed are
deleted only after its commit. Running it again changes nothing more: anonymised records are no
longer due.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app

from hrfund.core.db import utcnow
from hrfund.extensions import db
from hrfund.reports import retention

log = logging.getLogger(__name__)


@dataclass
class RetentionResult:
    """What one run anonymised, by kind, and how many audit events are past their period."""

    counts: dict[str, int] = field(default_factory=dict)
    audit_events_past_period: int = 0
    audit_event_id: int | None = None

    def __str__(self) -> str:
        done = ", ".join(f"{k} {v}" for k, v in self.counts.items())
        return f"{done}; audit events past their period {self.audit_events_past_period}"


def run_retention(now: datetime | None = None, *, batch_size: int | None = None) -> RetentionResult:
    """Anonymise every record past its retention period at ``now``; commit batch by batch."""
    now = now or utcnow()
    batch_size = batch_size or int(
        current_app.config.get("RETENTION_BATCH_SIZE", retention.DEFAULT_BATCH_SIZE)
    )
    result = RetentionResult()
    for key, step in retention.STEPS.items():
        total = 0
        while True:
            files: list = []
            done = step(now, batch_size, files)
            db.session.commit()
            for path in files:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            total += done
            if done < batch_size:
                break
        result.counts[key] = total
    result.audit_events_past_period = retention.due_counts(now)["audit_events"]
    event = retention.record_run(result.counts, now, result.audit_events_past_period)
    db.session.commit()
    result.audit_event_id = event.id
    log.info("retention run at %s: %s", now.isoformat(), result)
    return result
