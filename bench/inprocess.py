"""What is measured inside one process: statements per request, the slowest statements of the
key pages with their query plans, and a profile of one page."""

from __future__ import annotations

import cProfile
import io
import pstats
import re
import time
from pathlib import Path

import sqlalchemy as sa

from bench.pages import Page, count_statements, signed_in_clients
from hrfund.extensions import db

BIG_TABLE_ROWS = 100_000


def statement_counts(app, pages: list[Page], password: str) -> tuple[dict[str, int], dict, dict]:
    clients, api_headers = signed_in_clients(app, pages, password)
    counts = {}
    for page in pages:
        client = app.test_client() if page.api else clients[page.login]
        status, n = count_statements(app, client, page.path, api_headers if page.api else None)
        counts[page.name] = n if status == 200 else None
    return counts, clients, api_headers


def slowest_statements(app, pages, clients, api_headers, n: int = 3) -> list[dict]:
    """The ``n`` slowest statements over one request of every key page, timed at the cursor."""
    timings: list[dict] = []
    current = {}

    def before(conn, _cursor, statement, parameters, _context, _many):
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, _cursor, statement, parameters, _context, _many):
        took = (time.perf_counter() - conn.info.pop("bench_started")) * 1000
        timings.append(
            {"page": current["page"], "ms": round(took, 2), "sql": statement, "params": parameters}
        )

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    try:
        for page in pages:
            current["page"] = page.name
            client = app.test_client() if page.api else clients[page.login]
            client.get(page.path, headers=api_headers if page.api else {})
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)
    reads = [t for t in timings if t["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]
    # ranked by the server's execution time, which the machine's noise disturbs less than the
    # time seen at the cursor
    seen, planned = set(), []
    for t in reads:
        key = (t["sql"], repr(t["params"]))
        if key not in seen:
            seen.add(key)
            planned.append(explain(app, t))
    planned.sort(key=lambda t: t["execution_ms"], reverse=True)
    return planned[:n]


def explain(app, statement: dict) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of a captured statement, and the big tables it reads whole."""
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement["sql"], statement["params"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
            sizes = dict(
                db.session.execute(
                    sa.text("SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r'")
                ).all()
            )
        finally:
            raw.rollback()
            raw.close()
            db.session.remove()
    scanned = set(re.findall(r"Seq Scan on (\w+)", plan))
    big = sorted(t for t in scanned if sizes.get(t, 0) > BIG_TABLE_ROWS)
    took = re.search(r"Execution Time: ([\d.]+) ms", plan)
    return {
        **statement,
        "execution_ms": float(took.group(1)) if took else 0.0,
        "plan": plan,
        "seq_scans_of_big_tables": big,
    }


def profile(app, page: Page, client, api_headers, out: Path, repeat: int = 5) -> Path:
    """cProfile of ``repeat`` requests of ``page``, as text sorted by cumulative time."""
    headers = api_headers if page.api else {}
    client.get(page.path, headers=headers)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        client.get(page.path, headers=headers)
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    text.write(f"cProfile of {repeat} in-process requests of {page.name} ({page.path})\n\n")
    stats.sort_stats("cumulative").print_stats(60)
    stats.sort_stats("tottime").print_stats(30)
    out.write_text(re.sub(r"/\S*/site-packages/", "", text.getvalue()))
    return out
