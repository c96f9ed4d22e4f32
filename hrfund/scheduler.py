"""The one list of periodic jobs, and the scheduler process that runs them.

``flask scheduler run`` starts it: APScheduler 3's BlockingScheduler in its own process, never
inside a web worker. Several may run on several hosts: the reminders' unique keys, not this
process, make each delivery happen once. SIGTERM and SIGINT stop it cleanly (the job in progress
finishes its current message first).
"""

from __future__ import annotations

import logging
import signal

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

log = logging.getLogger(__name__)


def _in_app(app: Flask, func, job_id: str | None = None, scheduler=None):
    """The job in an app context; its start, end and failure written to ``job_runs`` (the
    heartbeat the admin's dashboard reads), with the next run the scheduler plans."""

    def next_run():
        job = scheduler.get_job(job_id) if scheduler is not None and job_id else None
        return getattr(job, "next_run_time", None)

    def job():
        from hrfund.core import jobruns
        from hrfund.extensions import db

        with app.app_context():
            name = job_id or func.__name__
            try:
                jobruns.record_start(name, next_run())
            except Exception:  # noqa: BLE001 - a heartbeat must never keep a job from running
                db.session.rollback()
                log.exception("job %s: heartbeat not written", name)
            try:
                func()
            except Exception as error:
                db.session.rollback()
                log.exception("job %s failed", func.__name__)
                _heartbeat(jobruns.record_end, name, error)
                raise
            _heartbeat(jobruns.record_end, name, None)
            _heartbeat(jobruns.set_next_run, name, next_run())

    job.__name__ = func.__name__
    return job


def _heartbeat(write, *args) -> None:
    from hrfund.extensions import db

    try:
        write(*args)
    except Exception:  # noqa: BLE001 - see above
        db.session.rollback()
        log.exception("job heartbeat not written")


def jobs(app: Flask) -> list[tuple[str, object, object]]:
    """(id, function, trigger) of every periodic job."""
    from hrfund.reminders.jobs import dispatch_reminders, send_hr_digest
    from hrfund.reports.retention_jobs import run_retention

    minutes = int(app.config["REMINDER_INTERVAL_MINUTES"])
    return [
        ("reminders.dispatch", dispatch_reminders, IntervalTrigger(minutes=minutes)),
        (
            "reminders.hr_digest",
            send_hr_digest,
            CronTrigger(hour=8, minute=30, timezone="Asia/Tokyo"),
        ),
        # personal data past its retention period, at night (see hrfund/reports/retention.py)
        ("retention.run", run_retention, CronTrigger(hour=3, minute=15, timezone="Asia/Tokyo")),
    ]


def build_scheduler(app: Flask) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        timezone="UTC",
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
    )
    for job_id, func, trigger in jobs(app):
        scheduler.add_job(_in_app(app, func, job_id, scheduler), trigger, id=job_id, name=job_id)
    return scheduler


def run(app: Flask) -> None:
    """Run until SIGTERM/SIGINT; dispatch once at start so a restart catches up at once."""
    scheduler = build_scheduler(app)

    def stop(signum, _frame):
        log.info("scheduler: signal %s, stopping", signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler.add_job(
        _in_app(app, _first_dispatch, "reminders.dispatch", scheduler),
        id="reminders.start",
        name="start",
    )
    log.info("scheduler started: %s", ", ".join(j.id for j in scheduler.get_jobs()))
    scheduler.start()
    log.info("scheduler stopped")


def _first_dispatch():
    from hrfund.reminders.jobs import dispatch_reminders

    dispatch_reminders()
