"""Rules of training on SQLite and PostgreSQL: expiry, verification, eligibility, capacity."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from hrfund.core.errors import Conflict, NotAllowed, ValidationFailed
from hrfund.core.fiscal import tokyo_today
from hrfund.training import records, services
from hrfund.training.eligibility import eligibility
from hrfund.training.models import RecordStatus, TrainingSession
from tests import factories

TODAY = tokyo_today()  # the date the services take for today


@pytest.fixture
def hr(db):
    return factories.user(roles=["hr", "employee"])


@pytest.fixture
def employee(db):
    return factories.user(joined_on=TODAY - timedelta(days=365 * 6), employee_number="E1001")


def ielts(actor, user, score="6.5", taken_on=None, **kw):
    return records.add_language_score(
        actor,
        user,
        test="ielts",
        score=score,
        taken_on=taken_on or TODAY - timedelta(days=30),
        **kw,
    )


def test_employee_score_is_unverified_and_hr_score_verified(hr, employee):
    own = ielts(employee, employee)
    assert own.verified is False and own.verified_at is None
    by_hr = records.add_language_score(
        hr, employee, test="toeic", score=900, taken_on=TODAY - timedelta(days=3)
    )
    assert by_hr.verified is True and by_hr.verified_by_id == hr.id
    # IELTS and TOEIC results are valid for two years unless an expiry is given
    assert own.expires_on == records.add_years(own.taken_on, 2)


def test_employee_cannot_add_for_someone_else(employee):
    other = factories.user()
    with pytest.raises(NotAllowed):
        ielts(employee, other)


@pytest.mark.parametrize("score", ["6.3", "9.5", "-1", "abc"])
def test_ielts_score_must_be_a_half_band(employee, score):
    with pytest.raises(ValidationFailed) as error:
        ielts(employee, employee, score=score)
    assert "score" in error.value.fields


def test_other_test_needs_a_name(employee):
    with pytest.raises(ValidationFailed) as error:
        records.add_language_score(employee, employee, test="other", score=50, taken_on=TODAY)
    assert "test_name" in error.value.fields


def test_duplicate_score_is_a_conflict(employee):
    ielts(employee, employee, taken_on=TODAY - timedelta(days=5))
    with pytest.raises(Conflict):
        ielts(employee, employee, taken_on=TODAY - timedelta(days=5))


RULES = {"language": {"test": "ielts", "min_score": "6.5"}}


def en(result) -> list[str]:
    with force_locale("en"):
        return result.reasons


def test_unverified_score_does_not_count_until_hr_verifies(hr, employee):
    score = ielts(employee, employee, score="7.0")
    result = eligibility(employee, RULES)
    assert not result.eligible
    assert [u.rule for u in result.unmet] == ["language"]
    assert "not verified" in en(result)[0]
    records.verify_score(hr, score)
    assert eligibility(employee, RULES).eligible


def test_expired_score_does_not_count(hr, employee):
    ielts(
        hr,
        employee,
        score="8.0",
        taken_on=TODAY - timedelta(days=800),
        expires_on=TODAY - timedelta(days=1),
    )
    result = eligibility(employee, RULES)
    assert not result and "expired" in en(result)[0]
    # on a date when it was still valid, it counts; the expiry date itself is the last valid day
    assert eligibility(employee, RULES, on=TODAY - timedelta(days=1)).eligible
    assert not eligibility(employee, RULES, on=TODAY - timedelta(days=801)).eligible


def test_score_below_minimum_names_best_score(hr, employee):
    ielts(hr, employee, score="6.0")
    result = eligibility(employee, RULES)
    assert "score is 6." in en(result)[0] and "6.5 or more" in en(result)[0]
    assert result.unmet[0].details["best_verified"] == "6.0"


def test_every_unmet_rule_has_its_own_translatable_reason(hr, make_program):
    newcomer = factories.user(joined_on=TODAY - timedelta(days=400))
    program = make_program()
    rules = {
        "min_years_of_service": 3,
        "language": {"test": "toeic", "min_score": 800},
        "required_programs": [program.id],
    }
    result = eligibility(newcomer, rules)
    assert [u.rule for u in result.unmet] == [
        "min_years_of_service",
        "language",
        "required_programs",
    ]
    assert "you have 1" in en(result)[0]
    with force_locale("ja"):
        japanese = result.reasons
    assert all(
        any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)
        for text in japanese
    ), japanese
    assert program.title_ja in japanese[2]
    body = result.as_dict()
    assert body["eligible"] is False and len(body["unmet"]) == 3


def test_required_program_counts_only_when_completed_and_verified(hr, employee, make_program):
    program = make_program()
    rules = {"required_programs": [program.id]}
    own = records.record_training(
        employee, employee, program, status="completed", completed_on=TODAY - timedelta(days=10)
    )
    assert not eligibility(employee, rules).eligible
    records.verify_record(hr, own)
    assert eligibility(employee, rules).eligible


def test_no_start_date_is_a_reason(employee):
    nobody = factories.user()
    result = eligibility(nobody, {"min_years_of_service": 1})
    assert not result and "no start date" in en(result)[0]
    assert eligibility(employee, {"min_years_of_service": 5}).eligible


def test_invalid_rules_are_refused(employee):
    with pytest.raises(ValidationFailed):
        eligibility(employee, {"language": {"test": "klingon", "min_score": 1}})


def test_completed_needs_a_date_and_duplicate_is_conflict(hr, employee, make_program):
    program = make_program()
    with pytest.raises(ValidationFailed) as error:
        records.record_training(hr, employee, program, status="completed")
    assert "completed_on" in error.value.fields
    records.record_training(hr, employee, program, status="completed", completed_on=TODAY)
    with pytest.raises(Conflict):
        records.record_training(hr, employee, program, status="completed", completed_on=TODAY)


def test_capacity_is_respected_and_cancel_frees_the_seat(hr, make_program):
    program = make_program()
    session = services.create_session(hr, program, starts_on=TODAY, ends_on=TODAY, capacity=1)
    first, second = factories.user(), factories.user()
    record = services.enrol(first, session)
    assert session.seats_left == 0
    with pytest.raises(Conflict):
        services.enrol(second, session)
    services.cancel_enrolment(first, record)
    assert record.status == RecordStatus.CANCELLED
    services.enrol(second, session)
    db_session = services.db.session
    db_session.expire_all()
    assert db_session.get(TrainingSession, session.id).enrolled_count == 1


def test_no_enrolment_once_started_or_withdrawn(hr, make_program):
    from hrfund.core.errors import InvalidTransition

    program = make_program()
    started = services.create_session(
        hr, program, starts_on=TODAY - timedelta(days=1), ends_on=TODAY, capacity=5
    )
    with pytest.raises(InvalidTransition):
        services.enrol(factories.user(), started)
    upcoming = services.create_session(
        hr,
        program,
        starts_on=TODAY + timedelta(days=7),
        ends_on=TODAY + timedelta(days=7),
        capacity=5,
    )
    services.enrol(factories.user(), upcoming)  # starts later: open
    program.active = False
    with pytest.raises(InvalidTransition):
        services.enrol(factories.user(), upcoming)
    assert upcoming.enrolled_count == 1


def test_one_cannot_enrol_twice(hr, make_program):
    program = make_program()
    session = services.create_session(hr, program, starts_on=TODAY, ends_on=TODAY, capacity=5)
    person = factories.user()
    services.enrol(person, session)
    with pytest.raises(Conflict):
        services.enrol(person, session)


@pytest.mark.postgres_only
def test_concurrent_enrolments_never_exceed_capacity(backend, tmp_path):
    """Real concurrent transactions on PostgreSQL (a private database): 8 people, 3 seats."""
    if backend != "postgresql":
        pytest.skip("needs real concurrent connections (PostgreSQL)")
    from hrfund.auth.models import User
    from hrfund.extensions import db
    from tests.conftest import make_app

    app, cleanup = make_app("postgresql", tmp_path)
    try:
        with app.app_context():
            hr_user = factories.user(roles=["hr"])
            ids = [factories.user().id for _ in range(8)]
            program = services.create_program(
                None, title_en="Race", title_ja="競争", category="seminar", hours=Decimal(1)
            )
            session = services.create_session(
                hr_user, program, starts_on=TODAY, ends_on=TODAY, capacity=3
            )
            db.session.commit()
            session_id = session.id
        results: list[str] = []
        barrier = threading.Barrier(len(ids))

        def attempt(user_id):
            with app.app_context():
                user = db.session.get(User, user_id)
                target = db.session.get(TrainingSession, session_id)
                barrier.wait()
                try:
                    services.enrol(user, target)
                    db.session.commit()
                    results.append("ok")
                except Conflict:
                    db.session.rollback()
                    results.append("full")

        threads = [threading.Thread(target=attempt, args=(i,)) for i in ids]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == ["full"] * 5 + ["ok"] * 3
        with app.app_context():
            assert db.session.get(TrainingSession, session_id).enrolled_count == 3
            assert (
                db.session.scalar(
                    sa.select(sa.func.count()).select_from(sa.table("training_records"))
                )
                == 3
            )
            db.engine.dispose()
    finally:
        if cleanup:
            cleanup()


def test_hr_recording_an_enrolments_completion_verifies_it(hr, make_program):
    program = make_program()
    session = services.create_session(hr, program, starts_on=TODAY, ends_on=TODAY, capacity=2)
    person = factories.user()
    record = services.enrol(person, session)
    assert record.verified is False
    records.update_record(hr, record, status="completed", completed_on=TODAY)
    assert record.verified is True and record.verified_by_id == hr.id
    assert eligibility(person, {"required_programs": [program.id]}, on=TODAY).eligible


def test_a_score_of_zero_is_a_score_on_the_page(login_as):
    client = login_as("employee", locale="en")
    response = client.post(
        "/training/scores/new",
        data={
            "test": "other",
            "test_name": "社内英語テスト",
            "score": "0",
            "taken_on": (TODAY - timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
