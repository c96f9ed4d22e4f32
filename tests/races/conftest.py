"""One private PostgreSQL database for the races, the people and money they need, the racers.

Never the rolled-back ``db`` fixture: that binds every session to one connection, which the
racing threads would share, and nothing would race. Each round makes its own fresh objects
(an application, a placement, a nomination) and commits them for real.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from hrfund.extensions import db
from tests import factories
from tests.conftest import PG_URL, make_app
from tests.races import harness

THREAD_ROUNDS = 2
PROCESS_ROUNDS = 2
PLACEMENT_JPY = 300_000
TAKEN_ON = date(2026, 5, 1)


@pytest.fixture(scope="package")
def race_app(tmp_path_factory):
    if not PG_URL:
        pytest.skip("races need real PostgreSQL connections: set HRFUND_TEST_DATABASE_URL")
    app, cleanup = make_app(
        "postgresql",
        tmp_path_factory.mktemp("races"),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 12, "max_overflow": 4, "pool_timeout": 60},
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    cleanup()


@pytest.fixture(scope="package")
def world(race_app):
    """Cities, people by role, FY2026's outgoing and incoming lines funded, an open call."""
    from hrfund.fund import services as fund
    from tests.applications.conftest import build_setup

    with race_app.app_context():
        s = build_setup()
        fund.contribute(s.hr, 100_000_000, date(2026, 4, 1))
        fund.allocate(s.hr, 2026, "outgoing", 40_000_000)
        fund.allocate(s.hr, 2026, "incoming", 20_000_000)
        s.second_hr = factories.user(["hr"])
        db.session.commit()
        ids = {
            name: getattr(s, name).id
            for name in (
                "hr",
                "second_hr",
                "manager",
                "coordinator",
                "department",
                "seoul",
                "call",
            )
        }
    return World(race_app, ids)


@pytest.fixture(scope="package")
def process_racers(race_app):
    racers = harness.ProcessRacers(race_app.config["SQLALCHEMY_DATABASE_URI"], size=3)
    yield racers
    racers.close()


@pytest.fixture(params=["threads", "processes"])
def race(request, race_app):
    """``race(tasks)`` → results, through threads or through separate processes; with the
    number of rounds each mode runs."""
    if request.param == "threads":

        def run(tasks):
            return harness.race_in_threads(race_app, tasks)

        run.rounds = THREAD_ROUNDS
    else:
        racers = request.getfixturevalue("process_racers")

        def run(tasks):
            return racers.race(tasks)

        run.rounds = PROCESS_ROUNDS
    return run


