"""The fiscal-year report: figures recomputed by hand from the postings made, page, XLSX, roles."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from hrfund.core.fiscal import current_fiscal_year
from hrfund.extensions import db as _db
from hrfund.fund import services as fund
from hrfund.fund.models import Category, LedgerEntry
from hrfund.placements.models import Direction, Placement, PlacementStatus
from hrfund.reports.fiscal_year import fiscal_year_report
from hrfund.training import records
from hrfund.training import services as training
from tests import factories

FY = 2026
START, END = date(2026, 4, 1), date(2027, 3, 31)
MONTHS = [(y, m) for y, m in [(2026, m) for m in range(4, 13)] + [(2027, m) for m in (1, 2, 3)]]
SHEETS = ["Summary", "Fund by month", "Exchanges", "Training", "Language scores"]


# ---------------------------------------------------------------- data


def column_of(day: date) -> int:
    """0 before the year, 1..12 for April..March, 13 after: worked out the obvious way."""
    if day < START:
        return 0
    if day > END:
        return 13
    return MONTHS.index((day.year, day.month)) + 1


def by_hand(entries: list[LedgerEntry]) -> dict[tuple[str, str], list[int]]:
    """{(line or 'fund', kind): amounts per column} of the FY's entries, from the Python objects."""
    grid: dict[tuple[str, str], list[int]] = {}
    for e in entries:
        if e.fiscal_year != FY:
            continue
        key = (e.category.value if e.category else "fund", e.kind.value)
        grid.setdefault(key, [0] * 14)[column_of(e.booked_on)] += e.amount_jpy
    return grid


@pytest.fixture
def hr(db):
    user = factories.user(["hr", "employee"])
    _db.session.commit()
    return user


@pytest.fixture
def ledger(db, hr):
    """Postings of FY2026 (and one year either side, which must stay out of the report)."""
    factories.placement_rows(9001, 9002)  # the placements the commitments name
    made = [
        fund.contribute(hr, 10_000_000, date(2026, 4, 10), "appropriation"),
        fund.contribute(hr, 400_000, date(2026, 3, 20), "FY2025 donation"),
        fund.allocate(hr, FY, "outgoing", 3_000_000),
        fund.allocate(hr, FY, "training", 500_000),
        fund.allocate(hr, FY - 1, "operations", 100_000),
        fund.commit(hr, 9001, FY, "outgoing", 1_200_000),
        fund.commit(hr, 9002, FY, "outgoing", 300_000),
    ]
    made.append(fund.disburse(hr, paid_on=date(2026, 6, 15), amount=500_000, placement_id=9001))
    made.append(fund.disburse(hr, paid_on=date(2026, 5, 20), amount=120_000, category="training"))
    made.append(fund.disburse(hr, paid_on=date(2026, 5, 21), amount=80_000, category="training"))
    made.append(fund.release_open_commitment(hr, 9002, "placement declined"))
    made.append(fund.reverse(hr, made[-2].id, "paid twice"))
    made.append(fund.disburse(hr, paid_on=date(2025, 9, 1), amount=10_000, category="operations"))
    _db.session.commit()
    return made


def seoul_and_berlin():
    return factories.city("SEL"), factories.city("BER")


def placement(city, direction, status, start, end, person=None, host=None):
    confirmed = None if status in (PlacementStatus.PROPOSED,) else datetime(2026, 3, 1, tzinfo=UTC)
    p = Placement(
        direction=direction,
        status=status,
        city=city,
        person=person if direction == Direction.OUTGOING else None,
        guest_name="Lee Jiwoo" if direction == Direction.INCOMING else None,
        host_department=host if direction == Direction.INCOMING else None,
        start_on=start,
        end_on=end,
        fiscal_year=start.year if start.month >= 4 else start.year - 1,
        confirmed_at=confirmed,
    )
    _db.session.add(p)
    return p


