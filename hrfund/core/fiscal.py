"""The Japanese fiscal year: 1 April to 31 March, named by the year it starts in.

FY2026 runs from 2026-04-01 to 2027-03-31. Every module maps a date to its fiscal year here.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

FISCAL_YEAR_START_MONTH = 4
TOKYO = ZoneInfo("Asia/Tokyo")


def fiscal_year_of(d: date) -> int:
    """The fiscal year a date falls in: 2027-03-31 → 2026, 2027-04-01 → 2027."""
    if isinstance(d, datetime):
        raise TypeError("fiscal_year_of takes a date; convert an instant with tokyo_today()")
    return d.year if d.month >= FISCAL_YEAR_START_MONTH else d.year - 1


def fiscal_year_bounds(fiscal_year: int) -> tuple[date, date]:
    """First and last day of a fiscal year."""
    return date(fiscal_year, 4, 1), date(fiscal_year + 1, 3, 31)


def tokyo_today() -> date:
    """Today's date in Tokyo, where the fund's books are kept."""
    return datetime.now(TOKYO).date()


def current_fiscal_year() -> int:
    """The fiscal year of today in Tokyo."""
    return fiscal_year_of(tokyo_today())
