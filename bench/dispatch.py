"""Reminder dispatch at two sizes (issue 16): ``python -m bench.dispatch``; a step of make bench.

For each size, a scratch copy of the generated database gets three dispatches as the scheduler
runs them, to a real SMTP server on loopback (aiosmtpd): the first sends what the generated data
has due today, the second finds nothing new, the third finds the 1,000 e-mails of the first
that are deleted before it (fewer at `small`, which has not that many) and sends them again.
Before the second and the third, the deliveries and notifications are vacuumed, as autovacuum
would after thousands of inserts (it is off on the bench's server). Each is timed in three
parts: finding (the watchers and their SQL), claiming (rendering and writing the deliveries,
and the in-app notifications) and sending (the SMTP exchanges and their outcomes), and its SQL
statements counted. The goal: the dispatch with nothing due takes about
the same at `small` and at `full` (within 2×), the statements do not grow with the data, and a
dispatch with 1,000 due spends its time sending. Each run is a child process with its own app,
so that its configuration is the production one with only the database and the mail server
changed.

Knobs (environment): BENCH_DISPATCH_SMALL and BENCH_DISPATCH_FULL, the generated databases to
copy (hrfund_bench_small and hrfund_bench; each copy is ``<name>_scratch``, dropped after);
BENCH_PORT, the SMTP server's port (a free one when unset).
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

    port = int(os.environ.get("BENCH_PORT") or 0)
    if not port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    controller = Controller(Inbox(), hostname="127.0.0.1", port=port)
    controller.start()
    figures: dict = {}
    try:
        for size, template in sizes.items():
            copy = f"{template}_scratch"
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
                    capture_output=True,
                    text=True,
                )
                if child.returncode:
                    raise RuntimeError(f"the dispatch failed:\n{child.stderr[-3000:]}")
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


RUNS = ("first", "nothing_due", "thousand_due")
DUE = 1000


def _timer(totals: dict, part: str, function):
    """``function``, its time added to ``totals[part]`` (a call inside another timed one is
    not counted twice)."""

    def wrapper(*args, **kwargs):
        if totals["depth"]:
            return function(*args, **kwargs)
        totals["depth"] += 1
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            totals[part] += time.perf_counter() - started
            totals["depth"] -= 1

    return wrapper


def _vacuum(db) -> None:
    """What autovacuum does after the first dispatch's thousands of inserts (it is off on the
    bench's server, so that runs compare): their pages all-visible, the statistics fresh."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM (ANALYZE) reminder_deliveries, notifications")


def _forget_emails(db, since_id: int, count: int) -> int:
    """Delete ``count`` of the e-mails sent by the first dispatch: due again."""
    result = db.session.execute(
        sa.text(
            "DELETE FROM reminder_deliveries WHERE id IN (SELECT id FROM reminder_deliveries"
            " WHERE id > :since AND channel = 'email' AND status = 'sent' ORDER BY id LIMIT :n)"
        ),
        {"since": since_id, "n": count},
    )
    db.session.commit()
    return result.rowcount


def _child() -> None:
    """In the child: three dispatches on the app of the environment; prints one JSON line."""
    import importlib

    from hrfund import create_app
    from hrfund.extensions import db
    from hrfund.reminders import jobs, notices, services

    app = create_app("production", {"RATELIMIT_ENABLED": False})
    totals = {"depth": 0, "claiming": 0.0, "sending": 0.0}
    services.claim_due = _timer(totals, "claiming", services.claim_due)
    try:  # the sender's module (before it had one, the services')
        sender = importlib.import_module("hrfund.reminders.sending")
    except ImportError:
        sender = services
    for module, name in ((sender, "send_claimed"), (notices, "send_committed")):
        setattr(module, name, _timer(totals, "sending", getattr(module, name)))
    out: dict = {}
    with app.app_context():
        statements = [0]

        def count(*_args):
            statements[0] += 1

        since = db.session.scalar(sa.text("SELECT coalesce(max(id), 0) FROM reminder_deliveries"))
        db.session.remove()
        sa.event.listen(db.engine, "before_cursor_execute", count)
        for name in RUNS:
            if name != "first":
                sa.event.remove(db.engine, "before_cursor_execute", count)
                if name == "thousand_due":
                    out["forgotten"] = _forget_emails(db, since, DUE)
                    db.session.remove()
                _vacuum(db)
                sa.event.listen(db.engine, "before_cursor_execute", count)
            totals["claiming"] = totals["sending"] = 0.0
            statements[0] = 0
            started = time.perf_counter()
            result = jobs.dispatch_reminders()
            took = time.perf_counter() - started
            db.session.remove()
            out[name] = {
                "seconds": round(took, 3),
                "finding_seconds": round(took - totals["claiming"] - totals["sending"], 3),
                "claiming_seconds": round(totals["claiming"], 3),
                "sending_seconds": round(totals["sending"], 3),
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
        "Three dispatches on a scratch copy of each database, to aiosmtpd on loopback: the first "
        "sends what the generated data has due today, the second finds nothing new, the third "
        f"sends again the first's e-mails deleted before it ({DUE:,} where there are that many). "
        "Goal: the second within 2× at `small` and `full`, with the same statements; the "
        "third's time spent sending, not finding. Finding: the watchers; claiming: rendering and "
        "writing the deliveries; sending: the SMTP exchanges and their outcomes.",
        "",
        "| size | run | seconds | finding s | claiming s | sending s | sent | already sent | "
        "failed | statements |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for size in ("small", "full"):
        for run in RUNS:
            f = figures.get(size, {}).get(run)
            if f:
                label = run.replace("_", " ")
                if run == "thousand_due":
                    label = f"{figures[size].get('forgotten', DUE):,} due"
                lines.append(
                    f"| {size} | {label} | {f['seconds']} | {f['finding_seconds']} | "
                    f"{f.get('claiming_seconds', '')} | {f['sending_seconds']} | {f['sent']} | "
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
        sizes = {
            "small": os.environ.get("BENCH_DISPATCH_SMALL", "hrfund_bench_small"),
            "full": os.environ.get("BENCH_DISPATCH_FULL", "hrfund_bench"),
        }
        result = measure(server, sizes)
        print(json.dumps(result, indent=2))
        print("\n".join(markdown(result)))
