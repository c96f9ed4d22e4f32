"""``flask reminders run`` and ``flask scheduler run``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from hrfund.core.cli_args import instant_arg

reminders_cli = AppGroup("reminders", help="Reminders and notifications.")
scheduler_cli = AppGroup("scheduler", help="The scheduler process (periodic jobs).")


@reminders_cli.command("run")
@click.option("--now", "now", metavar="ISO-TIME", help="Dispatch as at this time (default: now).")
def run_reminders(now: str | None) -> None:
    """Dispatch every reminder due now, once; print what was sent."""
    from hrfund.reminders.jobs import dispatch_reminders

    result = dispatch_reminders(instant_arg(now))
    click.echo(f"sent: {result.sent}")
    click.echo(f"already sent: {result.already_sent}")
    click.echo(f"failed: {result.failed}")


@scheduler_cli.command("run")
def run_scheduler() -> None:
    """Run the periodic jobs until SIGTERM or SIGINT (never inside web workers)."""
    from flask import current_app

    from hrfund.scheduler import run

    run(current_app._get_current_object())  # type: ignore[attr-defined]  # LocalProxy's, untyped
