"""The scheduler's heartbeat: one row per periodic job, written each time the job runs.

``flask scheduler run`` is a separate process; the web pages learn what it does only from this
table: when each job last started and finished, whether it failed (and why), and when the
scheduler plans to run it next. Several schedulers may share the database: each run writes the
same row, last writer wins, which is what "last run" means.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from hrfund.core.db import rows_changed, table_of, utcnow
from hrfund.extensions import Model, db

log = logging.getLogger(__name__)

RUNNING, OK, FAILED = "running", "ok", "failed"


class JobRun(Model):
    """The last run of one periodic job of the scheduler."""

    __tablename__ = "job_runs"
    __table_args__ = (
        sa.CheckConstraint("status in ('running', 'ok', 'failed')", name="status"),
        sa.CheckConstraint("consecutive_failures >= 0", name="failures_nonnegative"),
    )

    job_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(16))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    last_ok_at: Mapped[datetime | None]
    next_run_at: Mapped[datetime | None]
    error: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    consecutive_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    host: Mapped[str] = mapped_column(sa.String(128), default="", server_default="")

    @property
    def failed(self) -> bool:
        return self.status == FAILED

    def __repr__(self) -> str:
        return f"<JobRun {self.job_id} {self.status} {self.started_at}>"


def _host() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:128]


def _write(job_id: str, values: dict[str, Any]) -> None:
    """Update the job's row, or insert it the first time (two schedulers at once: one
    inserts, the other updates)."""
    table = table_of(JobRun)
    updated = db.session.execute(sa.update(table).where(table.c.job_id == job_id).values(values))
    if rows_changed(updated):
        return
    try:
        with db.session.begin_nested():
            db.session.execute(sa.insert(table).values(job_id=job_id, **values))
    except IntegrityError:
        db.session.execute(sa.update(table).where(table.c.job_id == job_id).values(values))


def record_start(job_id: str, next_run_at: datetime | None = None) -> None:
    """The job starts: its row says running (committed, so that the pages see it)."""
    _write(
        job_id,
        {
            "status": RUNNING,
            "started_at": utcnow(),
            "finished_at": None,
            "next_run_at": next_run_at,
            "host": _host(),
        },
    )
    db.session.commit()


def record_end(job_id: str, error: BaseException | None = None) -> None:
    """The job ended, well or with ``error`` (whose work is rolled back, not kept)."""
    if error is not None:
        db.session.rollback()
    table = table_of(JobRun)
    now = utcnow()
    if error is None:
        values: dict[str, Any] = {"status": OK, "finished_at": now, "last_ok_at": now, "error": ""}
        values["consecutive_failures"] = 0
    else:
        values = {
            "status": FAILED,
            "finished_at": now,
            "error": f"{type(error).__name__}: {error}"[:2000],
            "consecutive_failures": table.c.consecutive_failures + 1,
        }
    db.session.execute(sa.update(table).where(table.c.job_id == job_id).values(values))
    db.session.commit()


def set_next_run(job_id: str, next_run_at: datetime | None) -> None:
    """The scheduler's plan for the job, as APScheduler knows it after a run."""
    table = table_of(JobRun)
    db.session.execute(
        sa.update(table).where(table.c.job_id == job_id).values(next_run_at=next_run_at)
    )
    db.session.commit()


def job_runs() -> list[JobRun]:
    """Every job's last run, by job id (one query)."""
    return list(db.session.scalars(sa.select(JobRun).order_by(JobRun.job_id)))
