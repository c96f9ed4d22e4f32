"""The watchers leave out in SQL what was sent already (issue 16), and leave out nothing else:
every (subject, recipient, channel) still without its delivery comes back — a recipient who
joined the audience later, a channel added to the rule, a delivery that is not there any more —
and nothing delivered does. On SQLite and PostgreSQL, through the real watchers and dispatcher.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from hrfund.core.windows import local_date, local_today
from hrfund.extensions import db as _db
from hrfund.placements.models import Placement
from hrfund.reminders import rules
from hrfund.reminders.models import Channel, Delivery
from hrfund.reminders.registry import watcher_for
from tests import factories
from tests.reminders.conftest import at, deliveries, make_record, make_score, rule, run

pytestmark = pytest.mark.usefixtures("quiet_mail")
DAY = timedelta(days=1)
START = date(2026, 9, 1)


def _due(code: str, now: datetime) -> set[tuple]:
    """What the rule's watcher yields now: (subject type, id, date, recipients)."""
    r = rule(code)
    return {(i[0], i[1], i[2], tuple(i[3])) for i in watcher_for(r.kind)(r, now)}


def _forget(delivery: Delivery) -> None:
    _db.session.delete(delivery)
    _db.session.commit()


def test_each_kind_yields_what_was_sent_no_more_and_again_once_its_delivery_is_gone(db, world):
    placement = world.place()
    record = make_record(world.employee, START + 60 * DAY)
    score = make_score(world.other_employee, START + 60 * DAY)
    placement.created_at = at(START - 14 * DAY - 30 * DAY, 10)
    db.session.commit()
    cases = {  # rule: the instant it is due
        "placement_start_30": at(START - 30 * DAY),
        "certificate_expiring": at(START),
        "language_score_expiring": at(START),
        "host_confirmation_pending": at(START - 30 * DAY),
    }
    assert all(_due(code, now) for code, now in cases.items())  # before any dispatch
    for code, now in cases.items():
        run(now)
        assert _due(code, now) == set(), code  # sent: the watcher's SQL leaves it out
        sent = deliveries(code)
        assert len(sent) == 2, code
        email = next(d for d in sent if d.channel == Channel.EMAIL)
        recipient, subject = email.recipient_id, email.subject_id
        _forget(email)
        assert [(s[1], s[3]) for s in _due(code, now)] == [(subject, (recipient,))], code
        result = run(now)
        assert len(deliveries(code)) == 2 and result.sent >= 1, code
        assert _due(code, now) == set(), code
    assert {record.id, score.id} <= {d.subject_id for d in deliveries("certificate_expiring")} | {
        d.subject_id for d in deliveries("language_score_expiring")
    }


def test_an_hr_officer_who_joins_later_gets_the_reminder_the_others_had(db, world):
    placement = world.place()
    placement.created_at = at(date(2026, 7, 1), 10)
    db.session.commit()
    run(at(date(2026, 7, 15)))
    assert {d.recipient_id for d in deliveries("host_confirmation_pending")} == {world.hr.id}
    newcomer = factories.user(["hr", "employee"])
    db.session.commit()
    assert _due("host_confirmation_pending", at(date(2026, 7, 16))) == {
        ("placement", placement.id, date(2026, 7, 1), (world.hr.id, newcomer.id))
    }
    run(at(date(2026, 7, 16)))
    sent = deliveries("host_confirmation_pending")
    assert sorted((d.recipient_id, d.channel.value) for d in sent) == sorted(
        (who, channel) for who in (world.hr.id, newcomer.id) for channel in ("email", "in_app")
    )
    assert _due("host_confirmation_pending", at(date(2026, 7, 17))) == set()


def test_a_channel_added_to_the_rule_is_sent_and_the_other_not_again(db, world):
    world.place()
    rules.update_rule(
        world.hr, rule("placement_start_30"), offset_days=30, enabled=True, channels="email"
    )
    db.session.commit()
    run(at(START - 30 * DAY))
    assert [d.channel for d in deliveries("placement_start_30")] == [Channel.EMAIL]
    rules.update_rule(
        world.hr, rule("placement_start_30"), offset_days=30, enabled=True, channels="email,in_app"
    )
    db.session.commit()
    run(at(START - 29 * DAY))
    assert sorted(d.channel.value for d in deliveries("placement_start_30")) == ["email", "in_app"]


def test_an_inactive_person_is_not_due_and_is_once_active_again(db, world):
    world.place()
    world.employee.active = False
    db.session.commit()
    assert _due("placement_start_30", at(START - 30 * DAY)) == set()
    world.employee.active = True
    db.session.commit()
    assert len(_due("placement_start_30", at(START - 30 * DAY))) == 1


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "Europe/Berlin"])
def test_the_sql_local_date_is_the_python_one_either_side_of_midnight(app, db, world, zone):
    app.config["BABEL_DEFAULT_TIMEZONE"] = zone
    try:
        change = datetime(2026, 10, 25, 1, 0, tzinfo=UTC)  # Berlin leaves summer time
        instants = [change + timedelta(minutes=m) for m in range(-30 * 60, 30 * 60, 50)]
        placement = world.place()
        low, high = local_today(instants[0]) - DAY, local_today(instants[-1]) + DAY
        found = []
        for instant in instants:
            placement.created_at = instant
            db.session.flush()
            found.append(
                db.session.scalar(
                    sa.select(local_date(Placement.created_at, low, high)).where(
                        Placement.id == placement.id
                    )
                )
            )
        assert found == [local_today(i) for i in instants]
    finally:
        app.config["BABEL_DEFAULT_TIMEZONE"] = "Asia/Tokyo"
