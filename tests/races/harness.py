"""Racing real PostgreSQL connections: threads in this process, or worker processes (spawn).

A race is a list of tasks ``(action, object_id, actor_id)``. Each task runs in an app context,
session and database connection of its own: it loads its actor and object, waits at a barrier
until every other task has loaded too (so all of them have read the same state), then calls the
real service and commits, or rolls back on a refusal. Its result is ``"ok"``, the refusal's
HTTP status (``"409"``), or ``"error: …"`` for anything else.

The worker processes are started once (``forkserver``, else ``spawn``: never forked from the
test process; each builds its own app and engine against the same database) and serve round
after round; a worker given several tasks runs them in threads of its own, all released by the
one cross-process barrier, so that every race has tasks in at least two processes.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from zoneinfo import ZoneInfo

BARRIER_TIMEOUT = 30
START_ON, END_ON = date(2026, 10, 1), date(2027, 3, 31)
APPROVED_JPY = 500_000
ACCEPTED_JPY = 400_000
SUBMITTED_AT = datetime(2026, 6, 15, 12, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # the call is open

Task = tuple[str, int, int]  # (action, object id, actor id)


def _services():
    from hrfund.applications import services as applications
    from hrfund.fund import services as fund
    from hrfund.placements import nominations
    from hrfund.placements import services as placements

    return applications, placements, nominations, fund


def _city(code: str):
    import sqlalchemy as sa

    from hrfund.extensions import db
    from hrfund.org.models import PartnerCity

    return db.session.scalar(sa.select(PartnerCity).where(PartnerCity.code == code))


def _department(code: str):
    import sqlalchemy as sa

    from hrfund.extensions import db
    from hrfund.org.models import Department

    return db.session.scalar(sa.select(Department).where(Department.code == code))


def _call(action: str, actor, obj) -> None:
    """The real service behind each racing action."""
    from hrfund.applications import calls as call_services
    from hrfund.placements import milestones
    from hrfund.training import records

    applications, placements, nominations, fund = _services()
    calls: dict[str, Callable[[], object]] = {
        "application.approve": lambda: applications.approve_application(
            actor,
            obj,
            city=_city("SEL"),
            start_on=START_ON,
            end_on=END_ON,
            amount_jpy=APPROVED_JPY,
        ),
        "application.submit": lambda: applications.submit_application(actor, obj, now=SUBMITTED_AT),
        "application.withdraw": lambda: applications.withdraw_application(actor, obj),
        "application.return": lambda: applications.return_application(
            actor, obj, comment="complete the budget"
        ),
        "application.reject": lambda: applications.reject_application(
            actor, obj, comment="not this year"
        ),
        "application.endorse": lambda: applications.endorse_application(actor, obj),
        "application.decline": lambda: applications.decline_application(
            actor, obj, comment="needed here"
        ),
        "placement.confirm": lambda: placements.confirm_placement(
            actor, obj, host_office="Seoul City Hall"
        ),
        "placement.decline": lambda: placements.decline_placement(actor, obj, comment="no desk"),
        "placement.cancel": lambda: placements.cancel_placement(actor, obj, comment="called off"),
        "placement.start": lambda: placements.start_placement(actor, obj),
        "placement.complete": lambda: placements.complete_placement(actor, obj, confirm_early=True),
        "nomination.accept": lambda: nominations.accept_nomination(
            actor, obj, host_department=_department("UD-PLN"), amount_jpy=ACCEPTED_JPY
        ),
        "nomination.reject": lambda: nominations.reject_nomination(actor, obj, comment="no desk"),
        "entry.reverse": lambda: fund.reverse(actor, obj.id, "booked twice"),
        "report.acknowledge": lambda: milestones.acknowledge_report(actor, obj),
        "score.verify": lambda: records.verify_score(actor, obj),
        "call.open": lambda: call_services.open_call(actor, obj),
        "call.close": lambda: call_services.close_call(actor, obj),
        "call.decide": lambda: call_services.decide_call(actor, obj),
    }
    calls[action]()


def _model(action: str):
    from hrfund.applications.models import Application, Call
    from hrfund.fund.models import LedgerEntry
    from hrfund.placements.models import Nomination, Placement, Report
    from hrfund.training.models import LanguageScore

    kind = action.split(".")[0]
    return {
        "report": Report,
        "score": LanguageScore,
        "application": Application,
        "placement": Placement,
        "nomination": Nomination,
        "entry": LedgerEntry,
        "call": Call,
    }[kind]


def run_task(app, task: Task, ready: Callable[[], None]) -> str:
    """Load, wait for the others (``ready``), act, commit; the outcome as a short string."""
    from hrfund.auth.models import User
    from hrfund.core.errors import DomainError
    from hrfund.extensions import db

    action, object_id, actor_id = task
    with app.app_context():
        try:
            actor = db.session.get(User, actor_id)
            obj = db.session.get(_model(action), object_id)
            ready()
            _call(action, actor, obj)
            db.session.commit()
            return "ok"
        except DomainError as error:
            db.session.rollback()
            return str(error.status)
        except Exception as error:  # noqa: BLE001 - reported in the test's assertion
            db.session.rollback()
            return f"error: {error!r}"
        finally:
            db.session.remove()


def race_in_threads(app, tasks: list[Task]) -> list[str]:
    """Every task in a thread of this process, lined up by one barrier."""
    barrier = threading.Barrier(len(tasks))

    def ready():
        barrier.wait(timeout=BARRIER_TIMEOUT)

    with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
        futures = [pool.submit(run_task, app, task, ready) for task in tasks]
        return [f.result(timeout=2 * BARRIER_TIMEOUT) for f in futures]


def _worker(url: str, barrier, inbox, outbox) -> None:
    """One racing process: its own app and engine; each round, its share of the tasks."""
    from hrfund import create_app

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():  # connect and configure the mappers before the first round
        from hrfund.extensions import db

        db.session.execute(db.text("select 1"))
        db.session.remove()
    outbox.put(("ready", []))
    while (batch := inbox.get()) is not None:
        loaded = threading.Barrier(len(batch) + 1)
        go = threading.Barrier(len(batch) + 1)
        results: list[tuple[int, str]] = []

        def one(index, task, loaded=loaded, go=go, results=results):
            def ready():
                loaded.wait(timeout=BARRIER_TIMEOUT)
                go.wait(timeout=BARRIER_TIMEOUT)

            results.append((index, run_task(app, task, ready)))

        threads = [threading.Thread(target=one, args=item) for item in batch]
        for thread in threads:
            thread.start()
        try:
            loaded.wait(timeout=BARRIER_TIMEOUT)  # this process's tasks have all loaded
            barrier.wait(timeout=BARRIER_TIMEOUT)  # and so have every other process's
            go.wait(timeout=BARRIER_TIMEOUT)
        except threading.BrokenBarrierError:
            pass  # a task failed before it was ready: its result says why
        for thread in threads:
            thread.join(2 * BARRIER_TIMEOUT)
        outbox.put(("done", results))


class ProcessRacers:
    """``size`` spawned worker processes against the database at ``url``."""

    def __init__(self, url: str, size: int = 3):
        # forkserver: a fresh server process imports the app once, and each worker is forked
        # from it (never from this process, with its threads and connections); spawn where
        # the platform has no forkserver.
        methods = multiprocessing.get_all_start_methods()
        method = "forkserver" if "forkserver" in methods else "spawn"
        ctx = multiprocessing.get_context(method)
        if method == "forkserver":
            ctx.set_forkserver_preload(["tests.races.preload", "tests.races.harness"])
        self.barrier = ctx.Barrier(size)
        self.inboxes = [ctx.Queue() for _ in range(size)]
        self.outbox = ctx.Queue()
        self.processes = [
            ctx.Process(target=_worker, args=(url, self.barrier, inbox, self.outbox), daemon=True)
            for inbox in self.inboxes
        ]
        for process in self.processes:
            process.start()
        for _ in self.processes:
            assert self.outbox.get(timeout=120)[0] == "ready"

    def race(self, tasks: list[Task]) -> list[str]:
        """Deal the tasks round the processes (at least two of them); every process takes
        part in the barrier, with nothing to do if it was dealt nothing."""
        batches: list[list] = [[] for _ in self.inboxes]
        for index, task in enumerate(tasks):
            batches[index % len(batches)].append((index, task))
        for inbox, batch in zip(self.inboxes, batches, strict=True):
            inbox.put(batch)
        results: list[str | None] = [None] * len(tasks)
        for _ in self.inboxes:
            try:
                _kind, done = self.outbox.get(timeout=3 * BARRIER_TIMEOUT)
            except queue.Empty:
                raise AssertionError("a racing process did not answer") from None
            for index, result in done:
                results[index] = result
        return [r or "error: no result" for r in results]

    def close(self) -> None:
        for inbox in self.inboxes:
            inbox.put(None)
        for process in self.processes:
            process.join(10)
            if process.is_alive():
                process.terminate()
