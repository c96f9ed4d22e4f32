"""Racing changes of state outside the decisions: a submit against a withdrawal, and the
acknowledgements and verifications HR makes (two officers at once: one of them)."""

from __future__ import annotations

import pytest

from tests.conftest import PG_URL
from tests.races.test_application_races import one_winner

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not PG_URL, reason="races need real PostgreSQL connections"),
    pytest.mark.xdist_group("races"),
]


def test_submit_withdraw(world, race):
    """The applicant submits from one tab and withdraws from another: one of them."""
    actions = ["submit", "withdraw"]
    for _ in range(race.rounds):
        application_id, applicant_id = world.application("draft")
        tasks = [(f"application.{a}", application_id, applicant_id) for a in actions]
        winner = actions[one_winner(race(tasks))]
        expected = {"submit": "submitted", "withdraw": "withdrawn"}[winner]
        assert world.state("application", application_id) == expected
        assert len(world.events("applications", application_id, actions)) == 1


def test_a_report_is_acknowledged_once(world, race):
    from hrfund.extensions import db
    from hrfund.placements.models import Report

    for _ in range(race.rounds):
        report_id = world.report()
        tasks = [("report.acknowledge", report_id, hr) for hr in (world.hr, world.second_hr)]
        winner = (world.hr, world.second_hr)[one_winner(race(tasks))]
        with world.app.app_context():
            report = db.session.get(Report, report_id)
            assert report.acknowledged_by_id == winner
            placement_id = report.placement_id
            db.session.remove()
        events = world.events("placements", placement_id, ["acknowledge"], prefix="report")
        assert len(events) == 1


def test_a_language_score_is_verified_once(world, race):
    from hrfund.extensions import db
    from hrfund.training.models import LanguageScore

    for _ in range(race.rounds):
        score_id = world.unverified_score()
        tasks = [("score.verify", score_id, hr) for hr in (world.hr, world.second_hr)]
        winner = (world.hr, world.second_hr)[one_winner(race(tasks))]
        with world.app.app_context():
            score = db.session.get(LanguageScore, score_id)
            assert score.verified and score.verified_by_id == winner
            db.session.remove()
        events = world.events("language_scores", score_id, ["verify"], prefix="language_score")
        assert len(events) == 1
