"""Japanese era dates (和暦) of the printable fiscal-year report."""

from __future__ import annotations

from datetime import date

import pytest

from hrfund.core.era import era_date, era_fiscal_year, era_month


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2026, 4, 1), "令和8年4月1日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1989, 1, 8), "平成元年1月8日"),
    ],
)
def test_era_date(day, text):
    assert era_date(day) == text


@pytest.mark.parametrize(
    ("fiscal_year", "text"),
    [(2026, "令和8年度"), (2019, "令和元年度"), (2018, "平成30年度"), (2000, "平成12年度")],
)
def test_era_fiscal_year(fiscal_year, text):
    assert era_fiscal_year(fiscal_year) == text


def test_era_month_and_refusal_before_showa():
    assert era_month(date(2027, 3, 31)) == "令和9年3月"
    with pytest.raises(ValueError):
        era_date(date(1926, 12, 24))
