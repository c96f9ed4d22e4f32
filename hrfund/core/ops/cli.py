"""Commands: ``flask db grant RUNTIME_ROLE``, ``flask backup create|restore DIR``."""

from __future__ import annotations

import logging
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_migrate.cli import db as db_cli

from hrfund.core.ops.backup import BackupError, create_backup, restore_backup
from hrfund.core.ops.roles import RoleError, grant_runtime_role
from hrfund.extensions import db

log = logging.getLogger(__name__)


@db_cli.command("grant")  # type: ignore[untyped-decorator]  # Flask-Migrate: no types
@click.argument("role")
@click.option("--schema", default="public", show_default=True)
@with_appcontext
def grant_command(role: str, schema: str) -> None:
    """Give the runtime ROLE its privileges: SELECT and INSERT only on the audit log and the
    ledger, read and write on the other tables. Run it as the owner role after `db upgrade`."""
    try:
        with db.engine.begin() as connection:
            result = grant_runtime_role(connection, role, schema)
    except RoleError as error:
        raise click.ClickException(str(error)) from None
    for table, privileges in result["tables"].items():
        click.echo(f"{table}: {privileges}")
    click.echo(f"granted to {role}; tables and sequences {result['owner']} makes later follow")
    log.info("runtime role %s granted its privileges (owner %s)", role, result["owner"])


@click.group("backup")
def backup_cli() -> None:
    """Back up the database and the uploads, and restore them."""


@backup_cli.command("create")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_create_command(directory: Path) -> None:
    """Write a consistent backup (database, uploads, manifest.json) into a new DIRECTORY."""
    try:
        manifest = create_backup(directory)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    rows = sum(manifest["tables"].values())
    click.echo(
        f"backup in {directory}: {len(manifest['tables'])} tables, {rows} rows, "
        f"{len(manifest['uploads'])} files"
    )
    log.info("backup written to %s", directory)


@backup_cli.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def backup_restore_command(directory: Path) -> None:
    """Restore the backup in DIRECTORY into an empty database and upload folder."""
    try:
        manifest = restore_backup(directory)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    rows = sum(manifest["tables"].values())
    click.echo(
        f"restored {len(manifest['tables'])} tables, {rows} rows and "
        f"{len(manifest['uploads'])} files; row counts and checksums match the manifest"
    )
    if manifest["backend"] == "postgresql":
        click.echo("now run `flask db grant RUNTIME_ROLE` as the owner role")
    log.info("backup %s restored", directory)