@pytest.fixture
def exchanges(db):
    seoul, berlin = seoul_and_berlin()
    person = factories.user(["employee"])
    host = factories.department()
    out, inc = Direction.OUTGOING, Direction.INCOMING
    made = [
        placement(
            seoul, out, PlacementStatus.PROPOSED, date(2026, 9, 1), date(2027, 2, 28), person
        ),
        placement(seoul, out, PlacementStatus.ACTIVE, date(2026, 4, 1), date(2026, 9, 30), person),
        placement(
            seoul, out, PlacementStatus.CANCELLED, date(2026, 10, 1), date(2026, 12, 31), person
        ),
        placement(
            seoul, inc, PlacementStatus.CONFIRMED, date(2027, 1, 15), date(2027, 7, 14), host=host
        ),
        placement(
            berlin, out, PlacementStatus.COMPLETED, date(2027, 3, 31), date(2027, 4, 30), person
        ),
        # outside FY2026: the day before it starts and the day after it ends
        placement(
            berlin, out, PlacementStatus.ACTIVE, date(2026, 3, 31), date(2026, 6, 30), person
        ),
        placement(
            berlin, inc, PlacementStatus.PROPOSED, date(2027, 4, 1), date(2027, 6, 30), host=host
        ),
    ]
    _db.session.commit()
    return made


@pytest.fixture
def trainings(db, hr):
    language = training.create_program(
        None, title_en="English", title_ja="英語", category="language", hours=Decimal("20")
    )
    seminar = training.create_program(
        None, title_en="Diplomacy", title_ja="都市外交", category="seminar", hours=Decimal("6.5")
    )
    a, b = factories.user(["employee"]), factories.user(["employee"])
    made = [
        records.record_training(hr, a, language, status="completed", completed_on=date(2026, 5, 1)),
        records.record_training(
            hr, a, language, status="completed", completed_on=date(2026, 7, 1), hours="12.5"
        ),
        records.record_training(hr, b, seminar, status="completed", completed_on=date(2026, 4, 1)),
        records.record_training(
            b, b, language, status="completed", completed_on=date(2026, 11, 30)
        ),
        records.record_training(hr, b, seminar, status="enrolled"),
        records.record_training(hr, a, seminar, status="completed", completed_on=date(2026, 3, 31)),
    ]
    scores = [
        records.add_language_score(hr, a, test="toeic", score=800, taken_on=date(2026, 6, 1)),
        records.add_language_score(hr, b, test="toeic", score=725, taken_on=date(2026, 10, 1)),
        records.add_language_score(b, b, test="ielts", score="6.5", taken_on=date(2026, 8, 8)),
        records.add_language_score(hr, a, test="toeic", score=990, taken_on=date(2026, 3, 1)),
    ]
    _db.session.commit()
    return made, scores


# ---------------------------------------------------------------- the service


def test_fund_movements_by_line_kind_and_month(ledger):
    report = fiscal_year_report(FY)
    found = {
        (r.category.value if r.category else "fund", r.kind.value): r.amounts
        for r in report.fund_rows
    }
    expected = by_hand(ledger)
    for key, amounts in expected.items():
        assert found[key] == amounts, key
    for key, amounts in found.items():
        if key not in expected:
            assert amounts == [0] * 14, key
    # spot checks written out, for the reader
    assert found["outgoing", "disbursement"][column_of(date(2026, 6, 15))] == 500_000
    assert found["training", "disbursement"][column_of(date(2026, 5, 1))] == 200_000
    assert found["fund", "contribution"][column_of(date(2026, 4, 10))] == 10_000_000
    assert sum(found["outgoing", "commitment"]) == 1_500_000
    assert "operations" not in {k[0] for k, v in found.items() if any(v)}


def test_summary_lines_and_fund_figures(ledger):
    s = fiscal_year_report(FY).summary
    assert s.lines[Category.OUTGOING].allocated == 3_000_000
    assert s.lines[Category.OUTGOING].disbursed == 500_000
    assert s.lines[Category.OUTGOING].committed == 1_200_000 - 500_000
    assert s.lines[Category.TRAINING].disbursed == 120_000  # 80,000 reversed
    assert s.contributed_in_year == 10_000_000


