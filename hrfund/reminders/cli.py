"""``flask reminders run`` and ``flask scheduler run``."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import AppGroup

reminders_cli = AppGroup("reminders", help="Reminders and notifications.")
scheduler_cli = AppGroup("scheduler", help="The scheduler process (periodic jobs).")


def _instant(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use an ISO 8601 time, e.g. 2026-09-01T09:00+09:00") from None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


@reminders_cli.command("run")
@click.option("--now", "now", metavar="ISO-TIME", help="Dispatch as at this time (default: now).")
def run_reminders(now: str | None) -> None:
    """Dispatch every reminder due now, once; print what was sent."""
    from hrfund.reminders.jobs import dispatch_reminders

    result = dispatch_reminders(_instant(now))
    click.echo(f"sent: {result.sent}")
    click.echo(f"already sent: {result.already_sent}")
    click.echo(f"failed: {result.failed}")


@scheduler_cli.command("run")
def run_scheduler() -> None:
    """Run the periodic jobs until SIGTERM or SIGINT (never inside web workers)."""
    from flask import current_app

    from hrfund.scheduler import run

    run(current_app._get_current_object())  # type: ignore[attr-defined]  # LocalProxy's, untyped
