"""``flask retention run|purge-audit`` and ``flask personal-data export``."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from hrfund.auth.models import User
from hrfund.core.cli_args import instant_arg
from hrfund.extensions import db

retention_cli = AppGroup("retention", help="Retention of personal data (APPI).")
personal_data_cli = AppGroup("personal-data", help="Disclosure of what is held about a person.")


@retention_cli.command("run")
@click.option("--now", "now", metavar="ISO-TIME", help="Run as at this time (default: now).")
def run_command(now: str | None) -> None:
    """Anonymise every record past its retention period, once; print the counts."""
    from hrfund.reports.retention_jobs import run_retention

    result = run_retention(instant_arg(now))
    for kind, count in result.counts.items():
        click.echo(f"{kind}: {count}")
    click.echo(f"audit events past their period: {result.audit_events_past_period}")


@retention_cli.command("purge-audit")
@click.option("--now", "now", metavar="ISO-TIME", help="Count the period from this time.")
@click.option("--yes", is_flag=True, help="Do it (without: only count).")
def purge_audit_command(now: str | None, yes: bool) -> None:
    """Delete audit events past their retention period. Only the owner role (the one that
    migrates) can: the runtime role is refused by the database."""
    from hrfund.core.db import utcnow
    from hrfund.reports import retention
    from hrfund.reports.audit_purge import PurgeRefused, purge_audit_events

    before = retention.cutoff("audit_events", instant_arg(now) or utcnow())
    if not yes:
        count = retention.due_counts(instant_arg(now) or utcnow())["audit_events"]
        click.echo(f"{count} audit events before {before.isoformat()}; add --yes to delete them")
        return
    try:
        with db.engine.begin() as connection:
            deleted = purge_audit_events(connection, before)
    except PurgeRefused as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"deleted {deleted} audit events before {before.isoformat()}")


@personal_data_cli.command("export")
@click.argument("person")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The ZIP file to write.",
)
def export_command(person: str, out: Path) -> None:
    """Write everything held about PERSON (e-mail address or user id) to a ZIP file."""
    from hrfund.reports.personal_data import export_personal_data

    if person.isdigit():
        where = User.id == int(person) if len(person) < 19 else sa.false()  # beyond BIGINT: none
    else:
        where = sa.func.lower(User.email) == person.lower()
    user = db.session.scalar(sa.select(User).where(where))
    if user is None:
        raise click.ClickException(f"no user {person!r}")
    try:
        target = open(out, "xb")  # noqa: SIM115 (closed below; never overwrites a file)
    except OSError as error:
        raise click.ClickException(f"cannot write {out}: {error.strerror}") from None
    with target:
        counts = export_personal_data(None, user, target)
    db.session.commit()
    click.echo(f"wrote {out}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
