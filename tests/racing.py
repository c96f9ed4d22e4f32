"""The set-up of a race test, written once: every racer runs in an app context, session and
database connection of its own, all released at the same moment, from threads or from
processes; each answers "ok" (committed), the name of the refusal it met (rolled back), or
"error: …" for anything else, which the test's assertion then shows."""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import sqlalchemy as sa

Racer = Callable[..., str]


def commit_or_refusal(action: Callable[[], object], refusals: dict[type[Exception], str]) -> str:
    """Run ``action`` (the real service call) and commit: "ok"; a refusal of a kind named in
    ``refusals`` rolls back and answers its name."""
    from hrfund.extensions import db

    try:
        action()
        db.session.commit()
        return "ok"
    except tuple(refusals) as refused:
        db.session.rollback()
        return next(name for kind, name in refusals.items() if isinstance(refused, kind))
    except Exception as error:  # noqa: BLE001 - reported in the assertion
        db.session.rollback()
        return f"error: {error!r}"
    finally:
        db.session.remove()


def in_threads(app, racer: Racer, arguments: Sequence[tuple]) -> list[str]:
    """``racer(*args)`` for each ``args``, each in a thread and app context of its own; a
    barrier lets them go together."""
    start = threading.Barrier(len(arguments))

    def run(args: tuple) -> str:
        with app.app_context():
            start.wait(timeout=30)
            return racer(*args)

    with ThreadPoolExecutor(max_workers=len(arguments)) as pool:
        futures = [pool.submit(run, args) for args in arguments]
        return [f.result(timeout=120) for f in futures]


def _in_a_process(url: str, start_at: float, racer: Racer, args: tuple) -> str:
    from hrfund import create_app

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        from hrfund.extensions import db

        db.session.execute(sa.text("SELECT 1"))  # connect before the start
        time.sleep(max(0.0, start_at - time.time()))
        result = racer(*args)
        db.engine.dispose()
        return result


def in_processes(app, racer: Racer, arguments: Sequence[tuple]) -> list[str]:
    """``racer(*args)`` for each ``args``, each in a process of its own (an app of its own on
    ``app``'s database), all started at the same clock time; ``racer`` is a module's function."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    start_at = time.time() + 3
    context = multiprocessing.get_context("fork")  # the modules are loaded already
    with ProcessPoolExecutor(max_workers=len(arguments), mp_context=context) as pool:
        futures = [pool.submit(_in_a_process, url, start_at, racer, args) for args in arguments]
        return [f.result(timeout=90) for f in futures]
