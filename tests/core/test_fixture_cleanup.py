"""The db fixture closes what a test left open: a failing test with a streamed response half read
used to leave its request context pushed, and every later test of that xdist worker failed on
"Popped wrong app context"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from flask.globals import _cv_app, _cv_request

from tests.conftest import close_leftovers

HERE = Path(__file__).resolve().parent


def test_a_half_read_stream_and_a_stray_context_are_closed(app, db, login_as):
    hr = login_as("hr")
    mine = app.app_context()
    mine.push()
    response = hr.get("/audit/export.csv")
    next(iter(response.response))
    assert _cv_request.get(None) is not None  # the stream holds its request context
    app.test_request_context("/").push()  # and a context a test forgot to pop
    problems = close_leftovers(mine)
    assert _cv_request.get(None) is None and _cv_app.get(None) is mine
    assert problems  # the forgotten context is told (popping out of order, it may be a close)
    mine.pop()  # pops cleanly: no "Popped wrong app context"


def test_a_failing_test_with_an_open_stream_does_not_break_the_next_one():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.pop("HRFUND_TEST_DATABASE_URL", None)  # one backend is enough to show the cascade
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(HERE / "leaky_cases.py"),
        ],
        cwd=HERE.parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    tail = result.stdout[-3000:]
    assert "1 failed, 1 passed" in tail, tail
    assert "Popped wrong" not in result.stdout, tail
