"""The same race through the API, as gunicorn's workers would see it: the request that loses
gets a 409 answer, and its request's transaction is rolled back whole (no placement, no
commitment, no event of the loser)."""

from __future__ import annotations

import threading

import pytest

from tests.conftest import PG_URL
from tests.races.harness import APPROVED_JPY, END_ON, START_ON

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not PG_URL, reason="races need real PostgreSQL connections"),
    pytest.mark.xdist_group("races"),
]
ROUNDS = 3


def _token(app, user_id: int) -> str:
    from hrfund.auth.models import User
    from hrfund.auth.services import create_api_token
    from hrfund.extensions import db

    with app.app_context():
        user = db.session.get(User, user_id)
        _t, plain = create_api_token(user, user, "race")
        db.session.commit()
        return plain


def test_approve_and_withdraw_through_the_api(world, race_app):
    hr_token = _token(race_app, world.hr)
    for _ in range(ROUNDS):
        application_id, applicant_id = world.application("endorsed")
        requests = [
            (
                f"/api/v1/applications/{application_id}/approve",
                hr_token,
                {
                    "city": "SEL",
                    "start_on": START_ON.isoformat(),
                    "end_on": END_ON.isoformat(),
                    "amount_jpy": APPROVED_JPY,
                },
            ),
            (f"/api/v1/applications/{application_id}/withdraw", _token(race_app, applicant_id), {}),
        ]
        before = world.books()["outgoing"]
        barrier = threading.Barrier(len(requests))
        statuses: dict[int, int] = {}

        def post(index, path, token, body, barrier=barrier, statuses=statuses):
            client = race_app.test_client()
            barrier.wait(timeout=30)
            response = client.post(path, headers={"Authorization": f"Bearer {token}"}, json=body)
            statuses[index] = response.status_code

        threads = [threading.Thread(target=post, args=(i, *r)) for i, r in enumerate(requests)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sorted(statuses.values()) == [200, 409], statuses
        approved = statuses[0] == 200
        expected = "approved" if approved else "withdrawn"
        assert world.state("application", application_id) == expected
        assert len(world.events("applications", application_id, ["approve", "withdraw"])) == 1
        grew = world.books()["outgoing"]["committed_jpy"] - before["committed_jpy"]
        assert grew == (APPROVED_JPY if approved else 0)
