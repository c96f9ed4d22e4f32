"""Two web servers and two schedulers against one PostgreSQL, with the limiter in Redis
(issue 17): two gunicorns (one worker each) and two ``flask scheduler run`` processes, in the
development settings (CSRF and the login limits on), with mail captured by aiosmtpd.

- An application's journey (apply, endorse, approve, confirm) with each person signing in on one
  server and acting on the other, through the web forms with their CSRF tokens, ends as the same
  journey through one server: the same states, history, money, notices and e-mails.
- Failed logins on A and on B add up in Redis: the address's limit answers 429 on either.
- The reminders due when the schedulers start go out exactly once, though both dispatch at once.

Skipped, saying why, only when PostgreSQL (HRFUND_TEST_DATABASE_URL) or Redis (127.0.0.1:6379)
cannot be reached; CI has both. About 25 s.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from datetime import timedelta

import pytest
import requests
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask_migrate import upgrade

from hrfund import create_app
from hrfund.applications import calls
from hrfund.core.fiscal import fiscal_year_of, tokyo_today
from hrfund.extensions import db as _db
from hrfund.fund import services as fund
from hrfund.placements.models import Direction, Placement
from tests import factories, smtp_guard
from tests.conftest import PG_URL, TEST_PASSWORD, create_pg_database, drop_pg_database
from tests.live import Processes, environment, free_port, wait_for, wait_until_serving
from tests.reminders.conftest import Inbox

REDIS_DB = 14  # this test's own database number: flushed before and after
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
REMINDED = 6  # people with a placement starting in 30 days: due when the schedulers start
FAILURES_ALLOWED = 3
START_IN = timedelta(days=60)  # the journey's placement starts this long from today


def _year() -> int:
    return fiscal_year_of(tokyo_today() + START_IN)


def _redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis is not reachable at 127.0.0.1:6379 ({error})")
    return client


pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not PG_URL, reason="two servers need PostgreSQL (HRFUND_TEST_DATABASE_URL)"),
    pytest.mark.xdist_group("live-processes"),
]


def _journey_cast(call_code: str) -> dict:
    """An HR officer, a manager and an employee of one department, Seoul's coordinator, and an
    open call: the people of one journey (inside an app context)."""
    department = factories.department(f"D-{call_code}")
    people = {
        "hr": factories.user(["hr", "employee"], department=factories.department(f"H-{call_code}")),
        "manager": factories.user(["manager", "employee"], department=department),
        "employee": factories.user(["employee"], department=department),
        "coordinator": factories.user(["coordinator"], city_code="SEL"),
    }
    today = tokyo_today()
    call = calls.create_call(
        people["hr"],
        title_ja=f"募集 {call_code}",
        title_en=f"Call {call_code}",
        fiscal_year=_year(),
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=20),
        slots=[{"city": "SEL", "positions": 2, "months": 3, "estimated_cost_jpy": 1_500_000}],
    )
    calls.open_call(people["hr"], call)
    return {"call": call.id} | {role: user.email for role, user in people.items()}


def _data(app) -> tuple[list[dict], list[str]]:
    """The schema; two journeys' people; placements whose reminders are due today."""
    with app.app_context():
        upgrade(revision="heads")
        hr = factories.user(["hr", "employee"])
        fund.contribute(hr, 10_000_000, tokyo_today())
        fund.allocate(hr, _year(), "outgoing", 5_000_000)
        casts = [_journey_cast("TWO"), _journey_cast("ONE")]
        seoul, start_on = factories.city("SEL"), tokyo_today() + timedelta(days=30)
        reminded = [factories.user(["employee"]) for _ in range(REMINDED)]
        for person in reminded:
            _db.session.add(
                Placement(
                    direction=Direction.OUTGOING,
                    city_id=seoul.id,
                    person_id=person.id,
                    start_on=start_on,
                    end_on=start_on + timedelta(days=90),
                    fiscal_year=fiscal_year_of(start_on),
                )
            )
        _db.session.commit()
        emails = [p.email for p in reminded]
        _db.session.remove()
    return casts, emails


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    if not PG_URL:
        pytest.skip("two servers need PostgreSQL (HRFUND_TEST_DATABASE_URL)")
    redis_client = _redis()
    redis_client.flushdb()
    tmp = tmp_path_factory.mktemp("two-servers")
    inbox, port = Inbox(), free_port()
    smtp_guard.allow(port)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    name = f"hrfund_test_{uuid.uuid4().hex[:8]}"
    url = create_pg_database(name)
    env = environment(
        url,
        HRFUND_ENV="development",
        SECRET_KEY="two-servers-" + uuid.uuid4().hex,
        HRFUND_INSTANCE_PATH=str(tmp),
        RATELIMIT_STORAGE_URI=REDIS_URL,
        LOGIN_RATE_LIMIT=f"{FAILURES_ALLOWED} per minute",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
    )
    # the web servers start while the database is migrated; the schedulers once the data is in
    processes = Processes(tmp)
    bases = [processes.gunicorn(f"gunicorn-{s}", env) for s in "ab"]
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    try:
        casts, reminded = _data(app)
        for s in "ab":
            processes.scheduler(f"scheduler-{s}", env)
        for base in bases:
            wait_until_serving(base)
        # both schedulers' first dispatch (the reminders due, and HR's daily digest) is over
        # before the journeys, whose notices are counted
        logs = [p.log_path for p in processes.started if "scheduler" in p.log_path.name]
        wait_for(
            lambda: all(b"reminders dispatched" in log.read_bytes() for log in logs),
            60,
            "both schedulers' first dispatch",
        )
        yield app, bases, inbox, casts, reminded, processes
    finally:
        processes.stop_all()
        controller.stop()
        redis_client.flushdb()
        with app.app_context():
            _db.engine.dispose()
        drop_pg_database(name)


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Person:
    """A browser: one cookie jar, used on whichever server it is sent to."""

    def __init__(self, email: str):
        self.email = email
        self.session = requests.Session()

    def token(self, url: str) -> str:
        page = self.session.get(url, timeout=30)
        assert page.status_code == 200, (url, page.status_code)
        match = CSRF.search(page.text)
        assert match, f"no CSRF token on {url}"
        return match.group(1)

    def login(self, base: str) -> None:
        data = {"email": self.email, "password": TEST_PASSWORD}
        data["csrf_token"] = self.token(base + "/login")
        response = self.session.post(base + "/login", data=data, allow_redirects=False)
        assert response.status_code == 302, response.text[:500]

    def post(self, base: str, form_page: str, action: str, **data) -> requests.Response:
        """The form on ``form_page`` filled with ``data`` and sent to ``action``, on ``base``."""
        data["csrf_token"] = self.token(base + form_page)
        response = self.session.post(base + action, data=data, allow_redirects=False, timeout=30)
        assert response.status_code in (302, 303), (action, response.status_code)
        return response