def test_exchanges_per_city_direction_and_status(exchanges):
    report = fiscal_year_report(FY)
    rows = {(r.city_code, r.direction): r for r in report.exchanges}
    assert set(rows) == {
        ("SEL", Direction.OUTGOING),
        ("SEL", Direction.INCOMING),
        ("BER", Direction.OUTGOING),
    }
    seoul_out = rows["SEL", Direction.OUTGOING]
    assert seoul_out.counts[PlacementStatus.PROPOSED] == 1
    assert seoul_out.counts[PlacementStatus.ACTIVE] == 1
    assert seoul_out.counts[PlacementStatus.CANCELLED] == 1
    assert seoul_out.total == 3
    # 2026-09-01..2027-02-28 (181 days) and 2026-04-01..2026-09-30 (183 days); cancelled left out
    assert seoul_out.days == 181 + 183
    assert seoul_out.person_months == (Decimal(364) / Decimal("30.4375")).quantize(Decimal("0.1"))
    assert rows["SEL", Direction.INCOMING].counts[PlacementStatus.CONFIRMED] == 1
    assert rows["BER", Direction.OUTGOING].counts[PlacementStatus.COMPLETED] == 1
    assert rows["BER", Direction.OUTGOING].days == 31
    totals = {t.direction: t for t in report.exchange_totals}
    assert totals[Direction.OUTGOING].total == 4
    assert totals[Direction.INCOMING].total == 1


def test_training_and_language_scores(trainings):
    report = fiscal_year_report(FY)
    rows = {r.category.value: r for r in report.training}
    # English: 20 h (program) + 12.5 h (recorded) by person a, 20 h self-recorded by b
    assert (rows["language"].records, rows["language"].people) == (3, 2)
    assert rows["language"].verified == 2
    assert rows["language"].hours == Decimal("52.5")
    assert (rows["seminar"].records, rows["seminar"].hours) == (1, Decimal("6.5"))
    assert rows["e_learning"].records == 0
    assert report.training_total.hours == Decimal("59.0")
    scores = {r.test.value: r for r in report.languages}
    assert set(scores) == {"toeic", "ielts"}
    assert (scores["toeic"].results, scores["toeic"].average) == (2, Decimal("762.5"))
    assert (scores["ielts"].results, scores["ielts"].verified) == (1, 0)


# ---------------------------------------------------------------- pages and roles


def test_index_redirects_to_current_year(db, login_as):
    response = login_as("auditor").get("/reports/fiscal-year")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/reports/fiscal-year/{current_fiscal_year()}")


@pytest.mark.parametrize("role", ["employee", "coordinator", "manager", "admin"])
def test_other_roles_are_refused(db, login_as, role):
    client = login_as(role)
    for url in (
        "/reports/fiscal-year",
        f"/reports/fiscal-year/{FY}",
        f"/reports/fiscal-year/{FY}.xlsx",
    ):
        assert client.get(url).status_code == 403, url


