"""The talent search's export (CSV with BOM or XLSX): every match, with every completed program
(the page lists only the programs searched for)."""

from __future__ import annotations

from collections.abc import Iterator

from flask_babel import lazy_gettext as _l

from hrfund.core.exports import date_text
from hrfund.training.labels import test_label
from hrfund.training.talent import TalentQuery, TalentRow, iter_talent


def export_header() -> list[str]:
    return [
        str(h)
        for h in (
            _l("Employee number"),
            _l("Name"),
            _l("Name (romaji)"),
            _l("E-mail"),
            _l("Department"),
            _l("Language scores"),
            _l("Completed programs"),
        )
    ]


def export_cells(row: TalentRow, language: str) -> list[str]:
    user = row.user
    unverified = str(_l("unverified"))
    scores = "; ".join(
        f"{test_label(s.test, s.test_name)} {s.score}" + ("" if s.verified else f" ({unverified})")
        for s in row.scores
    )
    programs = "; ".join(
        f"{r.program.name(language)} ({date_text(r.completed_on)})" for r in row.programs
    )
    return [
        user.employee_number or "",
        user.display_name("ja"),
        user.display_name("en"),
        user.email,
        user.department.name(language) if user.department else "",
        scores,
        programs,
    ]


def export_rows(query: TalentQuery, language: str) -> Iterator[list[str]]:
    """The search's rows for ``core.exports.export_response`` (CSV with BOM or XLSX)."""
    for row in iter_talent(query):
        yield export_cells(row, language)
