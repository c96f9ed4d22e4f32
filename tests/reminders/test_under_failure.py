"""Reminders under failure, on one PostgreSQL database that gunicorn serves meanwhile, with mail
captured by a real aiosmtpd server (issue 17):

- four dispatchers in four processes, the scheduler down across a due time: one reminder each
  after the restart, none lost, none twice, while people read their notifications through
  gunicorn;
- a dispatcher killed (SIGKILL) between its committed claims and the first send: the others take
  the claims over once they time out; 0 lost, 0 duplicated;
- partner cities' daylight-saving changes (Berlin, New York), dispatching every half hour across
  them: one reminder per due date.

One data set, with a group of people per case whose due dates never overlap another case's; the
processes are started once for the module, while the data set is made; the dispatchers are
forked from a server that imported hrfund once (tests/reminders/dispatcher.py).
"""

from __future__ import annotations

import html
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import requests
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask_migrate import upgrade

from hrfund import create_app
from hrfund.extensions import db as _db
from hrfund.placements.models import Direction, Placement
from hrfund.reminders.jobs import dispatch_reminders
from tests import factories, smtp_guard
from tests.conftest import PG_URL, TEST_PASSWORD, create_pg_database, drop_pg_database
from tests.live import Processes, environment, wait_for, wait_until_serving
from tests.reminders.conftest import Inbox, at, free_port

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not PG_URL, reason="several processes need PostgreSQL"),
    pytest.mark.xdist_group("live-processes"),
]
DISPATCHERS = 4
# Seconds before another dispatcher takes over a dead one's claims, in the kill case only: the
# other cases keep the default (600 s), for a claim taken over while its sender is still busy
# sending is sent twice (the price of never losing one), and this machine may be slow.
CLAIM_TIMEOUT = 3
START_A = date(2027, 3, 1)  # the scheduler-down case: placement_start_30 due from 2027-01-30
START_B = date(2028, 3, 1)  # the kill case
# Daylight-saving changes (UTC instants) and the zone that changes. Dispatches every hour, 13
# hours either side of each (and a minute either side of it), span two Tokyo dates: a placement
# starts 7 days after each, so that placement_start_7 falls due on both dates of the span.
SPAN = 13
DST = [
    ("Europe/Berlin", datetime(2027, 3, 28, 1, 0, tzinfo=UTC)),
    ("America/New_York", datetime(2027, 3, 14, 7, 0, tzinfo=UTC)),
    ("Europe/Berlin", datetime(2027, 10, 31, 1, 0, tzinfo=UTC)),
]


def _span_days(change: datetime) -> list[date]:
    """The two Tokyo dates of the dispatches around ``change``."""
    tokyo = at(START_A).tzinfo
    return [(change + timedelta(hours=h)).astimezone(tokyo).date() for h in (-SPAN, SPAN)]


def _placement(city, person, start_on: date) -> None:
    _db.session.add(
        Placement(
            direction=Direction.OUTGOING,
            city_id=city.id,
            person_id=person.id,
            start_on=start_on,
            end_on=start_on + timedelta(days=180),
            fiscal_year=start_on.year,
        )
    )


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("under-failure")
    inbox, port = Inbox(), free_port()
    smtp_guard.allow(port)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    mail = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_TIMEOUT": 5}
    name = f"hrfund_test_{uuid.uuid4().hex[:8]}"
    url = create_pg_database(name)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, **mail})
    with app.app_context():
        upgrade(revision="heads")
    # gunicorn and the dispatchers start while the data set is made
    processes = Processes(tmp)
    env = environment(url, **mail)
    base = processes.gunicorn("gunicorn", env)
    dispatchers = [processes.dispatcher(env) for _ in range(DISPATCHERS)]
    groups: dict[str, list[str]] = {}
    with app.app_context():
        seoul, berlin = factories.city("SEL"), factories.city("BER")
        new_york = factories.city("NYC", name_en="New York", timezone="America/New_York")
        cities = {"Europe/Berlin": berlin, "America/New_York": new_york}
        for name, start_on, count in (("a", START_A, 16), ("b", START_B, 8)):
            people = [factories.user(["employee"]) for _ in range(count)]
            for person in people:
                _placement(seoul, person, start_on)
            groups[name] = [p.email for p in people]
        for zone, change in DST:
            person = factories.user(["employee"], timezone=zone)
            for day in _span_days(change):
                _placement(cities[zone], person, day + timedelta(days=7))
            groups.setdefault("dst", []).append(person.email)
        _db.session.commit()
        _db.session.remove()
    try:
        wait_until_serving(base)
        for dispatcher in dispatchers:
            dispatcher.ready()
        yield app, base, inbox, dispatchers, groups, processes
    finally:
        processes.stop_all()
        controller.stop()
        with app.app_context():
            _db.engine.dispose()
        drop_pg_database(name)


def _all_dispatch(dispatchers, instant) -> list[dict]:
    for dispatcher in dispatchers:
        dispatcher.dispatch(instant)
    return [dispatcher.result() for dispatcher in dispatchers]


def _received(inbox, emails) -> Counter:
    wanted = set(emails)
    return Counter(r for rcpts, _m in inbox.messages for r in rcpts if r in wanted)


def _rows(app, sql: str, **params) -> list:
    with app.app_context():
        rows = _db.session.execute(sa.text(sql), params).all()
        _db.session.remove()
        return rows


def _reader(base: str, email: str, stop: threading.Event, statuses: list) -> None:
    """A person signed in through gunicorn, reading their notifications until ``stop``."""
    with requests.Session() as session:
        response = session.post(
            base + "/login", data={"email": email, "password": TEST_PASSWORD}, timeout=30
        )
        statuses.append(response.status_code)
        while not stop.is_set():
            statuses.append(session.get(base + "/notifications", timeout=30).status_code)
            time.sleep(0.05)


