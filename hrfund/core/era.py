"""Japanese era dates (和暦): 令和8年4月1日 for 2026-04-01, 令和8年度 for FY2026.

An era's first year is written 元年. 令和 began on 2019-05-01, 平成 on 1989-01-08 and 昭和 on
1926-12-25; earlier dates are not needed by the fund and are refused.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple


class Era(NamedTuple):
    name: str
    starts_on: date


#: Newest first.
ERAS = (
    Era("令和", date(2019, 5, 1)),
    Era("平成", date(1989, 1, 8)),
    Era("昭和", date(1926, 12, 25)),
)


def era_of(d: date) -> Era:
    """The era in force on ``d``."""
    if isinstance(d, datetime):
        d = d.date()
    for era in ERAS:
        if d >= era.starts_on:
            return era
    raise ValueError(f"no era known for {d.isoformat()}")


def _year_text(number: int) -> str:
    return "元" if number == 1 else str(number)


def era_year(d: date) -> str:
    """令和8年 for a day in 2026."""
    era = era_of(d)
    return f"{era.name}{_year_text(d.year - era.starts_on.year + 1)}年"


def era_date(d: date) -> str:
    """2019-04-30 → 平成31年4月30日, 2019-05-01 → 令和元年5月1日, 2026-04-01 → 令和8年4月1日."""
    return f"{era_year(d)}{d.month}月{d.day}日"


def era_month(d: date) -> str:
    """令和8年4月 for any day of April 2026."""
    return f"{era_year(d)}{d.month}月"


def era_fiscal_year(fiscal_year: int) -> str:
    """FY2026 → 令和8年度; FY2019 → 令和元年度.

    A fiscal year is named after the era in force at the end of the calendar year it starts
    in: an era that begins during April–December renames that fiscal year (the government
    calls FY2019 令和元年度, although it began under 平成), one that begins in January–March
    does not (FY1988 stayed 昭和63年度).
    """
    era = era_of(date(fiscal_year, 12, 31))
    return f"{era.name}{_year_text(fiscal_year - era.starts_on.year + 1)}年度"
