"""The import half of bench/io.py: 100,000 generated training records through the pages, on a
scratch copy of the database, in a child process (``python -m bench.io_import csv|xlsx``) with
the production app; the rows read from the file and the rows checked are counted."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from bench.dispatch import _drop, _recreate
from bench.pages import HR
from bench.servers import ROOT, hrfund_env

BIN = ROOT / ".venv" / "bin"
PASSWORD = "Tokyo-Diplomacy-2026"  # the demo logins seed-scale creates
IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (its waits for PostgreSQL or for a core on a
    loaded machine not counted)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure_imports(server: str, template: str, echo=print) -> dict:
    """A CSV and an XLSX import of IMPORT_ROWS records, each on its own scratch copy."""
    results = {}
    for kind in ("csv", "xlsx"):
        copy = f"{template}_io_import"
        url = _recreate(server, template, copy)
        try:
            child = subprocess.run(
                [BIN / "python", "-m", "bench.io_import", kind],
                env={**os.environ, **hrfund_env(url)},
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            )
        finally:
            _drop(server, copy)
        results[kind] = r = json.loads(child.stdout.strip().splitlines()[-1])
        echo(
            f"  import {kind.upper():4} {r['rows']} rows: {r['rows_per_s']} rows/s "
            f"({r['rows_per_cpu_s']} per CPU s: app {r['app_cpu_s']}, PostgreSQL "
            f"{r['postgresql_cpu_s']}; {r['seconds']} s: upload {r['upload_s']}, check "
            f"{r['check_s']} in {r['steps']} steps, import {r['import_s']}); rows read "
            f"{r['rows_read']}, checked {r['rows_checked']}, created {r['created']}"
        )
    return results


def _write_import_file(conn, kind: str, path: Path, rows: int) -> None:
    numbers = conn.execute(
        sa.text(
            "SELECT employee_number FROM users WHERE employee_number IS NOT NULL "
            "ORDER BY md5(employee_number) LIMIT :n"
        ),
        {"n": rows},
    ).scalars()
    codes = conn.execute(
        sa.text("SELECT code FROM training_programs WHERE code IS NOT NULL ORDER BY id")
    ).scalars()
    codes = list(codes)
    header = ["employee_number", "program", "completed_on", "status", "hours", "score"]
    lines = (
        [n, codes[i % len(codes)], f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}", "completed"]
        + [f"{1 + i % 8}.5", str(50 + i % 50)]
        for i, n in enumerate(numbers)
    )
    if kind == "csv":
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows(lines)
        return
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("records")
    sheet.append(header)
    for line in lines:
        sheet.append(line)
    workbook.save(path)


def _counted(function, counter: list[int]):
    def generator(*args, **kwargs):
        for item in function(*args, **kwargs):
            counter[0] += 1
            yield item

    return generator


def _import_child(kind: str) -> None:
    """In the child: one import through the pages, as HR; prints one JSON line."""
    from hrfund import create_app
    from hrfund.extensions import db
    from hrfund.training import import_rows, imports
    from hrfund.training.models import ImportBatch

    read, checked = [0], [0]
    import_rows.CsvSteps.rows = _counted(import_rows.CsvSteps.rows, read)  # type: ignore
    import_rows._iter_xlsx = _counted(import_rows._iter_xlsx, read)  # type: ignore
    check_row = imports.check_row

    def counted_check(*args, **kwargs):
        checked[0] += 1
        return check_row(*args, **kwargs)

    imports.check_row = counted_check  # type: ignore[assignment]
    app = create_app(
        "production",
        {"WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False, "RATELIMIT_ENABLED": False},
    )
    with tempfile.TemporaryDirectory(prefix="hrfund-bench-import-") as scratch:
        path = Path(scratch) / f"records.{kind}"
        with app.app_context():
            _write_import_file(db.session.connection(), kind, path, IMPORT_ROWS)
            db.session.remove()
        client = app.test_client()
        with app.app_context():  # the pool keeps this connection: every request below uses it
            backend = db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar()
            db.session.remove()
        assert client.post("/login", data={"email": HR, "password": PASSWORD}).status_code == 302
        started, cpu, sql_cpu = time.perf_counter(), time.process_time(), cpu_seconds(backend)
        with open(path, "rb") as upload:
            response = client.post(
                "/training/imports/new",
                data={"file": (upload, path.name)},
                content_type="multipart/form-data",
            )
        assert response.status_code == 302, response.status_code
        batch_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
        uploaded = time.perf_counter()
        steps = 0
        while True:
            steps += 1
            progress = client.post(
                f"/training/imports/{batch_id}/step", headers={"Accept": "application/json"}
            ).get_json()
            if progress["done"]:
                break
        checked_at = time.perf_counter()
        assert progress["status"] == "valid", progress
        response = client.post(f"/training/imports/{batch_id}/import")
        assert response.status_code == 302, response.status_code
        finished = time.perf_counter()
        file_mb = round(path.stat().st_size / 1e6, 1)
        cpu, sql_cpu = time.process_time() - cpu, cpu_seconds(backend) - sql_cpu
        with app.app_context():
            assert db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar() == backend
            batch = db.session.get(ImportBatch, batch_id)
            created, status = batch.created_rows, batch.status.value
    took = finished - started
    print(
        json.dumps(
            {
                "rows": IMPORT_ROWS,
                "file_mb": file_mb,
                "status": status,
                "created": created,
                "seconds": round(took, 2),
                "rows_per_s": round(IMPORT_ROWS / took),
                "app_cpu_s": round(cpu, 2),
                "postgresql_cpu_s": round(sql_cpu, 2),
                "rows_per_cpu_s": round(IMPORT_ROWS / (cpu + sql_cpu)),
                "upload_s": round(uploaded - started, 2),
                "check_s": round(checked_at - uploaded, 2),
                "steps": steps,
                "import_s": round(finished - checked_at, 2),
                "rows_read": read[0],
                "rows_checked": checked[0],
            }
        )
    )


if __name__ == "__main__":
    _import_child(sys.argv[1])