ROLES = ("employee", "manager", "hr", "coordinator")


def _told(app, inbox, cast: dict) -> dict:
    """Notifications in the app and e-mails received, by role of ``cast`` (once every claimed
    e-mail has gone out)."""
    sql = "SELECT count(*) FROM reminder_deliveries WHERE status = 'claimed'"
    wait_for(lambda: _scalar(app, sql) == 0, 10, "the notice e-mails")
    notices = (
        "SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.email = :e"
    )
    return {
        role: (_scalar(app, notices, e=cast[role]), _mails(inbox, [cast[role]]).total())
        for role in ROLES
    }


def _scalar(app, sql: str, **params):
    with app.app_context():
        value = _db.session.execute(sa.text(sql), params).scalar()
        _db.session.remove()
    return value


def _journey(app, inbox, cast: dict, login_on: str, act_on: str) -> dict:
    """Apply, endorse, approve, confirm; each person signs in on ``login_on`` and acts on
    ``act_on``. Returns what came of it, in terms that do not depend on ids or names: states,
    history, ledger entries, and the notices and e-mails each role got during the journey."""
    before = _told(app, inbox, cast)
    employee, manager, hr, coordinator = (
        Person(cast[r]) for r in ("employee", "manager", "hr", "coordinator")
    )
    start = tokyo_today() + START_IN
    dates = {"start_on": start.isoformat(), "end_on": (start + timedelta(days=80)).isoformat()}
    employee.login(login_on)
    applied = employee.post(
        act_on,
        f"/calls/{cast['call']}/apply",
        f"/calls/{cast['call']}/apply",
        preference_1="SEL",
        statement="ソウルの都市計画を学びたい。",
        travel_jpy="200000",
        stipend_jpy="500000",
        housing_jpy="300000",
        submit_application="submit",
        **dates,
    )
    application = int(re.search(r"/applications/(\d+)", applied.headers["Location"]).group(1))
    page = f"/applications/{application}"
    manager.login(login_on)
    manager.post(act_on, page, f"{page}/endorse", comment="推薦します")
    hr.login(login_on)
    hr.post(act_on, f"{page}/approve", f"{page}/approve", city="SEL", amount_jpy="1000000", **dates)
    with app.app_context():
        placement = _db.session.execute(
            sa.text("SELECT placement_id FROM applications WHERE id = :i"), {"i": application}
        ).scalar()
        _db.session.remove()
    coordinator.login(login_on)
    coordinator.post(
        act_on,
        f"/placements/{placement}",
        f"/placements/{placement}/confirm",
        host_office="Seoul Metropolitan Government",
        host_supervisor="Kim",
    )
    after = _told(app, inbox, cast)
    told = {
        role: tuple(n - m for n, m in zip(after[role], before[role], strict=True)) for role in ROLES
    }
    return _outcome(app, application, placement) | {"told": told}