def test_anonymous_goes_to_login(client):
    response = client.get(f"/reports/fiscal-year/{FY}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("year", [1999, "current+6"])
def test_years_out_of_range_are_404(db, login_as, year):
    year = current_fiscal_year() + 6 if year == "current+6" else year
    client = login_as("hr")
    assert client.get(f"/reports/fiscal-year/{year}").status_code == 404
    assert client.get(f"/reports/fiscal-year/{year}.xlsx").status_code == 404


def test_page_shows_the_figures(ledger, exchanges, trainings, login_as):
    response = login_as("hr").get(f"/reports/fiscal-year/{FY}")
    assert response.status_code == 200
    html = response.data.decode()
    assert "FY2026" in html
    assert 'data-category="outgoing"' in html and "¥3,000,000" in html
    assert "¥1,500,000" in html  # both commitments of the outgoing line
    assert "Seoul" in html and "Berlin" in html
    assert "52.5" in html and "762.5" in html
    assert f'href="/reports/fiscal-year/{FY}.xlsx"' in html
    assert f'href="/reports/fiscal-year/{FY - 1}"' in html
    assert 'src="/static/js/print.js' in html and 'id="print-report"' in html
    assert " style=" not in html and "<script>" not in html


def test_page_in_japanese_era_dates(db, login_as):
    html = login_as("auditor").get(f"/reports/fiscal-year/{FY}?era=1").data.decode()
    assert "令和8年度" in html
    assert "令和8年4月1日" in html and "令和9年3月31日" in html
    assert "令和8年4月" in html  # month columns
    assert f'href="/reports/fiscal-year/{FY}.xlsx?era=1"' in html


def test_page_in_japanese(db, login_as):
    html = login_as("hr", locale="ja").get(f"/reports/fiscal-year/{FY}").data.decode()
    assert "2026年度" in html and "2026年4月" in html


def test_xlsx_holds_the_sheets_and_numbers(ledger, exchanges, trainings, login_as):
    response = login_as("auditor").get(f"/reports/fiscal-year/{FY}.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "FY2026" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == SHEETS

    summary = book["Summary"]
    rows = {r[0]: r[1:] for r in summary.iter_rows(min_row=6, values_only=True) if r[0]}
    outgoing = rows["Outgoing (TMG staff abroad)"]
    assert outgoing[:4] == (3_000_000, 700_000, 500_000, 1_800_000)
    assert rows["Contributed in the year"][0] == 10_000_000
    assert summary["A5"].font.bold and summary.freeze_panes == "B6"
    assert summary["B6"].number_format == "#,##0"

    months = book["Fund by month"]
    header = [c.value for c in months[1]]
    assert header[:3] == ["Line", "Kind", "Before"] and header[-2:] == ["After", "Total"]
    assert header[3] == "Apr 2026" and header[14] == "Mar 2027"
    assert months["A1"].font.bold and months.freeze_panes == "C2"
    grid = {(r[0], r[1]): list(r[2:16]) for r in months.iter_rows(min_row=2, values_only=True)}
    expected = by_hand(ledger)
    disbursed = grid["Outgoing (TMG staff abroad)", "Disbursement"]
    assert disbursed == expected["outgoing", "disbursement"]
    assert grid["Training", "Reversal"] == expected["training", "reversal"]
    assert grid["Fund (no line)", "Contribution"] == expected["fund", "contribution"]
    assert months.cell(row=2, column=3).number_format == "#,##0"
    assert months.column_dimensions["A"].width > 10

    exchange_rows = list(book["Exchanges"].iter_rows(min_row=2, values_only=True))
    seoul_out = next(r for r in exchange_rows if r[:2] == ("Seoul", "Outgoing"))
    assert seoul_out[-2] == 3  # total placements

    training_rows = {r[0]: r for r in book["Training"].iter_rows(min_row=2, values_only=True)}
    assert training_rows["Language"][1] == 3 and training_rows["Language"][4] == 52.5
    scores = {r[0]: r for r in book["Language scores"].iter_rows(min_row=2, values_only=True)}
    assert scores["TOEIC"][1:] == (2, 2, 2, 762.5)


def test_xlsx_in_japanese(ledger, login_as):
    response = login_as("hr", locale="ja").get(f"/reports/fiscal-year/{FY}.xlsx?era=1")
    book = load_workbook(io.BytesIO(response.data))
    assert len(book.sheetnames) == 5
    months = book.worksheets[1]
    header = [c.value for c in months[1]]
    assert header[3] == "令和8年4月" and header[14] == "令和9年3月"
    assert book.worksheets[0]["B2"].value == "令和8年4月1日"


# ---------------------------------------------------------------- query counts


def _more_rows(hr, n: int, offset: int) -> None:
    seoul, berlin = seoul_and_berlin()
    person = factories.user(["employee"])
    program = training.create_program(
        None, title_en=f"P{offset}", title_ja=f"研修{offset}", category="e_learning", hours="3"
    )
    for i in range(n):
        fund.disburse(
            hr, paid_on=date(2026, 4 + i % 8, 1 + i), amount=1_000 + i, category="outgoing"
        )
        city = seoul if i % 2 else berlin
        placement(
            city,
            Direction.OUTGOING,
            PlacementStatus.PROPOSED,
            date(2026, 5, 1 + i),
            date(2026, 8, 1),
            person,
        )
        records.record_training(
            hr, person, program, status="completed", completed_on=date(2026, 6, 1 + i + offset)
        )
    _db.session.commit()


def test_query_count_does_not_grow(hr, login_as, query_counter):
    fund.contribute(hr, 50_000_000, date(2026, 4, 1))
    fund.allocate(hr, FY, "outgoing", 10_000_000)
    _db.session.commit()
    client = login_as("hr")
    url = f"/reports/fiscal-year/{FY}"
    _more_rows(hr, 2, 0)
    client.get(url)  # warm up (first request of a session)
    with query_counter() as small:
        assert client.get(url).status_code == 200
    _more_rows(hr, 12, 5)
    with query_counter() as large:
        assert client.get(url).status_code == 200
    assert large() == small()
    with query_counter() as xlsx:
        assert client.get(f"{url}.xlsx").status_code == 200
    assert xlsx() <= small()
    assert _db.session.scalar(sa.select(sa.func.count(LedgerEntry.id))) == 2 + 2 + 12
