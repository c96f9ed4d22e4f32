"""The backup drill, on both databases: demo data and an upload → backup → restore into a new
database and a new upload folder → the same rows in every table, the same bytes in every file."""

from __future__ import annotations

import io
import json
import shutil
import uuid

import pytest
import sqlalchemy as sa

from hrfund import create_app
from hrfund.auth.models import User
from hrfund.core.files import StoredFile, store_upload, upload_folder
from hrfund.core.ops.backup import count_rows, sha256_of
from hrfund.extensions import db as _db
from tests.conftest import BACKENDS, create_pg_database, drop_pg_database, make_app

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n" + uuid.uuid4().bytes


def _empty_database(backend: str, tmp_path):
    """The URL of a new, empty database (nothing migrated), and its cleanup."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'restored.sqlite'}", None
    name = f"hrfund_restore_{uuid.uuid4().hex[:8]}"
    return create_pg_database(name), lambda: drop_pg_database(name)


def _rows_and_files(app) -> tuple[dict, dict]:
    with app.app_context():
        with _db.engine.connect() as connection:
            rows = count_rows(connection)
        folder = upload_folder()
        files = {
            f.storage_key: (f.sha256, sha256_of(folder / f.storage_key))
            for f in _db.session.scalars(sa.select(StoredFile))
        }
        _db.engine.dispose()
    return rows, files


@pytest.fixture(scope="module", params=BACKENDS)
def source(request, tmp_path_factory):
    """A database with the demo data and one upload (seeded once: backups only read it)."""
    if request.param == "postgresql" and not (
        shutil.which("pg_dump") and shutil.which("pg_restore")
    ):
        pytest.skip("pg_dump/pg_restore not installed (apt-get install postgresql-client)")
    tmp_path = tmp_path_factory.mktemp("source")
    app, cleanup = make_app(request.param, tmp_path, UPLOAD_FOLDER=str(tmp_path / "uploads"))
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        owner = _db.session.scalar(sa.select(User).order_by(User.id))
        store_upload(io.BytesIO(PDF), "履歴書.pdf", owner=owner, actor=owner)
        _db.session.commit()
        _db.engine.dispose()
    app.backend = request.param
    yield app
    with app.app_context():
        _db.engine.dispose()
    if cleanup:
        cleanup()


def test_backup_and_restore_drill(source, tmp_path):
    backup = tmp_path / "backup"
    created = source.test_cli_runner().invoke(args=["backup", "create", str(backup)])
    assert created.exit_code == 0, created.output
    manifest = json.loads((backup / "manifest.json").read_text())
    rows, files = _rows_and_files(source)
    assert manifest["tables"] == rows and rows["users"] == 8 and rows["audit_events"] > 0
    assert len(manifest["uploads"]) == len(files) == 1

    url, cleanup = _empty_database(source.backend, tmp_path)
    target = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": str(tmp_path / "new-up")}
    )
    try:
        restored = target.test_cli_runner().invoke(args=["backup", "restore", str(backup)])
        assert restored.exit_code == 0, restored.output
        new_rows, new_files = _rows_and_files(target)
        assert new_rows == rows
        assert new_files == files
        assert all(stored == on_disk for stored, on_disk in new_files.values())

        again = target.test_cli_runner().invoke(args=["backup", "restore", str(backup)])
        assert again.exit_code != 0 and "not empty" in again.output
        assert _rows_and_files(target)[0] == rows  # nothing changed
    finally:
        with target.app_context():
            _db.engine.dispose()
        if cleanup:
            cleanup()


def test_damaged_backup_is_refused_before_anything_changes(source, tmp_path):
    backup = tmp_path / "backup"
    assert source.test_cli_runner().invoke(args=["backup", "create", str(backup)]).exit_code == 0
    copy = next((backup / "uploads").iterdir())
    copy.write_bytes(copy.read_bytes() + b"x")
    url, cleanup = _empty_database(source.backend, tmp_path)
    target = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": str(tmp_path / "new-up")}
    )
    try:
        result = target.test_cli_runner().invoke(args=["backup", "restore", str(backup)])
        assert result.exit_code != 0 and "checksum" in result.output
        with target.app_context(), _db.engine.connect() as connection:
            assert count_rows(connection) == {}
        assert not any((tmp_path / "new-up").glob("*"))
    finally:
        with target.app_context():
            _db.engine.dispose()
        if cleanup:
            cleanup()


def test_backup_refuses_a_directory_in_use(source, tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("x")
    result = source.test_cli_runner().invoke(args=["backup", "create", str(tmp_path / "busy")])
    assert result.exit_code != 0 and "not empty" in result.output
    result = source.test_cli_runner().invoke(args=["backup", "restore", str(tmp_path / "busy")])
    assert result.exit_code != 0 and "not a backup" in result.output


def test_a_failed_backup_leaves_nothing_behind(tmp_path):
    app = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://", "UPLOAD_FOLDER": str(tmp_path / "u")}
    )
    result = app.test_cli_runner().invoke(args=["backup", "create", str(tmp_path / "b")])
    assert result.exit_code != 0 and "in-memory" in result.output
    assert list((tmp_path / "b").iterdir()) == []
