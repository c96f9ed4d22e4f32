"""Backups: the database (``pg_dump`` custom format, or SQLite's online backup) and the upload
folder, with a manifest of sha256 checksums and row counts; and their restore into an empty
database, checked against that manifest.

A backup directory holds ``database.dump`` (PostgreSQL) or ``database.sqlite``, ``uploads/`` and
``manifest.json``. The row counts come from the same snapshot as the dump (PostgreSQL: pg_dump
``--snapshot`` of a repeatable-read transaction; SQLite: counted in the copy), so they say what
the dump holds even while the app serves. Uploads are copied after that snapshot: every file a
row of the dump names was written before its row was committed, so it is in the copy.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess  # pg_dump and pg_restore, by their full path, never through a shell
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import sqlalchemy as sa

from hrfund.core.files import upload_folder
from hrfund.extensions import db

#: A backup's manifest.json (or a part of it): plain JSON values.
Manifest = dict[str, Any]

FORMAT = "hrfund-backup/1"
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, and nothing was changed."""


# ---------------------------------------------------------------- helpers


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _backend() -> str:
    return db.engine.dialect.name


def count_rows(connection: sa.Connection) -> dict[str, int]:
    """Rows of every table of the app's schema (alembic_version included)."""
    quote = connection.dialect.identifier_preparer.quote
    names = sorted(sa.inspect(connection).get_table_names())
    # table names come from the database's own catalog, and are quoted
    return {
        name: connection.scalar(sa.text(f"SELECT count(*) FROM {quote(name)}"))  # noqa: S608 # nosec B608
        for name in names
    }


def _libpq(url: sa.URL) -> tuple[str, dict[str, str]]:
    """The libpq URL for pg_dump/pg_restore, without the password (it goes in PGPASSWORD, so
    that it never shows in the process list)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client)")
    return path


def _major(version_text: str) -> int:
    # "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"
    found = re.search(r"\)\s+(\d+)", version_text) or re.search(r"(\d+)", version_text)
    if not found:
        raise BackupError(f"cannot read a version from {version_text!r}")
    return int(found.group(1))


def check_client_version(name: str, connection: sa.Connection) -> str:
    """The PostgreSQL client tool ``name``, refused unless its major version is the server's."""
    tool = _tool(name)
    out = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [tool, "--version"], capture_output=True, text=True, check=True
    ).stdout
    client = _major(out)
    server = int(connection.scalar(sa.text("SHOW server_version_num"))) // 10000
    if client != server:
        raise BackupError(
            f"{name} is version {client} but the server is PostgreSQL {server}: "
            f"install postgresql-client-{server}"
        )
    return tool


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)  # noqa: S603 - no shell
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip()[-2000:]}")


def _copy_checked(source: Path, target: Path) -> str:
    """Copy ``source`` to ``target`` (through a partial file) and return its sha256."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".restoring")
    digest = hashlib.sha256()
    with open(source, "rb") as inp, open(partial, "xb") as out:
        while chunk := inp.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    os.replace(partial, target)
    return digest.hexdigest()


def _upload_files(folder: Path) -> Iterator[tuple[str, Path]]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.name.endswith((".part", ".restoring")):
            yield path.relative_to(folder).as_posix(), path


def _has_files(folder: Path) -> bool:
    return folder.exists() and any(p.is_file() for p in folder.rglob("*"))


# ---------------------------------------------------------------- create


def create_backup(target: Path) -> Manifest:
    """Write a backup of the app's database and uploads into the new or empty ``target``; a
    backup that fails half-way leaves the directory empty again."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: give a new or empty directory")
    target.mkdir(parents=True, exist_ok=True)
    try:
        return _write_backup(target)
    except BaseException:
        for child in target.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
        raise


def _write_backup(target: Path) -> Manifest:
    if _backend() == "postgresql":
        database = _dump_postgresql(target / "database.dump")
    elif _backend() == "sqlite":
        database = _copy_sqlite(target / "database.sqlite")
    else:
        raise BackupError(f"no backup for the {_backend()} database")
    uploads: Manifest = {}
    source = upload_folder()
    for name, path in _upload_files(source):
        copy = target / "uploads" / name
        uploads[name] = {"sha256": _copy_checked(path, copy), "size": copy.stat().st_size}
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "backend": _backend(),
        **database,
        "uploads": uploads,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def _revision(connection: sa.Connection) -> str | None:
    # looked up, not tried: a failed statement would abort the dump's snapshot transaction
    if "alembic_version" not in sa.inspect(connection).get_table_names():
        return None
    revision = connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
    return None if revision is None else str(revision)


