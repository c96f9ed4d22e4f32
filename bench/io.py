"""Exports and imports at full size (issue 16): ``python -m bench.io``; a step of make bench.

Exports: over HTTP, from gunicorn (one sync worker, started fresh for each measurement, so that
its high-water mark belongs to that export alone) on the bench database, signed in as HR. Two
lists that hold 200,000 rows or more at `full`: the audit log of one object type (plain rows)
and the ledger since a date (ORM objects, each with its author), each as CSV and as XLSX. For
each: the time to the first byte of the body, the total time, rows per second (rows counted in
the file received: CSV parsed, the XLSX's sheet inflated and its rows counted, which also checks
the zip), and the worker's memory: VmRSS before, VmHWM after (reset before the request through
/proc/<pid>/clear_refs), their difference being the peak growth. Goals: the first byte within
1 s, peak growth under 64 MB.

Import: 100,000 generated training records (one per employee, so that no row repeats another),
as CSV and as XLSX, each on a scratch copy of the database, in a child process with the
production app: the upload page, the step the progress bar posts until the check is done, then
the import; the rows per second from upload to imported. The rows read from the file and the
rows checked are counted: each should be read and checked once. Goal: 5,000 rows/s or more.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import sqlalchemy as sa

from bench.dispatch import _drop, _recreate
from bench.pages import HR
from bench.servers import ROOT, Gunicorn, admin_url, hrfund_env, sign_in

BIN = ROOT / ".venv" / "bin"
PASSWORD = "Tokyo-Diplomacy-2026"  # the demo logins seed-scale creates
EXPORT_ROWS = 200_000  # at least this many rows in each export, where the data has them
IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
FIRST_BYTE_GOAL_S, MEMORY_GOAL_MB, IMPORT_GOAL_RPS = 1.0, 64, 5000


# ---------------------------------------------------------------- exports over HTTP


def export_paths(url: str) -> dict[str, str]:
    """The two exports, with filters chosen on the data so that each has EXPORT_ROWS rows or
    somewhat more (at `small`, all there are)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        object_type = conn.execute(
            sa.text(
                "SELECT object_type FROM audit_events GROUP BY object_type "
                "ORDER BY count(*) < :n, abs(count(*) - :n) LIMIT 1"
            ),
            {"n": EXPORT_ROWS},
        ).scalar()
        since = conn.execute(
            sa.text("SELECT booked_on FROM fund_entries ORDER BY booked_on DESC OFFSET :n LIMIT 1"),
            {"n": EXPORT_ROWS - 1},
        ).scalar()
    engine.dispose()
    since_arg = f"?from={since.isoformat()}" if since else ""
    return {
        f"audit log ({object_type})": f"/audit/export.{{fmt}}?object_type={object_type}",
        f"ledger (from {since})": f"/fund/ledger.{{fmt}}{since_arg}",
    }


def _status_kb(pid: int) -> dict[str, int]:
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


def _reset_high_water_mark(pid: int) -> bool:
    try:  # "5" resets VmHWM to the current RSS (Linux 4.0 and later)
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _count_rows(path: Path, fmt: str) -> int:
    """Data rows in the file received (the header not counted)."""
    if fmt == "csv":
        with open(path, encoding="utf-8-sig", newline="") as f:
            return sum(1 for _ in csv.reader(f)) - 1
    rows, tail = 0, b""
    with zipfile.ZipFile(path) as archive, archive.open("xl/worksheets/sheet1.xml") as sheet:
        while block := sheet.read(1 << 20):  # inflating checks every CRC on the way
            data = tail + block
            rows += data.count(b"<row>") + data.count(b"<row ")
            tail = data[-5:]
            rows -= tail.count(b"<row>") + tail.count(b"<row ")  # counted again with the next
        rows += tail.count(b"<row>") + tail.count(b"<row ")
    return rows - 1