class World:
    """Makes each round's fresh objects (committed) and reads the outcome back."""

    def __init__(self, app, ids: dict):
        self.app = app
        self.ids = ids

    def __getattr__(self, name):
        try:
            return self.ids[name]
        except KeyError:
            raise AttributeError(name) from None

    def _get(self, model, object_id):
        return db.session.get(model, object_id)

    # ------------------------------------------------------------ fresh objects

    def application(self, state: str = "endorsed") -> tuple[int, int]:
        """A new employee's application in ``state`` (draft, submitted or endorsed): (its id,
        the applicant's id)."""
        from hrfund.applications import services
        from hrfund.applications.models import Call
        from hrfund.auth.models import User
        from hrfund.org.models import Department
        from hrfund.training.models import LanguageTest
        from hrfund.training.records import add_language_score
        from tests.applications.conftest import INSIDE

        with self.app.app_context():
            hr, manager = self._get(User, self.hr), self._get(User, self.manager)
            person = factories.user(
                ["employee"],
                department=self._get(Department, self.department),
                joined_on=date(2015, 4, 1),
            )
            add_language_score(
                hr, person, test=LanguageTest.IELTS.value, score="7.0", taken_on=date(2025, 11, 1)
            )
            application = services.create_application(
                person,
                self._get(Call, self.call),
                preferences=["SEL"],
                statement="都市づくりの知見を深めたい。",
                start_on=harness.START_ON,
                end_on=harness.END_ON,
                travel_jpy=100_000,
                stipend_jpy=200_000,
                housing_jpy=200_000,
            )
            if state != "draft":
                services.submit_application(person, application, now=INSIDE)
            if state == "endorsed":
                services.endorse_application(manager, application)
            db.session.commit()
            return application.id, person.id

    def placement(self, state: str = "proposed") -> int:
        """A new outgoing placement to Seoul with ¥300,000 committed, moved on to ``state``."""
        from hrfund.auth.models import User
        from hrfund.org.models import PartnerCity
        from hrfund.placements import services

        with self.app.app_context():
            hr, coordinator = self._get(User, self.hr), self._get(User, self.coordinator)
            placement = services.create_outgoing_placement(
                hr,
                person=factories.user(["employee"]),
                city=self._get(PartnerCity, self.seoul),
                start_on=harness.START_ON,
                end_on=harness.END_ON,
                amount_jpy=PLACEMENT_JPY,
            )
            if state in ("confirmed", "active"):
                services.confirm_placement(coordinator, placement, host_office="Seoul City Hall")
            if state == "active":
                services.start_placement(hr, placement)
            db.session.commit()
            return placement.id

    def paid_and_completed(self, paid_jpy: int) -> tuple[int, int]:
        """A placement paid ``paid_jpy`` (consumed from its commitment), then completed."""
        from hrfund.auth.models import User
        from hrfund.fund import services as fund
        from hrfund.placements import services
        from hrfund.placements.models import Placement

        placement_id = self.placement("active")
        with self.app.app_context():
            hr = self._get(User, self.hr)
            payment = fund.disburse(
                hr, paid_on=date(2026, 10, 5), amount_jpy=paid_jpy, placement_id=placement_id
            )
            services.complete_placement(hr, self._get(Placement, placement_id), confirm_early=True)
            db.session.commit()
            return placement_id, payment.id

    def report(self) -> int:
        """A mid-term report submitted by the employee of a new active placement."""
        from hrfund.placements import milestones
        from hrfund.placements.models import Placement

        placement_id = self.placement("active")
        with self.app.app_context():
            placement = self._get(Placement, placement_id)
            report = milestones.submit_report(
                placement.person, placement, "mid_term", "Three months in Seoul."
            )
            db.session.commit()
            return report.id

    def unverified_score(self) -> int:
        """A language score a new employee entered themselves (HR has not verified it)."""
        from hrfund.training.models import LanguageTest
        from hrfund.training.records import add_language_score

        with self.app.app_context():
            person = factories.user(["employee"])
            score = add_language_score(
                person, person, test=LanguageTest.IELTS.value, score="7.5", taken_on=TAKEN_ON
            )
            db.session.commit()
            return score.id

    def nomination(self) -> int:
        from hrfund.auth.models import User
        from hrfund.placements import nominations

        # made a month before the stay: a nomination's dates lie in the future
        with self.app.app_context(), time_machine.travel(harness.START_ON - timedelta(days=30)):
            nomination = nominations.nominate(
                self._get(User, self.coordinator),
                name="Kim Jiwoo",
                email=f"guest-{uuid.uuid4().hex[:8]}@seoul.example",
                position="Urban planner",
                start_on=harness.START_ON,
                end_on=harness.END_ON,
            )
            db.session.commit()
            return nomination.id

    # ------------------------------------------------------------ reading back

    def events(self, object_type: str, object_id: int, actions, prefix=None) -> list[str]:
        """The history events of ``actions`` (named ``<prefix>.<action>``, the prefix being
        the object type unless given) that the object has."""
        from hrfund.core.audit import AuditEvent

        prefix = prefix or object_type
        with self.app.app_context():
            rows = db.session.scalars(
                sa.select(AuditEvent.action).where(
                    AuditEvent.object_type == object_type,
                    AuditEvent.object_id == str(object_id),
                    AuditEvent.action.in_([f"{prefix}.{a}" for a in actions]),
                )
            ).all()
            db.session.remove()
            return list(rows)

    def state(self, model_name: str, object_id: int) -> str:
        from tests.races.harness import _model

        with self.app.app_context():
            value = self._get(_model(model_name), object_id).status.value
            db.session.remove()
            return value

    def books(self) -> dict:
        """Check the money of every placement and line, and return FY2026's line figures.

        - each line's figures (SQL sums) equal the entries summed by hand;
        - each line's committed is the sum of its placements' open commitments;
        - a closed placement (completed, declined, cancelled) holds no open commitment;
        - an application has at most one placement, and only an approved one has any.
        """
        from hrfund.applications.models import Application, ApplicationStatus
        from hrfund.fund import services as fund
        from hrfund.fund.models import Category
        from hrfund.placements.models import Placement, PlacementStatus
        from tests.fund.helpers import sums_by_hand

        closed = {PlacementStatus.COMPLETED, PlacementStatus.DECLINED, PlacementStatus.CANCELLED}
        with self.app.app_context():
            summary = fund.summary(2026)
            placements = db.session.scalars(sa.select(Placement)).all()
            totals = fund.placement_totals(p.id for p in placements)
            open_by_id = {pid: t.committed_jpy for pid, t in totals.items()}
            for p in placements:
                if p.status in closed:
                    assert open_by_id[p.id] == 0, (p.id, p.status, open_by_id[p.id])
            lines = {}
            for category in (Category.OUTGOING, Category.INCOMING):
                figures = summary.lines[category].as_dict()
                assert figures == sums_by_hand(summary.line_ids[category])
                direction = "outgoing" if category == Category.OUTGOING else "incoming"
                held = sum(open_by_id[p.id] for p in placements if p.direction.value == direction)
                assert figures["committed_jpy"] == held, (category, figures, held)
                assert figures["available_jpy"] >= 0
                lines[category.value] = figures
            per_application = {}
            for p in placements:
                if p.application_id is not None:
                    per_application.setdefault(p.application_id, []).append(p.id)
            for application_id, ids in per_application.items():
                status = db.session.get(Application, application_id).status
                assert len(ids) == 1, (application_id, ids)
                assert status == ApplicationStatus.APPROVED, (application_id, status)
            db.session.remove()
            return lines