def _outcome(app, application: int, placement: int) -> dict:
    with app.app_context():
        run = lambda sql, **p: _db.session.execute(sa.text(sql), p).all()  # noqa: E731
        outcome = {
            "application": run("SELECT status FROM applications WHERE id = :i", i=application),
            "placement": run("SELECT status FROM placements WHERE id = :i", i=placement),
            "history": run(
                "SELECT action FROM audit_events WHERE object_id IN (:a, :p) AND object_type IN"
                " ('applications', 'placements') ORDER BY id",
                a=str(application),
                p=str(placement),
            ),
            "committed": run(
                "SELECT kind, amount_jpy FROM fund_entries WHERE placement_id = :p ORDER BY id",
                p=placement,
            ),
        }
        _db.session.remove()
    return outcome


def _mails(inbox, emails) -> Counter:
    return Counter(r for rcpts, _m in inbox.messages for r in rcpts if r in set(emails))


def test_a_journey_through_two_servers_ends_as_through_one(servers):
    app, (a, b), inbox, (two, one), _reminded, processes = servers
    through_two = _journey(app, inbox, two, login_on=a, act_on=b)
    through_one = _journey(app, inbox, one, login_on=a, act_on=a)
    assert through_two == through_one, processes.logs()
    assert through_two["application"] == [("approved",)]
    assert through_two["placement"] == [("confirmed",)]
    assert sum(n + m for n, m in through_two["told"].values()) > 0, through_two["told"]
    subjects = Counter((r, m["Subject"]) for rcpts, m in inbox.messages for r in rcpts)
    assert set(subjects.values()) == {1}, subjects.most_common(3)


def test_failed_logins_on_both_servers_add_up_in_redis(servers):
    _app, (a, b), _inbox, _casts, _reminded, _processes = servers
    statuses = []
    for attempt, base in enumerate([a, b, a, b, a]):
        person = Person(f"nobody{attempt}-{uuid.uuid4().hex[:6]}@metro.tokyo.example")
        data = {"email": person.email, "password": "wrong-password-1"}
        data["csrf_token"] = person.token(base + "/login")
        statuses.append(person.session.post(base + "/login", data=data).status_code)
    # three failures from this address, counted together whichever server saw them
    assert 429 not in statuses[:FAILURES_ALLOWED], statuses
    assert statuses[FAILURES_ALLOWED:] == [429, 429], statuses


def test_reminders_due_at_the_schedulers_start_go_out_once(servers):
    app, _bases, inbox, _casts, reminded, processes = servers
    wait_for(lambda: _mails(inbox, reminded).total() >= len(reminded), 10, "the reminders")
    received = _mails(inbox, reminded)
    assert set(received) == set(reminded), processes.logs()
    assert set(received.values()) == {1}, received
    with app.app_context():
        states = _db.session.execute(
            sa.text(
                "SELECT status, count(*) FROM reminder_deliveries d JOIN users u"
                " ON u.id = d.recipient_id WHERE u.email = ANY(:e) GROUP BY 1"
            ),
            {"e": reminded},
        ).all()
        _db.session.remove()
    assert [tuple(s) for s in states] == [("sent", 2 * len(reminded))]  # e-mail and in-app