def test_four_dispatchers_after_the_scheduler_was_down_while_gunicorn_serves(live):
    app, base, inbox, dispatchers, groups, processes = live
    people = groups["a"]
    # the last run before the due time: nothing due yet
    assert sum(r["sent"] for r in _all_dispatch(dispatchers, at(START_A - timedelta(days=31)))) == 0
    assert _received(inbox, people) == Counter()
    # the scheduler is down from 31 to 27 days before: the reminder became due 30 days before;
    # at the restart four dispatchers run at once while people use the site through gunicorn
    stop, statuses = threading.Event(), []
    readers = [
        threading.Thread(target=_reader, args=(base, email, stop, statuses)) for email in people[:4]
    ]
    for reader in readers:
        reader.start()
    try:
        results = _all_dispatch(dispatchers, at(START_A - timedelta(days=27)))
        # and the next run finds nothing more to send
        again = _all_dispatch(dispatchers, at(START_A - timedelta(days=26)))
    finally:
        stop.set()
        for reader in readers:
            reader.join(30)
    wait_for(lambda: sum(_received(inbox, people).values()) >= len(people), 10, "the mails")
    time.sleep(0.3)  # anything extra would arrive now
    received = _received(inbox, people)
    assert set(received) == set(people), processes.logs()
    assert received.most_common(1)[0][1] == 1, received.most_common(3)
    # e-mail and in-app: two per person, each claimed by exactly one of the four
    assert sum(r["sent"] for r in results) == 2 * len(people)
    assert sum(r["sent"] for r in again) == 0
    assert statuses and set(statuses) == {200}, Counter(statuses)
    rows = _rows(
        app,
        "SELECT d.status, d.channel, count(*) FROM reminder_deliveries d JOIN users u"
        " ON u.id = d.recipient_id WHERE u.email = ANY(:people) GROUP BY 1, 2",
        people=people,
    )
    assert sorted(tuple(r) for r in rows) == [
        ("sent", "email", len(people)),
        ("sent", "in_app", len(people)),
    ]
    # gunicorn shows the reminder to its reader
    title = _rows(
        app,
        "SELECT n.title FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.email = :e",
        e=people[0],
    )
    assert len(title) == 1
    with requests.Session() as session:
        session.post(base + "/login", data={"email": people[0], "password": TEST_PASSWORD})
        page = session.get(base + "/notifications").text
    assert html.escape(title[0][0]) in page


def test_a_kill_between_claim_and_send_loses_nothing_and_sends_nothing_twice(live):
    app, _base, inbox, dispatchers, groups, processes = live
    people, instant = groups["b"], at(START_B - timedelta(days=25))
    victim, others = dispatchers[-1], dispatchers[:-1]
    victim.pause_after_claim(30)
    victim.dispatch(instant)
    claimed_sql = (
        "SELECT count(*) FROM reminder_deliveries WHERE status = 'claimed' AND claimed_by LIKE :w"
    )
    wait_for(
        lambda: _rows(app, claimed_sql, w=f"%:{victim.pid}")[0][0] == len(people),
        20,
        "the victim's claims",
    )
    victim.kill()
    for other in others:
        other.configure("REMINDER_CLAIM_TIMEOUT_SECONDS", CLAIM_TIMEOUT)
    assert _received(inbox, people) == Counter()  # claimed, committed, not sent
    time.sleep(CLAIM_TIMEOUT + 0.2)  # the dead process's claims time out
    results = _all_dispatch(others, instant)
    wait_for(lambda: sum(_received(inbox, people).values()) >= len(people), 10, "the mails")
    time.sleep(0.3)
    received = _received(inbox, people)
    assert set(received) == set(people), processes.logs()
    assert received.most_common(1)[0][1] == 1, received.most_common(3)
    assert sum(r["sent"] for r in results) == len(people)  # the e-mails; in-app were written
    states = _rows(
        app,
        "SELECT d.status, count(*) FROM reminder_deliveries d JOIN users u ON u.id ="
        " d.recipient_id WHERE u.email = ANY(:people) AND d.channel = 'email' GROUP BY 1",
        people=people,
    )
    assert [tuple(r) for r in states] == [("sent", len(people))]


def test_daylight_saving_changes_in_partner_cities_give_one_reminder_per_due_date(live):
    app, _base, inbox, _dispatchers, groups, _processes = live
    with app.app_context():
        for _zone, change in DST:
            instants = [change + timedelta(hours=h) for h in range(-SPAN, SPAN + 1)]
            for instant in [
                *instants,
                change - timedelta(minutes=1),
                change + timedelta(minutes=1),
            ]:
                dispatch_reminders(instant, kinds={"placement_start"}, worker="dst")
                _db.session.remove()
    for email, (zone, change) in zip(groups["dst"], DST, strict=True):
        subjects = Counter(m["Subject"] for rcpts, m in inbox.messages if email in rcpts)
        rows = _rows(
            app,
            "SELECT d.due_on, r.code FROM reminder_deliveries d JOIN users u ON u.id ="
            " d.recipient_id JOIN reminder_rules r ON r.id = d.rule_id WHERE u.email = :e"
            " AND d.channel = 'email' AND d.status = 'sent'",
            e=email,
        )
        seven = sorted(due for due, code in rows if code == "placement_start_7")
        assert seven == [day + timedelta(days=7) for day in _span_days(change)], zone
        assert len(subjects) == len(rows) and set(subjects.values()) == {1}, (zone, subjects)
