"""``flask training import FILE``: the bulk import for files too large to upload."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from hrfund.extensions import db

training_cli = AppGroup("training", help="Training records.")


@training_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "actor_email", required=True, help="E-mail of the HR officer importing.")
@click.option("--dry-run", is_flag=True, help="Check the file only; import nothing.")
@click.option("--show-errors", default=20, show_default=True, help="How many row errors to print.")
def import_command(path: str, actor_email: str, dry_run: bool, show_errors: int) -> None:
    """Check a CSV or XLSX of training records, then import all of it or nothing."""
    from hrfund.auth.services import get_user_by_email
    from hrfund.training import imports
    from hrfund.training.models import ImportStatus

    actor = get_user_by_email(actor_email)
    if actor is None or not actor.has_role("hr"):
        raise click.ClickException(f"{actor_email} is not an HR officer.")
    batch = imports.create_batch(actor, None, path, path=path)
    db.session.commit()

    def report(b):
        db.session.commit()  # staged rows are scratch; committing keeps memory and locks small
        click.echo(f"checked {b.processed_rows} of {b.total_rows or '?'} rows", err=True)

    imports.check_batch(actor, batch, on_progress=report)
    db.session.commit()
    if batch.status != ImportStatus.VALID:
        if batch.file_error:
            click.echo(f"error: {batch.file_error}", err=True)
        for row in db.session.scalars(imports.error_rows_query(batch).limit(show_errors)):
            click.echo(f"row {row.row_number}: {row.errors.replace(chr(10), '; ')}", err=True)
        click.echo(
            f"{batch.error_rows} rows with errors; nothing imported (batch {batch.id}).", err=True
        )
        sys.exit(1)
    if dry_run:
        click.echo(
            f"{batch.processed_rows} rows are valid, {batch.duplicate_rows} already "
            f"recorded; nothing imported (dry run, batch {batch.id})."
        )
        return
    imports.import_batch(actor, batch)
    db.session.commit()
    click.echo(
        f"{batch.created_rows} training records imported, "
        f"{batch.processed_rows - batch.created_rows} already recorded (batch {batch.id})."
    )
