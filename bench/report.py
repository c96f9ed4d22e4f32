"""bench/results/latest.md from the figures of one run."""

from __future__ import annotations

GOAL, DASHBOARD_GOAL, P99_GOAL = 0.5, 0.25, 2.0


def _ratio(a, b) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def _load(value) -> str:
    return f"{value[0]:.1f}" if value else "(not recorded)"


def _ms(value) -> str:
    return "—" if not value else f"{value:.0f}"


def _row(name: str, page: dict, c: str) -> str:
    run = page[c]
    # wrk reports 0 requests/s and 0 ms when no request finished within the run
    speed = _ratio(run["rps"], run["baseline_rps"]) if run["rps"] else None
    tail = _ratio(run["p99_ms"], run["baseline_p99_ms"]) if run["p99_ms"] else None
    goal = DASHBOARD_GOAL if page["dashboard"] else GOAL
    met = speed is not None and speed >= goal and (page["dashboard"] or (tail or 99) <= P99_GOAL)
    errors = f" ({run['errors']} errors)" if run.get("errors") else ""
    return (
        f"| {name} | {run['rps']:.1f}{errors} | {_ms(run['p50_ms'])} | {_ms(run['p99_ms'])} | "
        f"{run['baseline_rps']:.1f} | {_ms(run['baseline_p99_ms'])} | {speed or '—'} | "
        f"{tail or '—'} | {page['queries']} | {'yes' if met else 'no'} |"
    )


def markdown(data: dict) -> str:
    m = data["machine"]
    lines = [
        "# hrfund benchmark: latest run",
        "",
        f"{m['size']} data ({m['database']}), {m['started_at']}; {m['cpus']} CPUs ({m['cpu']}), "
        f"{m['memory_gb']} GB; gunicorn sync × {m['workers']} for each app on the same "
        f"PostgreSQL; {m['load_tool']} for {m['seconds_per_run']} s per run; load average "
        f"{_load(m.get('load_average_at_start'))} at the start, "
        f"{_load(m['load_average_at_end'])} at the end (the machine is shared: compare only "
        "figures of the same run).",
        "",
        "Goal (issue 16): rps ≥ 0.5 × the baseline's (dashboards 0.25 ×) and p99 ≤ 2 × the "
        "baseline's. The baseline is `bench/baseline.py`: 50 applications joined to applicants "
        "and departments in a plain Jinja table. A dash: no request finished within the run.",
        "",
    ]
    measured = {c for page in data["pages"].values() for c in page if c in ("c8", "c32")}
    for c in sorted(measured, key=lambda c: int(c[1:])):  # BENCH_CONNECTIONS may choose one
        lines += [
            f"## {c[1:]} connections",
            "",
            "| page | rps | p50 ms | p99 ms | baseline rps | baseline p99 ms | rps ÷ baseline "
            "| p99 ÷ baseline | SQL statements | goal met |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        lines += [_row(name, page, c) for name, page in data["pages"].items()]
        lines.append("")
    rss = m["hrfund_worker_rss_mb_after"]
    lines += [
        f"hrfund worker RSS after the run: {', '.join(f'{r} MB' for r in rss)} (goal < 300 MB).",
        "",
    ]
    if m.get("generation_seconds"):
        lines += [f"Data generated in this run: {m['generation_seconds']:.0f} s.", ""]
    if data.get("dispatch"):
        from bench.dispatch import markdown as dispatch_markdown

        lines += dispatch_markdown(data["dispatch"])
    if data.get("io"):
        from bench.io import markdown as io_markdown

        lines += io_markdown(data["io"])
    lines += [
        "## The three slowest statements of the key pages",
        "",
        plans(data["slowest_statements"]),
    ]
    return "\n".join(lines) + "\n"


def plans(slowest: list[dict]) -> str:
    out = []
    for s in slowest:
        big = ", ".join(s["seq_scans_of_big_tables"]) or "none"
        out += [
            f"### {s['page']}: {s['execution_ms']} ms to execute, {s['ms']} ms seen by the app "
            f"(sequential scans of tables over 100,000 rows: {big})",
            "",
            "```sql",
            s["sql"].strip(),
            "```",
            "",
            "```",
            s["plan"],
            "```",
            "",
        ]
    return "\n".join(out)
