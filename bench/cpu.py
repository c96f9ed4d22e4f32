"""Per-request cost in-process, hrfund's key pages side by side with the baseline page, in one
process and one run (the steadier figure on a shared machine than HTTP under wrk):

    python -m bench.cpu hrfund_bench_lists "applications,placements (coordinator)" [N] [ROUNDS]

For each page and for ``bench/baseline.py``'s page, alternated: the process CPU time
(``time.process_time``) and the wall time of N test-client requests, best of ROUNDS; and the
CPU time of the PostgreSQL backends that served them (``/proc/PID/stat`` of each pooled
connection's backend: the server on this machine), which includes parsing, planning and the
round trips. With gunicorn's two workers, PostgreSQL and wrk sharing two cores, throughput goes
roughly as 1 / (hrfund CPU + PostgreSQL CPU per request), hence the last column: the baseline's
sum over the page's.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from bench.__main__ import PASSWORD, SERVER
from bench.pages import key_pages, signed_in_clients
from bench.servers import hrfund_env


class Backends:
    """The CPU time of the PostgreSQL backends an engine's pooled connections talk to."""

    def __init__(self, engine):
        self.pids: set[int] = set()
        sa.event.listen(engine, "checkout", self._checkout)

    def _checkout(self, dbapi_connection, _record, _proxy):
        self.pids.add(dbapi_connection.info.backend_pid)

    def cpu_ms(self) -> float:
        total = 0
        for pid in self.pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
        return total * 1000 / os.sysconf("SC_CLK_TCK")


def timed(client, path: str, headers: dict, n: int, backends: Backends) -> tuple[float, ...]:
    """(cpu ms, wall ms, PostgreSQL cpu ms) per request, over ``n`` requests."""
    pg = backends.cpu_ms()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n):
        response = client.get(path, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
    return (
        (time.process_time() - cpu) * 1000 / n,
        (time.perf_counter() - wall) * 1000 / n,
        (backends.cpu_ms() - pg) / n,
    )


def main(database: str, only: str, n: int = 40, rounds: int = 3) -> None:
    url = sa.make_url(SERVER).set(drivername="postgresql+psycopg", database=database)
    os.environ.update(hrfund_env(url.render_as_string(hide_password=False)))
    from bench import baseline
    from hrfund import create_app
    from hrfund.core.fiscal import current_fiscal_year
    from hrfund.extensions import db

    app = create_app(
        "production",
        {"WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False, "RATELIMIT_ENABLED": False},
    )
    with app.app_context():
        pages = key_pages(db.session.connection(), current_fiscal_year())
        db.session.remove()
        ours = Backends(db.engine)
    parts = [p.strip() for p in only.split(",") if p.strip()]
    pages = [p for p in pages if any(part in p.name for part in parts)]
    clients, api_headers = signed_in_clients(app, pages, PASSWORD)
    base_app = baseline.create_app()
    base_client = base_app.test_client()
    with base_app.app_context():
        theirs = Backends(baseline.db.engine)
    print(f"# {database}, {n} requests, best of {rounds}, load {os.getloadavg()[0]:.1f}\n")
    print(
        "| page | cpu ms | wall ms | PostgreSQL cpu ms | baseline cpu ms | baseline wall ms "
        "| baseline PostgreSQL ms | cpu ratio | (cpu + PostgreSQL) ratio |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for page in pages:
        client = app.test_client() if page.api else clients[page.login]
        headers = api_headers if page.api else {}
        timed(client, page.path, headers, 5, ours)  # warm up (and prepared statements)
        timed(base_client, "/", {}, 5, theirs)
        best_ours = best_base = (float("inf"),) * 3
        for _ in range(rounds):  # alternated, so that both see the same machine
            best_base = tuple(map(min, best_base, timed(base_client, "/", {}, n, theirs)))
            best_ours = tuple(map(min, best_ours, timed(client, page.path, headers, n, ours)))
        (cpu, wall, pg), (bcpu, bwall, bpg) = best_ours, best_base
        print(
            f"| {page.name} | {cpu:.2f} | {wall:.2f} | {pg:.2f} | {bcpu:.2f} | {bwall:.2f} | "
            f"{bpg:.2f} | {bcpu / cpu:.2f} | {(bcpu + bpg) / (cpu + pg):.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], *(int(a) for a in sys.argv[3:5]))
