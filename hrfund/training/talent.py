"""The talent pool: HR finds globally minded staff by scores, programs, hours and department.

The filters on scores, records and past exchanges are selects of user ids, intersected, and
only the users they leave are read and sorted by name; so a page is one (capped) COUNT and one
SELECT, and the scores and programs shown for that page are two more queries, whatever the size
of the tables. By default only verified scores and records count; ``include_unverified`` widens
the search to employees' own unverified entries (shown as such).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from hrfund.auth.models import Role, User, UserRole
from hrfund.auth.services import user_search
from hrfund.core.errors import ValidationFailed
from hrfund.core.fiscal import tokyo_today
from hrfund.core.inputs import parse_id
from hrfund.core.pagination import MAX_PAGE, Page, paginate
from hrfund.extensions import db
from hrfund.org.models import Department
from hrfund.training import hooks, talent_filters
from hrfund.training.labels import CATEGORY_LABELS
from hrfund.training.models import (
    LanguageScore,
    LanguageTest,
    ProgramCategory,
    RecordStatus,
    TrainingProgram,
    TrainingRecord,
)

EXPORT_BATCH = 500


@dataclass
class TalentQuery:
    """The filters of one talent search; every one optional."""

    language_test: str | None = None
    min_score: Decimal | None = None
    program_ids: list[int] = field(default_factory=list)
    category: str | None = None
    min_hours: Decimal | None = None
    department: str | None = None  # a department code: that department and everything under it
    has_exchange: bool | None = None
    q: str = ""
    include_unverified: bool = False
    on: date | None = None

    @property
    def today(self) -> date:
        return self.on or tokyo_today()


def parse_talent_args(args) -> TalentQuery:
    """A TalentQuery from query-string arguments; bad values are a ValidationFailed."""
    errors: dict[str, list[str]] = {}
    query = TalentQuery(
        q=(args.get("q") or "").strip(),
        include_unverified=args.get("unverified") in ("1", "true", "on"),
    )
    test = (args.get("language_test") or "").strip()
    if test:
        if test not in {t.value for t in LanguageTest}:
            errors["language_test"] = [str(_l("Choose one of the listed tests."))]
        query.language_test = test
    for name in ("min_score", "min_hours"):
        raw = (args.get(name) or "").strip()
        if raw:
            try:
                value = Decimal(raw)
                if not value.is_finite() or value < 0:
                    raise ArithmeticError
                setattr(query, name, value)
            except ArithmeticError:
                errors[name] = [str(_l("Enter a number, for example 6.5."))]
    raw_programs = args.getlist("program_id") if hasattr(args, "getlist") else []
    for raw in raw_programs:
        for part in str(raw).split(","):
            if part.strip():
                if (program_id := parse_id(part)) is not None:
                    query.program_ids.append(program_id)
                else:
                    errors["program_id"] = [str(_l("Program ids are whole numbers."))]
    category = (args.get("category") or "").strip()
    if category:
        if category not in {c.value for c in ProgramCategory}:
            errors["category"] = [str(_l("Choose one of the listed categories."))]
        query.category = category
    department = (args.get("department") or "").strip()
    if department:
        if (code := _department_code(department)) is None:
            errors["department"] = [
                str(_l("No department has this code or name. Find it in the department list."))
            ]
        query.department = code or department.upper()
    exchange = args.get("has_exchange")
    if exchange in ("1", "0", "true", "false"):
        query.has_exchange = exchange in ("1", "true")
    if errors:
        raise ValidationFailed(str(_l("The search could not be run.")), fields=errors)
    return query


def _department_code(text: str) -> str | None:
    """The code of the department whose code (any case) or full name (either language) is
    ``text``; None when there is none. The form takes either, so HR need not know codes."""
    return db.session.scalar(
        sa.select(Department.code)
        .where(
            sa.or_(
                Department.code == text.upper(),
                Department.name_ja == text,
                sa.func.lower(Department.name_en) == text.lower(),
            )
        )
        .order_by(Department.code != text.upper(), Department.code)
        .limit(1)
    )


def _department_tree(code: str) -> list[int]:
    """The ids of the department ``code`` and of everything under it (none for an unknown code).

    Read first, as a list: PostgreSQL cannot tell how many rows a recursive CTE gives, and with
    it inside the search it sorted all 200,000 users rather than read the department's few."""
    tree = (
        sa.select(Department.id)
        .where(Department.code == code)
        .cte("department_tree", recursive=True)
    )
    tree = tree.union_all(sa.select(Department.id).where(Department.parent_id == tree.c.id))
    return list(db.session.scalars(sa.select(tree.c.id)))


