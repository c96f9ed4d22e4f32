"""The talent search's filters as SQL: the selects of user ids that are intersected (scores,
programs, past exchanges) and the conditions checked on each remaining user (hours).

Kept apart from ``talent.py`` (the page, its rows and the export), which builds the search from
these."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa

from hrfund.auth.models import User
from hrfund.training import hooks
from hrfund.training.models import (
    LanguageScore,
    RecordStatus,
    TrainingProgram,
    TrainingRecord,
)

if TYPE_CHECKING:
    from hrfund.training.talent import TalentQuery


def _score_conditions(query: TalentQuery) -> list[sa.ColumnElement[bool]]:
    """Everything a score must pass apart from its expiry (see ``score_ids``)."""
    conditions = [LanguageScore.taken_on <= query.today, LanguageScore.rejected_at.is_(None)]
    if not query.include_unverified:
        conditions.append(LanguageScore.verified.is_(True))
    if query.language_test:
        conditions.append(LanguageScore.test == query.language_test)
    if query.min_score is not None:
        conditions.append(LanguageScore.score >= query.min_score)
    return conditions


def score_ids(query: TalentQuery) -> sa.Select:
    """The holders of a score valid on the query's day: taken by then, and expiring that day or
    later, or never.

    As two selects, one per kind of expiry: each is one range of ``ix_language_scores_expiry``
    (test, expires_on, score), which reads the scores still valid and not the many expired ones
    (with the OR, PostgreSQL read every IELTS score of 6.5 or more, 44,000 of them, to keep
    5,600)."""
    conditions = _score_conditions(query)
    dated = sa.select(LanguageScore.user_id).where(
        *conditions, LanguageScore.expires_on >= query.today
    )
    lasting = sa.select(LanguageScore.user_id).where(
        *conditions, LanguageScore.expires_on.is_(None)
    )
    both = sa.union_all(dated, lasting).subquery("valid_scores")
    return sa.select(both.c.user_id)


def record_conditions(query: TalentQuery) -> list[sa.ColumnElement[bool]]:
    conditions = [
        TrainingRecord.status == RecordStatus.COMPLETED,
        TrainingRecord.rejected_at.is_(None),
    ]
    if not query.include_unverified:
        conditions.append(TrainingRecord.verified.is_(True))
    return conditions


def hours_condition(query: TalentQuery) -> sa.ColumnElement[bool] | None:
    """The user has completed programs (of the category), and at least ``min_hours`` of them:
    checked user by user (the user's records, from ``ix_training_records_user_status``), so
    that only the users the other filters leave are summed, not every record of the TMG.

    A record's hours are its own, or else its program's. Unverified included, every completed
    record counts, as before."""
    if not (query.category or query.min_hours is not None):
        return None
    hours = sa.func.coalesce(TrainingRecord.hours, TrainingProgram.hours)
    conditions = [
        TrainingRecord.user_id == User.id,
        TrainingRecord.status == RecordStatus.COMPLETED,
    ]
    if not query.include_unverified:
        # a verified record is never rejected (a check constraint): the condition changes no
        # result, and lets PostgreSQL answer from the index
        conditions += [TrainingRecord.verified.is_(True), TrainingRecord.rejected_at.is_(None)]
    if query.category:
        conditions.append(TrainingProgram.category == query.category)
    mine = (
        sa.select(sa.func.sum(hours))
        .select_from(TrainingRecord)
        .join(TrainingProgram, TrainingProgram.id == TrainingRecord.program_id)
        .where(*conditions)
        .correlate(User)
        .scalar_subquery()
    )
    # no record: the sum is NULL, and NULL >= 0 is not true (as the grouped select was)
    return mine >= (query.min_hours if query.min_hours is not None else 0)


def id_sets(query: TalentQuery) -> list[sa.Select]:
    """One select of user ids for each filter on scores, programs or past exchanges.

    The search is driven from these (far smaller than ``users``, and served by the partial
    indexes ``ix_language_scores_expiry`` and ``ix_training_records_talent``): their
    INTERSECT is the ids that pass every one, and only those users are read and sorted."""
    sets: list[sa.Select] = []
    if query.language_test or query.min_score is not None:
        sets.append(score_ids(query))
    for program_id in dict.fromkeys(query.program_ids):
        sets.append(
            sa.select(TrainingRecord.user_id).where(
                *record_conditions(query), TrainingRecord.program_id == program_id
            )
        )
    if query.has_exchange:
        sets.append(hooks.past_exchange_people())
    return sets
