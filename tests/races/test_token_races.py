"""Two revokes of one token at once (two tabs, two admins): one audit event, never two.

The revokes claim their row (a conditional UPDATE … WHERE revoked_at IS NULL): the loser waits
for the winner's commit and finds the token revoked. Threads of this process, each with a
session and PostgreSQL connection of its own, lined up by a barrier after loading the token.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from hrfund.extensions import db
from tests.conftest import PG_URL
from tests.races.harness import BARRIER_TIMEOUT

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not PG_URL, reason="races need real PostgreSQL connections"),
    pytest.mark.xdist_group("races"),
]
ROUNDS = 3


def _race(app, model, token_id: int, user_id: int, revoke: Callable, n: int = 2) -> list[str]:
    from hrfund.auth.models import User
    from hrfund.core.errors import DomainError

    barrier = threading.Barrier(n)

    def one() -> str:
        with app.app_context():
            try:
                actor = db.session.get(User, user_id)
                token = db.session.get(model, token_id)
                assert token is not None and token.revoked_at is None
                barrier.wait(timeout=BARRIER_TIMEOUT)
                revoke(actor, token)
                db.session.commit()
                return "ok"
            except DomainError as error:
                db.session.rollback()
                return str(error.status)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=n) as pool:
        futures = [pool.submit(one) for _ in range(n)]
        return sorted(f.result(timeout=2 * BARRIER_TIMEOUT) for f in futures)


def _events(app, action: str, token_id: int) -> int:
    from hrfund.core.audit import AuditEvent

    with app.app_context():
        count = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.object_id == str(token_id))
        )
        db.session.remove()
        return count


def test_an_api_token_is_revoked_once(world):
    from hrfund.auth import sessions
    from hrfund.auth.models import ApiToken, User

    app, user_id = world.app, world.ids["hr"]
    for _ in range(ROUNDS):
        with app.app_context():
            token, _plain = sessions.create_api_token(
                db.session.get(User, user_id), db.session.get(User, user_id), "laptop"
            )
            db.session.commit()
            token_id = token.id
            db.session.remove()
        results = _race(app, ApiToken, token_id, user_id, sessions.revoke_api_token)
        assert results == ["409", "ok"]  # the second is told the token is revoked already
        assert _events(app, "api_token.revoke", token_id) == 1


def test_a_calendar_token_is_revoked_once(world):
    from hrfund.auth.models import User
    from hrfund.reminders import calendar
    from hrfund.reminders.models import CalendarToken

    app, user_id = world.app, world.ids["hr"]
    for _ in range(ROUNDS):
        with app.app_context():
            user = db.session.get(User, user_id)
            token, _plain = calendar.create_calendar_token(user)
            db.session.commit()
            token_id = token.id
            db.session.remove()
        results = _race(app, CalendarToken, token_id, user_id, calendar.revoke_calendar_token)
        assert results == ["ok", "ok"]  # revoking a revoked feed changes nothing, refuses nothing
        assert _events(app, "calendar_token.revoke", token_id) == 1