def _dump_postgresql(path: Path) -> Manifest:
    with db.engine.connect() as connection:
        pg_dump = check_client_version("pg_dump", connection)
        connection.rollback()
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")
            snapshot = connection.scalar(sa.text("SELECT pg_export_snapshot()"))
            tables = count_rows(connection)
            revision = _revision(connection)
            url, env = _libpq(db.engine.url)
            _run(
                [pg_dump, "--format=custom", f"--snapshot={snapshot}", "--no-password"]
                + ["--file", str(path), "--dbname", url],
                env,
            )
    return _database_entry(path, tables, revision)


def _sqlite_path(url: sa.URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database)


def _copy_sqlite(path: Path) -> Manifest:
    source = sqlite3.connect(_sqlite_path(db.engine.url))
    copy = sqlite3.connect(path)
    try:
        source.backup(copy)  # online: a consistent copy while the app keeps writing
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        source.close()
        copy.close()
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            tables, revision = count_rows(connection), _revision(connection)
    finally:
        engine.dispose()
    return _database_entry(path, tables, revision)


def _database_entry(path: Path, tables: dict[str, int], revision: str | None) -> Manifest:
    database = {"file": path.name, "sha256": sha256_of(path), "size": path.stat().st_size}
    return {"database": database, "tables": tables, "revision": revision}


# ---------------------------------------------------------------- restore


def read_manifest(source: Path) -> Manifest:
    """The manifest of the backup in ``source``, with every checksum verified."""
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{source} holds no {MANIFEST}: not a backup") from None
    except ValueError as error:
        raise BackupError(f"{source / MANIFEST} is not valid JSON: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source / MANIFEST} is not an {FORMAT} manifest")
    database = manifest.get("database") or {}
    if database.get("file") not in ("database.dump", "database.sqlite"):
        raise BackupError("the manifest names no database file")
    _verify(source / database["file"], database.get("sha256"))
    for name, entry in (manifest.get("uploads") or {}).items():
        _verify(source / "uploads" / _safe_relative(name), (entry or {}).get("sha256"))
    return manifest


def _safe_relative(name: str) -> PurePosixPath:
    relative = PurePosixPath(name)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise BackupError(f"the manifest names a file outside the backup: {name!r}")
    return relative


def _verify(path: Path, expected: str | None) -> None:
    if not path.is_file():
        raise BackupError(f"{path} is missing from the backup")
    if not expected or sha256_of(path) != expected:
        raise BackupError(f"{path} does not match its checksum in the manifest: damaged backup")


def _is_empty_database(connection: sa.Connection) -> bool:
    if connection.dialect.name == "postgresql":
        count = connection.scalar(
            sa.text(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') "
                "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                "AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'"
            )
        )
    else:
        count = connection.scalar(
            sa.text("SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
        )
    return not count


def restore_backup(source: Path) -> Manifest:
    """Restore the backup in ``source`` into the app's EMPTY database and upload folder; checks
    every checksum first and every table's row count after. Returns the manifest."""
    source = Path(source)
    manifest = read_manifest(source)
    if manifest.get("backend") != _backend():
        raise BackupError(
            f"this is a {manifest.get('backend')} backup; the app's database is {_backend()}"
        )
    with db.engine.connect() as connection:
        if not _is_empty_database(connection):
            raise BackupError(
                "the database is not empty: restore only into a new, empty database "
                "(nothing was changed)"
            )
        if _backend() == "postgresql":
            pg_restore = check_client_version("pg_restore", connection)
    uploads = upload_folder()
    if _has_files(uploads):
        raise BackupError(f"the upload folder {uploads} is not empty (nothing was changed)")
    dump = source / manifest["database"]["file"]
    db.engine.dispose()
    if _backend() == "postgresql":
        url, env = _libpq(db.engine.url)
        _run(
            [pg_restore, "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction"]
            + ["--no-password", "--dbname", url, str(dump)],
            env,
        )
    else:
        with _sqlite_pair(dump, _sqlite_path(db.engine.url)) as (backup, target):
            backup.backup(target)
    for name, entry in (manifest.get("uploads") or {}).items():
        relative = _safe_relative(name)
        digest = _copy_checked(source / "uploads" / relative, uploads / relative)
        if digest != entry["sha256"]:
            raise BackupError(f"{name} changed while it was restored")
    with db.engine.connect() as connection:
        restored = count_rows(connection)
    if restored != manifest["tables"]:
        differ = sorted(
            t
            for t in set(restored) | set(manifest["tables"])
            if restored.get(t) != manifest["tables"].get(t)
        )
        raise BackupError(f"row counts differ from the manifest after the restore: {differ}")
    return manifest


@contextmanager
def _sqlite_pair(
    source: Path, target: Path
) -> Iterator[tuple[sqlite3.Connection, sqlite3.Connection]]:
    backup = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    restored = sqlite3.connect(target)
    try:
        yield backup, restored
    finally:
        backup.close()
        restored.close()
