"""The applications list of the pages, read as plain rows (issue 16).

A page of the list shows, per application, a few columns of it, of its applicant, their
department and the call, and the codes of its preferred cities. Read as ORM objects, the 50
applications, applicants, departments, calls, preferences and cities of a page were some 300
instances built (and a JSON column of every city parsed) for about 7 ms of a 20 ms request;
read as rows of those columns they take about 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from hrfund.applications.models import Application, Call, Preference, call_title, total_of
from hrfund.auth.models import User, name_in
from hrfund.core.db import AnySelect
from hrfund.core.pagination import Page, paginate
from hrfund.extensions import db
from hrfund.org.models import Department, PartnerCity


@dataclass(frozen=True, slots=True)
class ListedApplication:
    """One row of the list, in the reader's language."""

    id: int
    status: str  # the state's value
    applicant: str  # User.display_name
    department: str  # the applicant's department's name, "" without one
    call: str  # Call.name
    preference_codes: list[str]  # by rank
    total_jpy: int  # Application.total_jpy


_COLUMNS = (
    Application.id,
    Application.status,
    Application.travel_jpy,
    Application.stipend_jpy,
    Application.housing_jpy,
    User.family_name,
    User.given_name,
    User.family_name_romaji,
    User.given_name_romaji,
    Department.name_ja,
    Department.name_en,
    Call.title,
    Call.title_ja,
    Call.title_en,
)


def list_page(
    stmt: sa.Select[Any], page: int, per_page: int, *, count_cap: int | None, locale: str
) -> Page:
    """One page of ``stmt`` (``filtered``'s applications, in its order) as ListedApplication
    rows: the keys counted and found by ``stmt`` alone, then the page's rows in one statement
    and their preferences in another."""
    rows = (
        stmt.with_only_columns(*_COLUMNS, maintain_column_froms=True)
        .join(User, User.id == Application.applicant_id)
        .outerjoin(Department, Department.id == User.department_id)
        .join(Call, Call.id == Application.call_id)
    )
    result = paginate(
        stmt.with_only_columns(Application.id),
        page,
        per_page,
        scalars=False,
        key=Application.id,
        count_cap=count_cap,
        rows=rows,
    )
    codes = preference_codes([row.id for row in result.items])
    result.items = [_listed(row, codes.get(row.id, []), locale) for row in result.items]
    return result


def _listed(row: Any, codes: list[str], locale: str) -> ListedApplication:
    department = row.name_ja if locale == "ja" else row.name_en
    return ListedApplication(
        id=row.id,
        status=row.status.value,
        applicant=name_in(
            locale, row.family_name, row.given_name, row.family_name_romaji, row.given_name_romaji
        ),
        department=department or "",
        call=call_title(locale, row.title, row.title_ja, row.title_en),
        preference_codes=codes,
        total_jpy=total_of(row.travel_jpy, row.stipend_jpy, row.housing_jpy),
    )


#: what an application of the API's list carries (ApplicationSchema, without its history)
_API_COLUMNS = (
    Application.id,
    Application.status,
    Application.call_id,
    Application.statement,
    Application.start_on,
    Application.end_on,
    Application.travel_jpy,
    Application.stipend_jpy,
    Application.housing_jpy,
    Application.submitted_at,
    Application.placement_id,
    User.id.label("applicant_id"),
    User.email,
    User.family_name,
    User.given_name,
    User.family_name_romaji,
    User.given_name_romaji,
)


def api_rows(stmt: sa.Select[Any]) -> AnySelect:
    """The rows of the API's list of ``stmt``'s applications (paged by ``paginate``'s
    ``rows``): the application's columns and its applicant's."""
    return stmt.with_only_columns(*_API_COLUMNS, maintain_column_froms=True).join(
        User, User.id == Application.applicant_id
    )


def preference_codes(ids: list[int]) -> dict[int, list[str]]:
    """The preferred cities' codes of each of ``ids``, by rank, in one statement."""
    found: dict[int, list[str]] = {}
    if not ids:
        return found
    for application_id, code in db.session.execute(
        sa.select(Preference.application_id, PartnerCity.code)
        .join(PartnerCity, PartnerCity.id == Preference.city_id)
        .where(Preference.application_id.in_(ids))
        .order_by(Preference.application_id, Preference.rank)
    ):
        found.setdefault(application_id, []).append(code)
    return found


def call_choices(locale: str, limit: int = 100) -> list[tuple[int, str]]:
    """The newest calls as (id, name) for the list's filter."""
    stmt = sa.select(Call.id, Call.title, Call.title_ja, Call.title_en)
    return [
        (id_, call_title(locale, title, title_ja, title_en))
        for id_, title, title_ja, title_en in db.session.execute(
            stmt.order_by(Call.id.desc()).limit(limit)
        )
    ]
