"""The SQL form of a call's rules (for filtering lists) says yes for exactly the people that
``eligibility()`` says yes for, edge by edge: the day of the service anniversary (29 February
included), expiry on the day, unverified entries, scores below the minimum."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from hrfund.auth.models import User
from hrfund.training.eligibility import eligibility, eligible_condition, latest_start_for
from hrfund.training.models import (
    LanguageScore,
    ProgramCategory,
    RecordSource,
    RecordStatus,
    TrainingProgram,
    TrainingRecord,
)
from tests import factories

ON = date(2028, 2, 29)
VERIFIED_AT = datetime(2027, 6, 2, tzinfo=UTC)


def _score(user, score, *, verified=True, taken_on=date(2027, 6, 1), expires_on=None, test="ielts"):
    return LanguageScore(
        user_id=user.id,
        test=test,
        score=Decimal(score),
        taken_on=taken_on,
        expires_on=expires_on,
        verified=verified,
        verified_at=VERIFIED_AT if verified else None,
    )


def _record(user, program, *, verified=True, completed_on=date(2026, 5, 1), expires_on=None):
    return TrainingRecord(
        user_id=user.id,
        program_id=program.id,
        status=RecordStatus.COMPLETED,
        completed_on=completed_on,
        expires_on=expires_on,
        verified=verified,
        verified_at=VERIFIED_AT if verified else None,
        source=RecordSource.HR,
    )


@pytest.fixture
def population(db):
    program = TrainingProgram(
        code="CCU-1",
        title_ja="異文化理解研修",
        title_en="Cross-cultural understanding",
        category=ProgramCategory.CROSS_CULTURAL,
        hours=Decimal(12),
    )
    db.session.add(program)
    db.session.flush()
    people = {
        name: factories.user(["employee"], joined_on=joined)
        for name, joined in {
            "anniversary_on_feb_28": date(2025, 2, 28),
            "one_day_short": date(2025, 3, 1),
            "no_start_date": None,
            "veteran": date(2001, 4, 1),
            "veteran_unverified": date(2001, 4, 1),
            "veteran_low_score": date(2001, 4, 1),
            "veteran_expired": date(2001, 4, 1),
            "veteran_expires_today": date(2001, 4, 1),
            "veteran_future_test": date(2001, 4, 1),
            "veteran_other_test": date(2001, 4, 1),
        }.items()
    }
    add = db.session.add_all
    add([_score(people["anniversary_on_feb_28"], "7.0"), _score(people["one_day_short"], "8.0")])
    add(
        [
            _score(people["veteran"], "6.5"),
            _score(people["veteran"], "5.0", taken_on=date(2026, 1, 10)),
        ]
    )
    add([_score(people["veteran_unverified"], "8.5", verified=False)])
    add([_score(people["veteran_low_score"], "6.0")])
    add([_score(people["veteran_expired"], "7.5", expires_on=date(2028, 2, 28))])
    add([_score(people["veteran_expires_today"], "7.5", expires_on=ON)])
    add([_score(people["veteran_future_test"], "9.0", taken_on=date(2028, 3, 1))])
    add([_score(people["veteran_other_test"], "990", test="toeic")])
    add(
        [
            _record(people["veteran"], program),
            _record(people["veteran_low_score"], program),
            _record(people["veteran_unverified"], program, verified=False),
            _record(people["veteran_expired"], program, expires_on=date(2028, 2, 28)),
            _record(people["veteran_expires_today"], program, expires_on=ON),
            _record(people["anniversary_on_feb_28"], program, completed_on=date(2028, 3, 1)),
        ]
    )
    db.session.flush()
    return program, people


def _rule_sets(program):
    return {
        "none": {},
        "years": {"min_years_of_service": 3},
        "language": {"language": {"test": "ielts", "min_score": "6.5"}},
        "programs": {"required_programs": [program.id]},
        "all": {
            "min_years_of_service": 3,
            "language": {"test": "ielts", "min_score": "6.5"},
            "required_programs": [program.id],
        },
    }


@pytest.mark.parametrize("rules_name", ["none", "years", "language", "programs", "all"])
def test_sql_condition_agrees_with_eligibility_person_by_person(db, population, rules_name):
    program, people = population
    rules = _rule_sets(program)[rules_name]
    ids = [p.id for p in people.values()]
    by_sql = set(
        db.session.scalars(
            sa.select(User.id).where(User.id.in_(ids), eligible_condition(User.id, rules, ON))
        )
    )
    by_service = {p.id for p in people.values() if eligibility(p, rules, ON).eligible}
    names = {p.id: name for name, p in people.items()}
    assert sorted(names[i] for i in by_sql) == sorted(names[i] for i in by_service)


def test_the_population_tells_the_rules_apart(db, population):
    """Guard against an agreement that holds only because nobody passes or everybody does."""
    program, people = population
    rules = _rule_sets(program)
    passing = {
        name: {n for n, p in people.items() if eligibility(p, rules[name], ON).eligible}
        for name in rules
    }
    assert passing["all"] == {"veteran", "veteran_expires_today"}
    assert "anniversary_on_feb_28" in passing["years"]
    assert "one_day_short" not in passing["years"]
    assert len(passing["none"]) == len(people)


def test_latest_start_on_leap_day():
    assert latest_start_for(3, date(2028, 2, 29)) == date(2025, 2, 28)
    assert latest_start_for(4, date(2028, 2, 29)) == date(2024, 2, 29)
    assert latest_start_for(0, date(2026, 12, 1)) == date(2026, 12, 1)
