"""``make bench``: hrfund side by side with a bare Flask page, over HTTP, on the full data.

    make bench                      # the `full` data (generated once into hrfund_bench)
    BENCH_SIZE=small make bench     # about 1 % of it (hrfund_bench_small)

Both apps run under gunicorn (sync, BENCH_WORKERS workers each, default 2) on the same
PostgreSQL database (BENCH_PG, default postgresql://postgres@127.0.0.1:5432). Each key page
is loaded by wrk (else a Python load generator) from a separate process for BENCH_SECONDS
(default 10) at 8 and at 32 connections, each run followed by one of the baseline. Writes
bench/results/latest.md and latest.json, the query plans of the three slowest statements, a
profile of one page, the reminder dispatch (bench/dispatch.py; BENCH_DISPATCH=0 skips it) and
exports and imports of 200,000 and 100,000 rows (bench/io.py; BENCH_IO=0 skips them). Nothing
here asserts a time: the machines are noisy, so compare only figures of the same run.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime

from bench import dispatch, inprocess, load, report
from bench import io as io_bench
from bench.pages import HR, key_pages
from bench.servers import ROOT, Gunicorn, ensure_database, hrfund_env, sign_in

SIZE = os.environ.get("BENCH_SIZE", "full")
SERVER = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = (8, 32)
SETTLE = float(os.environ.get("BENCH_SETTLE_SECONDS", "3"))
# for working on a few pages side by side with other benches: a comma-separated list of
# substrings of page names, a database of one's own (a copy of hrfund_bench), other ports, and an
# output name other than "latest" (a partial run must not replace the table README quotes)
ONLY = [s.strip() for s in os.environ.get("BENCH_PAGES", "").split(",") if s.strip()]
DATABASE = os.environ.get("BENCH_DB")
PORT = int(os.environ.get("BENCH_PORT", "8611"))
OUT = os.environ.get("BENCH_OUT", "partial" if ONLY else "latest")
if os.environ.get("BENCH_CONNECTIONS"):
    CONNECTIONS = tuple(int(c) for c in os.environ["BENCH_CONNECTIONS"].split(","))
RESULTS = ROOT / "bench" / "results"
PASSWORD = "Tokyo-Diplomacy-2026"  # the demo logins seed-scale creates


def _lines(path: str) -> list[str]:
    with open(path) as f:
        return f.readlines()


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in _lines("/proc/cpuinfo")
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(line.split()[1] for line in _lines("/proc/meminfo") if line.startswith("MemTotal"))
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(int(mem) / 1024**2, 1),
        "python": platform.python_version(),
        "postgresql_client": pg,
        "load_average_at_start": list(os.getloadavg()),
    }


LOAD_AT_START = list(os.getloadavg())


def main() -> int:
    RESULTS.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    name = DATABASE or ("hrfund_bench" if SIZE == "full" else f"hrfund_bench_{SIZE}")
    url, generated = ensure_database(SERVER, name, SIZE)
    os.environ.update(hrfund_env(url))
    from hrfund import create_app
    from hrfund.core.fiscal import current_fiscal_year
    from hrfund.extensions import db

    # in-process only: the test client signs in without a CSRF token over plain http
    app = create_app(
        "production",
        {"WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False, "RATELIMIT_ENABLED": False},
    )
    with app.app_context():
        pages = key_pages(db.session.connection(), current_fiscal_year())
        db.session.remove()
    if ONLY:
        pages = [p for p in pages if any(part in p.name for part in ONLY)]
    print(f"{len(pages)} key pages on {name}; counting statements in-process…")
    counts, clients, api_headers = inprocess.statement_counts(app, pages, PASSWORD)
    slowest = inprocess.slowest_statements(app, pages, clients, api_headers)
    dashboard = next((p for p in pages if p.name == "dashboard: HR"), pages[0])
    if not ONLY:
        inprocess.profile(
            app,
            dashboard,
            clients[dashboard.login],
            api_headers,
            RESULTS / "profile-dashboard-hr.txt",
        )
    with app.app_context():
        db.engine.dispose()

    env = {k: os.environ[k] for k in ("DATABASE_URL", "HRFUND_ENV", "SECRET_KEY")}
    hrfund = Gunicorn("wsgi:app", PORT, env, WORKERS, RESULTS / "gunicorn-hrfund.log")
    baseline = Gunicorn(
        "bench.baseline:app",
        PORT + 1,
        {"DATABASE_URL": url},
        WORKERS,
        RESULTS / "gunicorn-baseline.log",
    )
    results: dict = {}
    try:
        hrfund.wait_ready("/healthz")
        baseline.wait_ready("/")
        cookies = {login: sign_in(PORT, login, PASSWORD) for login in {p.login for p in pages}}
        bearer = api_headers
        for page in pages:
            headers = bearer if page.api else {"Cookie": cookies[page.login]}
            entry = {"path": page.path, "queries": counts[page.name], "dashboard": page.dashboard}
            for c in CONNECTIONS:
                load.run(hrfund.base + page.path, 2, 2, headers)  # warm both workers
                hrfund.drain("/healthz")
                ours = load.run(hrfund.base + page.path, c, SECONDS, headers)
                hrfund.drain("/healthz")  # what the run left queued must not load the next
                time.sleep(SETTLE)
                base = load.run(baseline.base + "/", c, SECONDS, {})
                baseline.drain("/")
                time.sleep(SETTLE)
                entry[f"c{c}"] = {
                    **ours,
                    "baseline_rps": base["rps"],
                    "baseline_p99_ms": base["p99_ms"],
                    "baseline_p50_ms": base["p50_ms"],
                }
                print(
                    f"  {page.name:32} c={c:<3} {ours['rps']:8.1f} rps p99 "
                    f"{ours['p99_ms']:8.1f} ms | baseline {base['rps']:8.1f} rps "
                    f"p99 {base['p99_ms']:7.1f} ms | {counts[page.name]} statements"
                    + (f" | {ours['errors']} errors" if ours["errors"] else "")
                )
            main8 = entry["c8"]
            entry.update(
                {
                    k: main8[k]
                    for k in ("rps", "p50_ms", "p99_ms", "baseline_rps", "baseline_p99_ms")
                }
            )
            results[page.name] = entry
        rss = hrfund.worker_rss_mb()
    finally:
        hrfund.stop()
        baseline.stop()
    info = machine() | {
        "load_average_at_end": list(os.getloadavg()),
        "size": SIZE,
        "database": name,
        "generation_seconds": round(generated, 1) if generated else None,
        "workers": WORKERS,
        "seconds_per_run": SECONDS,
        "settle_seconds": SETTLE,
        "load_tool": "wrk" if load.wrk_available() else "python",
        "hrfund_worker_rss_mb_after": rss,
        "started_at": started.isoformat(timespec="seconds"),
        "took_seconds": round((datetime.now(UTC) - started).total_seconds()),
        "signed_in_as": {p.name: p.login for p in pages} | {"api": HR},
    }
    data = {"pages": results, "machine": info, "slowest_statements": slowest}
    if not ONLY and os.environ.get("BENCH_DISPATCH", "1") != "0":
        print("reminder dispatch at small and at full (scratch copies, aiosmtpd on loopback)…")
        ensure_database(SERVER, "hrfund_bench_small", "small")
        data["dispatch"] = dispatch.measure(SERVER, {"small": "hrfund_bench_small", "full": name})
    if not ONLY and os.environ.get("BENCH_IO", "1") != "0":
        print("exports and imports at this size (BENCH_IO=0 skips them)…")
        data["io"] = io_bench.measure(SERVER, name, PORT)
    (RESULTS / f"{OUT}.json").write_text(json.dumps(data, indent=2, default=str) + "\n")
    (RESULTS / f"{OUT}.md").write_text(report.markdown(data))
    print(report.plans(slowest))
    print(f"worker RSS after the run: {rss} MB")
    print(f"wrote {RESULTS / OUT}.md and {OUT}.json in {info['took_seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
