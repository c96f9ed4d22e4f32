"""Translated labels and dates of the fiscal-year report, shared by the page and the workbook."""

from __future__ import annotations

from datetime import date, datetime
from datetime import date as datetime_date  # ``date`` is also a method of ReportLabels

from babel.dates import format_skeleton
from flask_babel import (
    format_date,
    format_datetime,
    format_time,
    get_locale,
    to_user_timezone,
)
from flask_babel import (
    gettext as _,
)

from hrfund.core.era import era_date, era_fiscal_year, era_month
from hrfund.fund.forms import CATEGORY_LABELS, KIND_LABELS
from hrfund.fund.models import Category, EntryKind
from hrfund.placements.models import Direction, PlacementStatus
from hrfund.training.labels import CATEGORY_LABELS as PROGRAM_LABELS
from hrfund.training.labels import test_label
from hrfund.training.models import LanguageTest, ProgramCategory


class ReportLabels:
    """Labels in the request's language; ``era`` writes dates the Japanese way (令和8年4月1日)."""

    def __init__(self, era: bool = False):
        self.era = era

    @property
    def locale(self) -> str:
        return str(get_locale() or "ja")

    def fiscal_year(self, fiscal_year: int) -> str:
        if self.era:
            return era_fiscal_year(fiscal_year)
        return _("FY%(year)d", year=fiscal_year)

    def date(self, d: date) -> str:
        return era_date(d) if self.era else format_date(d, "medium")

    def instant(self, value: datetime) -> str:
        """A moment in the user's time zone."""
        if self.era:
            return f"{era_date(to_user_timezone(value).date())} {format_time(value, 'short')}"
        return format_datetime(value, "medium")

    def month(self, d: datetime_date) -> str:
        if self.era:
            return era_month(d)
        return format_skeleton("yMMM", d, locale=get_locale())

    def line(self, category: Category | None) -> str:
        if category is None:
            return _("Fund (no line)")
        return str(CATEGORY_LABELS[category])

    def kind(self, kind: EntryKind) -> str:
        return str(KIND_LABELS[kind])

    def direction(self, direction: Direction) -> str:
        return direction.label

    def status(self, status: PlacementStatus) -> str:
        return status.label

    def program_category(self, category: ProgramCategory | None) -> str:
        return _("Total") if category is None else str(PROGRAM_LABELS[category])

    def test(self, test: LanguageTest) -> str:
        return test_label(test)
