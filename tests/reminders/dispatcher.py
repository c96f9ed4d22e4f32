"""Dispatcher processes for tests, forked from a server that imported hrfund once.

``tests.live.Processes.dispatcher`` starts one through multiprocessing's forkserver, whose
server process imports this module (and so hrfund) a single time: each dispatcher is then a
process of its own, with its own app and database connections, ready in a fraction of a
second instead of the second or two of CPU a fresh interpreter costs. It builds the app from
the environment it is given (HRFUND_ENV, DATABASE_URL, MAIL_*, REMINDER_*) and answers, over its
pipe:

- ``("dispatch", ISO-TIME)``: ``dispatch_reminders`` as at that time, as ``flask reminders run
  --now`` does; answers ``("done", {sent, already, failed})``;
- ``("pause", SECONDS)``: sets HRFUND_TEST_PAUSE_AFTER_CLAIM_SECONDS in this process (the testing
  hook in hrfund/reminders/jobs.py), so that its next dispatch waits between claim and send;
- ``("config", (KEY, VALUE))``: sets one setting of its app (a claim timeout for one case).
"""

from __future__ import annotations

import os
from datetime import datetime

from hrfund import create_app
from hrfund.extensions import db
from hrfund.reminders.jobs import dispatch_reminders


def serve(conn, env: dict) -> None:
    os.environ.clear()
    os.environ.update(env)
    app = create_app()
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))
        db.session.remove()
    conn.send(("ready", os.getpid()))
    while True:
        try:
            command, argument = conn.recv()
        except EOFError:
            return
        if command == "pause":
            os.environ["HRFUND_TEST_PAUSE_AFTER_CLAIM_SECONDS"] = str(argument)
            conn.send(("paused", argument))
        elif command == "config":
            key, value = argument
            app.config[key] = value
            conn.send(("configured", key))
        elif command == "dispatch":
            with app.app_context():
                result = dispatch_reminders(datetime.fromisoformat(argument))
            answer = {"sent": result.sent, "already": result.already_sent, "failed": result.failed}
            conn.send(("done", answer))
        else:
            conn.send(("unknown", command))