def _download(port: int, path: str, cookie: str, out: Path) -> dict:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    first_byte = None
    size = 0
    with open(out, "wb") as f:
        while chunk := response.read1(1 << 16):
            if first_byte is None:
                first_byte = time.perf_counter() - started
            size += len(chunk)
            f.write(chunk)
    total = time.perf_counter() - started
    conn.close()
    return {
        "status": response.status,
        "first_byte_s": round(first_byte or total, 3),
        "total_s": round(total, 2),
        "bytes": size,
        "chunked": response.getheader("Transfer-Encoding") == "chunked",
    }


def measure_export(url: str, port: int, path: str, fmt: str, scratch: Path) -> dict:
    """One export from a fresh gunicorn worker."""
    env = hrfund_env(url)
    server = Gunicorn("wsgi:app", port, env, 1, scratch / "gunicorn-io.log", timeout=300)
    try:
        server.wait_ready("/healthz")
        cookie = sign_in(port, HR, PASSWORD)
        (pid,) = server.worker_pids()
        before = _status_kb(pid)
        reset = _reset_high_water_mark(pid)
        out = scratch / f"export.{fmt}"
        figures = _download(port, path.format(fmt=fmt), cookie, out)
        after = _status_kb(pid)
    finally:
        server.stop()
    rows = _count_rows(out, fmt) if figures["status"] == 200 else 0
    out.unlink()
    peak_growth = (after["VmHWM"] - before["VmRSS"]) / 1024 if reset else None
    return figures | {
        "rows": rows,
        "rows_per_s": round(rows / figures["total_s"]) if figures["total_s"] else None,
        "rss_before_mb": round(before["VmRSS"] / 1024, 1),
        "peak_rss_mb": round(after["VmHWM"] / 1024, 1),
        "rss_after_mb": round(after["VmRSS"] / 1024, 1),
        "peak_growth_mb": round(peak_growth, 1) if peak_growth is not None else None,
        "high_water_mark_reset": reset,
    }


def measure_exports(url: str, port: int, echo=print) -> dict:
    results = {}
    with tempfile.TemporaryDirectory(prefix="hrfund-bench-io-") as scratch:
        for name, path in export_paths(url).items():
            for fmt in ("csv", "xlsx"):
                key = f"{name}, {fmt.upper()}"
                results[key] = {"path": path.format(fmt=fmt)} | measure_export(
                    url, port, path, fmt, Path(scratch)
                )
                r = results[key]
                echo(
                    f"  {key:42} {r['rows']:>8} rows  first byte {r['first_byte_s']:6.3f} s  "
                    f"total {r['total_s']:7.2f} s  {r['rows_per_s'] or 0:>7} rows/s  "
                    f"peak growth {r['peak_growth_mb']} MB"
                )
    return results


# ---------------------------------------------------------------- the import


