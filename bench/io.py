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
import tempfile
import time
import zipfile
from pathlib import Path

import sqlalchemy as sa

from bench import io_import
from bench.pages import HR
from bench.servers import ROOT, Gunicorn, admin_url, hrfund_env, sign_in

PASSWORD = "Tokyo-Diplomacy-2026"  # the demo logins seed-scale creates
EXPORT_ROWS = 200_000  # at least this many rows in each export, where the data has them
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


def _backends(url: str) -> list[int]:
    """The PostgreSQL backends of other connections to ``url``'s database (the worker's)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        pids = conn.execute(
            sa.text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
            )
        ).scalars()
        found = list(pids)
    engine.dispose()
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
        backends = _backends(url)  # the worker's one pooled connection, after the sign-in
        sql = [io_import.cpu_seconds(b) for b in backends]
        cpu = io_import.cpu_seconds(pid)
        figures = _download(port, path.format(fmt=fmt), cookie, out)
        cpu = io_import.cpu_seconds(pid) - cpu
        sql_cpu = sum(io_import.cpu_seconds(b) for b in backends) - sum(sql) if backends else None
        after = _status_kb(pid)
    finally:
        server.stop()
    rows = _count_rows(out, fmt) if figures["status"] == 200 else 0
    out.unlink()
    peak_growth = (after["VmHWM"] - before["VmRSS"]) / 1024 if reset else None
    return figures | {
        "rows": rows,
        "rows_per_s": round(rows / figures["total_s"]) if figures["total_s"] else None,
        "worker_cpu_s": round(cpu, 2),
        "postgresql_cpu_s": round(sql_cpu, 2) if sql_cpu is not None else None,
        "postgresql_backends": len(backends),
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
                    f"CPU: worker {r['worker_cpu_s']:6.2f} s, PostgreSQL "
                    f"{r['postgresql_cpu_s']} s  "
                    f"peak growth {r['peak_growth_mb']} MB"
                )
    return results


# ---------------------------------------------------------------- both, and the report


def measure(server: str, database: str, port: int, echo=print) -> dict:
    url = sa.make_url(admin_url(server)).set(database=database)
    url = url.render_as_string(hide_password=False)
    echo(f"exports over HTTP from a fresh gunicorn worker each, on {database}…")
    exports = measure_exports(url, port, echo)
    echo(f"imports of {io_import.IMPORT_ROWS} training records (scratch copies of {database})…")
    return {"exports": exports, "imports": io_import.measure_imports(server, database, echo)}


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
        "| export | rows | first byte s | total s | rows/s | worker CPU s | PostgreSQL CPU s | "
        "MB sent | RSS before MB | peak growth MB | goal met |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
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
            f"| {r['worker_cpu_s']} | {r['postgresql_cpu_s']} | {r['bytes'] / 1e6:.1f} "
            f"| {r['rss_before_mb']} | {growth} | {_mark(ok)} |"
        )
    lines += [
        "",
        "Imports of generated training records through the pages (upload, the progress bar's "
        "steps, import), in-process with the production app, on a scratch copy of the "
        f"database. Goal: {IMPORT_GOAL_RPS} rows/s from upload to imported, each row read from "
        "the file and checked once. CPU: the app's process and its PostgreSQL backend; rows per "
        "CPU second is what a quiet machine would reach, about.",
        "",
        "| file | rows | MB | rows/s | total s | upload s | check s (steps) | import s | "
        "app CPU s | PostgreSQL CPU s | rows per CPU s | rows read | rows checked | created | "
        "goal met |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
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
            f"{r['import_s']} | {r['app_cpu_s']} | {r['postgresql_cpu_s']} | "
            f"{r['rows_per_cpu_s']} | {r['rows_read']} | {r['rows_checked']} | {r['created']} | "
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
    main()