def _among(ids: sa.Select | sa.CompoundSelect) -> sa.ColumnElement[bool]:
    """``users.id`` is one of ``ids``. On PostgreSQL as ``= ANY(ARRAY(...))``: with ``IN``, it
    estimated the intersection at ten times its rows and checked the employee role by hashing
    all 200,000 user_roles; with the array it looks up each matching user's role by key (the
    bench's search: about 25 ms instead of 40-50)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return User.id == sa.any_(sa.func.array(ids.scalar_subquery()))
    return User.id.in_(ids)


def talent_select(query: TalentQuery, sets: list[sa.Select] | None = None) -> sa.Select:
    """The users matching ``query``, ordered by name (a select of User); ``sets``: the query's
    ``talent_filters.id_sets`` if the caller has them already."""
    stmt = (
        sa.select(User)
        .where(
            User.active.is_(True),
            sa.exists().where(UserRole.user_id == User.id, UserRole.role == Role.EMPLOYEE),
        )
        .order_by(User.family_name_romaji, User.given_name_romaji, User.id)
    )
    sets = talent_filters.id_sets(query) if sets is None else sets
    if sets:
        stmt = stmt.where(_among(sets[0] if len(sets) == 1 else sa.intersect(*sets)))
    if (hours := talent_filters.hours_condition(query)) is not None:
        stmt = stmt.where(hours)
    if query.department:
        stmt = stmt.where(User.department_id.in_(_department_tree(query.department)))
    if query.has_exchange is False:
        stmt = stmt.where(sa.not_(hooks.has_exchange_condition(User.id)))
    if query.q:
        stmt = stmt.where(user_search(query.q))
    return stmt.options(*_PERSON)


#: a found person is shown with their department; their roles and managed departments
#: (selectin by default) stay unloaded: nothing shows them, and they were two statements more
_PERSON = (
    sa.orm.joinedload(User.department),
    sa.orm.lazyload(User.role_rows),
    sa.orm.lazyload(User.managed_departments),
)


def _load_in_order(ids: list[int]) -> list[User]:
    """The users of ``ids`` (with their departments), in the order of ``ids``."""
    users = db.session.scalars(sa.select(User).where(User.id.in_(ids)).options(*_PERSON)).all()
    by_id = {u.id: u for u in users}
    return [by_id[i] for i in ids if i in by_id]


def talent_count_cap() -> int:
    """How far a search checked person by person counts ("more than" beyond it)."""
    return int(current_app.config.get("TALENT_COUNT_CAP", 1_000))


def talent_page(query: TalentQuery, page_no: int, per_page: int) -> Page:
    """One page of the search for the talent page.

    A search on scores, records or exchanges reads its page's ids and the number of matches in
    one statement (COUNT(*) OVER () over the intersected ids), then those users; a search
    checked person by person (hours, department, name) reads people in name order and counts
    at most TALENT_COUNT_CAP, labelled "more than" beyond it, as the long lists do."""
    sets = talent_filters.id_sets(query)
    stmt = talent_select(query, sets)
    page_no = min(max(page_no, 1), MAX_PAGE)
    if not sets:
        return paginate(stmt, page_no, per_page, count_cap=talent_count_cap())
    keys = db.session.execute(
        stmt.with_only_columns(User.id, sa.func.count().over())
        .limit(per_page)
        .offset((page_no - 1) * per_page)
    ).all()
    if not keys and page_no == 1:
        return Page(items=[], page=1, per_page=per_page, total=0)
    if not keys:  # a page beyond the last: paginate counts, and shows the last one
        return paginate(stmt, page_no, per_page)
    items = _load_in_order([user_id for user_id, _total in keys])
    return Page(items=items, page=page_no, per_page=per_page, total=keys[0][1])


@dataclass
class TalentRow:
    user: User
    scores: list[LanguageScore]
    programs: list[TrainingRecord]
    #: completed programs not in ``programs`` (the page lists only those searched for)
    more: int = 0


@dataclass
class SearchedRow:
    """A row of the page: the person, their scores (test, test_name, score, verified) and the
    searched-for programs they completed (title_ja, title_en, completed_on) as plain rows."""

    user: User
    scores: list[sa.Row]
    programs: list[sa.Row]
    more: int = 0


def _shown_scores(ids: list[int], query: TalentQuery) -> list[sa.ColumnElement[bool]]:
    """The scores shown with a person: valid on the day (and of the test searched for)."""
    conditions = [
        LanguageScore.user_id.in_(ids),
        LanguageScore.taken_on <= query.today,
        sa.or_(LanguageScore.expires_on.is_(None), LanguageScore.expires_on >= query.today),
    ]
    if not query.include_unverified:
        conditions.append(LanguageScore.verified.is_(True))
    if query.language_test:
        conditions.append(LanguageScore.test == query.language_test)
    return conditions


def _shown_records(ids: list[int], query: TalentQuery) -> list[sa.ColumnElement[bool]]:
    conditions = [TrainingRecord.user_id.in_(ids), TrainingRecord.status == RecordStatus.COMPLETED]
    if not query.include_unverified:
        conditions.append(TrainingRecord.verified.is_(True))
    return conditions


_SCORE_ORDER = (LanguageScore.test, LanguageScore.score.desc())


def attach_matches(
    users: list[User], query: TalentQuery, only: list[int] | None = None
) -> list[TalentRow]:
    """The users with their valid scores and completed programs (of those, with ``only``, the
    programs of these ids): two queries in all."""
    ids = [u.id for u in users]
    scores: dict[int, list[LanguageScore]] = defaultdict(list)
    records: dict[int, list[TrainingRecord]] = defaultdict(list)
    if ids:
        score_stmt = sa.select(LanguageScore).where(*_shown_scores(ids, query))
        for score in db.session.scalars(score_stmt.order_by(*_SCORE_ORDER)):
            scores[score.user_id].append(score)
        record_stmt = (
            sa.select(TrainingRecord)
            .where(*_shown_records(ids, query))
            .where(sa.true() if only is None else TrainingRecord.program_id.in_(only))
            .options(sa.orm.joinedload(TrainingRecord.program))
            .order_by(TrainingRecord.completed_on.desc())
        )
        for record in db.session.scalars(record_stmt):
            records[record.user_id].append(record)
    return [TalentRow(u, scores[u.id], records[u.id]) for u in users]


def attach_searched(users: list[User], query: TalentQuery) -> list[SearchedRow]:
    """The page's rows: scores as ``attach_matches``, and of the completed programs only those
    searched for, with a count of the others (the export and the person's page have them all).

    At most three queries whatever the page, of plain columns: 50 people have some 800
    programs, and rendering them all was most of the page's time; as ORM objects, the scores
    and programs shown cost more than the page's SQL (issue 16)."""
    rows = [SearchedRow(u, [], []) for u in users]
    ids = [u.id for u in users]
    if not ids:
        return rows
    by_id = {row.user.id: row for row in rows}
    score_stmt = sa.select(
        LanguageScore.user_id,
        LanguageScore.test,
        LanguageScore.test_name,
        LanguageScore.score,
        LanguageScore.verified,
    ).where(*_shown_scores(ids, query))
    for score in db.session.execute(score_stmt.order_by(*_SCORE_ORDER)):
        by_id[score.user_id].scores.append(score)
    if query.program_ids:
        record_stmt = (
            sa.select(
                TrainingRecord.user_id,
                TrainingProgram.title_ja,
                TrainingProgram.title_en,
                TrainingRecord.completed_on,
            )
            .join(TrainingProgram, TrainingProgram.id == TrainingRecord.program_id)
            .where(*_shown_records(ids, query), TrainingRecord.program_id.in_(query.program_ids))
            .order_by(TrainingRecord.completed_on.desc())
        )
        for record in db.session.execute(record_stmt):
            by_id[record.user_id].programs.append(record)
    totals = sa.select(TrainingRecord.user_id, sa.func.count()).where(*_shown_records(ids, query))
    for user_id, count in db.session.execute(totals.group_by(TrainingRecord.user_id)):
        by_id[user_id].more = count - len(by_id[user_id].programs)
    return rows


def iter_talent(query: TalentQuery) -> Iterator[TalentRow]:
    """Every match, in batches (keyset over the name order would be nicer; ids keep it simple)."""
    ids = db.session.scalars(talent_select(query).with_only_columns(User.id)).all()
    for start in range(0, len(ids), EXPORT_BATCH):
        chunk = ids[start : start + EXPORT_BATCH]
        users = db.session.scalars(
            sa.select(User)
            .where(User.id.in_(chunk))
            .options(*_PERSON)
            .order_by(User.family_name_romaji, User.given_name_romaji, User.id)
        ).all()
        rows = attach_matches(list(users), query)
        yield from rows
        for row in rows:  # let this batch go (only it: the session holds the current user too)
            for obj in (row.user, *row.scores, *row.programs):
                if obj in db.session:
                    db.session.expunge(obj)


def program_options(language: str) -> list[tuple[int, str]]:
    """(id, title in ``language``) of every program, for the search form's list: plain rows,
    not 150 ORM objects per page view."""
    title = TrainingProgram.title_ja if language == "ja" else TrainingProgram.title_en
    stmt = sa.select(TrainingProgram.id, title).order_by(
        TrainingProgram.category, TrainingProgram.title_en
    )
    return [(program_id, name) for program_id, name in db.session.execute(stmt)]


def category_choices() -> list[tuple[str, object]]:
    return [(c.value, label) for c, label in CATEGORY_LABELS.items()]