def measure_imports(server: str, template: str, echo=print) -> dict:
    """A CSV and an XLSX import of IMPORT_ROWS records, each on its own scratch copy."""
    results = {}
    for kind in ("csv", "xlsx"):
        copy = f"{template}_io_import"
        url = _recreate(server, template, copy)
        try:
            child = subprocess.run(
                [BIN / "python", "-m", "bench.io", "--import-child", kind],
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
            f"({r['seconds']} s: upload {r['upload_s']}, check {r['check_s']} in {r['steps']} "
            f"steps, import {r['import_s']}); rows read {r['rows_read']}, checked "
            f"{r['rows_checked']}, created {r['created']}"
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
        assert client.post("/login", data={"email": HR, "password": PASSWORD}).status_code == 302
        started = time.perf_counter()
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
        with app.app_context():
            batch = db.session.get(ImportBatch, batch_id)
            created, status = batch.created_rows, batch.status.value
    took = finished - started
    print(
        json.dumps(
            {
                "rows": IMPORT_ROWS,
                "file_mb": round(path.stat().st_size / 1e6, 1) if path.exists() else None,
                "status": status,
                "created": created,
                "seconds": round(took, 2),
                "rows_per_s": round(IMPORT_ROWS / took),
                "upload_s": round(uploaded - started, 2),
                "check_s": round(checked_at - uploaded, 2),
                "steps": steps,
                "import_s": round(finished - checked_at, 2),
                "rows_read": read[0],
                "rows_checked": checked[0],
            }
        )
    )


# ---------------------------------------------------------------- both, and the report


def measure(server: str, database: str, port: int, echo=print) -> dict:
    url = sa.make_url(admin_url(server)).set(database=database)
    url = url.render_as_string(hide_password=False)
    echo(f"exports over HTTP from a fresh gunicorn worker each, on {database}…")
    exports = measure_exports(url, port, echo)
    echo(f"imports of {IMPORT_ROWS} training records (scratch copies of {database})…")
    return {"exports": exports, "imports": measure_imports(server, database, echo)}


def _mark(ok: bool) -> str:
    return "yes" if ok else "no"


def markdown(figures: dict) -> list[str]:
    lines = [
        "## Exports and imports at full size",
        "",
        "Exports over HTTP from a fresh gunicorn worker (sync, one) each, signed in as HR. Peak "
        "growth: the worker's VmHWM after the export (reset just before it) less its VmRSS "
        f"before. Goals: first byte within {FIRST_BYTE_GOAL_S:.0f} s, peak growth under "
        f"{MEMORY_GOAL_MB} MB.",
        "",
        "| export | rows | first byte s | total s | rows/s | MB sent | RSS before MB | "
        "peak growth MB | goal met |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in figures.get("exports", {}).items():
        growth = r["peak_growth_mb"]
        ok = (
            r["status"] == 200
            and r["first_byte_s"] <= FIRST_BYTE_GOAL_S
            and growth is not None
            and growth < MEMORY_GOAL_MB
        )
        lines.append(
            f"| {name} | {r['rows']} | {r['first_byte_s']} | {r['total_s']} | {r['rows_per_s']} "
            f"| {r['bytes'] / 1e6:.1f} | {r['rss_before_mb']} | {growth} | {_mark(ok)} |"
        )
    lines += [
        "",
        "Imports of generated training records through the pages (upload, the progress bar's "
        "steps, import), in-process with the production app, on a scratch copy of the "
        f"database. Goal: {IMPORT_GOAL_RPS} rows/s from upload to imported, each row read from "
        "the file and checked once.",
        "",
        "| file | rows | MB | rows/s | total s | upload s | check s (steps) | import s | "
        "rows read | rows checked | created | goal met |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for kind, r in figures.get("imports", {}).items():
        ok = (
            r["rows_per_s"] >= IMPORT_GOAL_RPS
            and r["rows_read"] == r["rows"]
            and r["rows_checked"] == r["rows"]
        )
        lines.append(
            f"| {kind.upper()} | {r['rows']} | {r['file_mb']} | {r['rows_per_s']} | "
            f"{r['seconds']} | {r['upload_s']} | {r['check_s']} ({r['steps']}) | "
            f"{r['import_s']} | {r['rows_read']} | {r['rows_checked']} | {r['created']} | "
            f"{_mark(ok)} |"
        )
    return lines + [""]


def main() -> None:
    from bench.servers import ensure_database

    server = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    size = os.environ.get("BENCH_SIZE", "full")
    database = os.environ.get("BENCH_DB") or (
        "hrfund_bench" if size == "full" else f"hrfund_bench_{size}"
    )
    ensure_database(server, database, size)
    port = int(os.environ.get("BENCH_PORT", "8611"))
    figures = measure(server, database, port)
    out = ROOT / "bench" / "results" / os.environ.get("BENCH_IO_OUT", "io.md")
    header = [
        "# hrfund benchmark: exports and imports",
        "",
        f"{database}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average "
        f"{os.getloadavg()[0]:.1f} (`python -m bench.io`; the same section is in latest.md).",
        "",
    ]
    out.write_text("\n".join(header + markdown(figures)))
    out.with_suffix(".json").write_text(json.dumps(figures, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    if "--import-child" in sys.argv:
        _import_child(sys.argv[-1])
    else:
        main()
