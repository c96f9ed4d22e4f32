"""Reminder dispatch at two sizes (issue 16): ``python -m bench.dispatch``; a step of make bench.

For each size, a scratch copy of the generated database gets two dispatches as the scheduler
runs them, to a real SMTP server on loopback (aiosmtpd): the first sends what the generated data
has due today, the second finds nothing new. Each is timed with the time spent sending apart
from the time spent finding (watchers, claims, commits), and its SQL statements counted. The goal:
the dispatch with nothing due takes about the same at `small` and at `full` (within 2×), and the
statements do not grow with the data. Each run is a child process with its own app, so that its
configuration is the production one with only the database and the mail server changed.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import sqlalchemy as sa

from bench.servers import ROOT, admin_url, hrfund_env

BIN = ROOT / ".venv" / "bin"


def _recreate(server: str, template: str, copy: str) -> str:
    engine = sa.create_engine(admin_url(server), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{copy}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{copy}" TEMPLATE "{template}"')
    engine.dispose()
    url = sa.make_url(server).set(drivername="postgresql+psycopg", database=copy)
    return url.render_as_string(hide_password=False)


def _drop(server: str, copy: str) -> None:
    engine = sa.create_engine(admin_url(server), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{copy}"')
    engine.dispose()


def measure(server: str, sizes: dict[str, str]) -> dict:
    """``sizes``: size name → the generated database to copy. Returns the figures by size."""
    from aiosmtpd.controller import Controller

    class Inbox:
        count = 0

        async def handle_DATA(self, _server, _session, envelope):  # noqa: N802 - aiosmtpd's name
            Inbox.count += 1
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Inbox(), hostname="127.0.0.1", port=port)
    controller.start()
    figures: dict = {}
    try:
        for size, template in sizes.items():
            copy = f"{template}_dispatch"
            url = _recreate(server, template, copy)
            env = {
                **os.environ,
                **hrfund_env(url),
                "MAIL_SERVER": "127.0.0.1",
                "MAIL_PORT": str(port),
                "FLASK_APP": "wsgi",
            }
            try:
                subprocess.run(
                    [BIN / "flask", "db", "upgrade"],
                    env=env,
                    cwd=ROOT,
                    check=True,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                before = Inbox.count
                child = subprocess.run(
                    [BIN / "python", "-m", "bench.dispatch", "--child"],
                    env=env,
                    cwd=ROOT,
                    check=True,
                    capture_output=True,
                    text=True,
                )
                figures[size] = json.loads(child.stdout.strip().splitlines()[-1])
                figures[size]["mails_received"] = Inbox.count - before
            finally:
                _drop(server, copy)
    finally:
        controller.stop()
    small, full = figures.get("small"), figures.get("full")
    if small and full:
        figures["nothing_due_full_over_small"] = round(
            full["nothing_due"]["seconds"] / max(small["nothing_due"]["seconds"], 1e-6), 2
        )
    return figures


def _child() -> None:
    """In the child: two dispatches on the app of the environment; prints one JSON line."""
    from hrfund import create_app
    from hrfund.extensions import db
    from hrfund.reminders import jobs, notices, services

    app = create_app("production", {"RATELIMIT_ENABLED": False})
    sending = [0.0]

    def timed(function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                sending[0] += time.perf_counter() - started

        return wrapper

    services.send_claimed = timed(services.send_claimed)  # type: ignore[assignment]
    notices.send_committed = timed(notices.send_committed)  # type: ignore[assignment]
    out = {}
    with app.app_context():
        statements = [0]

        def count(*_args):
            statements[0] += 1

        sa.event.listen(db.engine, "before_cursor_execute", count)
        for name in ("first", "nothing_due"):
            sending[0] = 0.0
            statements[0] = 0
            started = time.perf_counter()
            result = jobs.dispatch_reminders()
            took = time.perf_counter() - started
            db.session.remove()
            out[name] = {
                "seconds": round(took, 3),
                "sending_seconds": round(sending[0], 3),
                "finding_seconds": round(took - sending[0], 3),
                "sent": result.sent,
                "already_sent": result.already_sent,
                "failed": result.failed,
                "statements": statements[0],
            }
    print(json.dumps(out))


def markdown(figures: dict) -> list[str]:
    lines = [
        "## Reminder dispatch",
        "",
        "Two dispatches on a scratch copy of each database, to aiosmtpd on loopback: the first "
        "sends what the generated data has due today, the second finds nothing new. Goal: the "
        "second within 2× at `small` and `full`, with the same statements; the first's time spent "
        "sending, not finding.",
        "",
        "| size | run | seconds | finding s | sending s | sent | already sent | failed | "
        "statements |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for size in ("small", "full"):
        for run in ("first", "nothing_due"):
            f = figures.get(size, {}).get(run)
            if f:
                lines.append(
                    f"| {size} | {run.replace('_', ' ')} | {f['seconds']} | "
                    f"{f['finding_seconds']} | {f['sending_seconds']} | {f['sent']} | "
                    f"{f['already_sent']} | {f['failed']} | {f['statements']} |"
                )
    if "nothing_due_full_over_small" in figures:
        lines += ["", f"Nothing due, full ÷ small: {figures['nothing_due_full_over_small']}×."]
    return lines + [""]


if __name__ == "__main__":
    if "--child" in sys.argv:
        _child()
    else:
        server = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
        result = measure(server, {"small": "hrfund_bench_small", "full": "hrfund_bench"})
        print(json.dumps(result, indent=2))
        print("\n".join(markdown(result)))
