"""Fund pages: HR runs the fund from them; auditors read; the ledger exports."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from hrfund.fund import services
from tests.fund.helpers import entry_count, funded_line


def _as_english(client):
    client.post("/language", data={"locale": "en", "next": "/"})
    return client


@pytest.fixture
def hr(login_as):
    return _as_english(login_as("hr"))


def test_hr_runs_a_year_from_the_pages(hr, db):
    response = hr.post(
        "/fund/contributions/new",
        data={
            "amount_jpy": "3,000,000",
            "received_on": "2026-04-01",
            "memo": "FY2026 appropriation",
        },
    )
    assert response.status_code == 302
    response = hr.post(
        "/fund/allocations/new",
        data={"fiscal_year": "2026", "category": "outgoing", "amount_jpy": "2000000"},
    )
    assert response.status_code == 302
    assert (
        hr.post(
            "/fund/fx-rates/new",
            data={"currency": "eur", "rate_on": "2026-05-01", "jpy_per_unit": "162.345"},
        ).status_code
        == 302
    )
    services.commit_for_placement(hr.user, 11, 2026, "outgoing", 500_000)
    db.session.commit()
    response = hr.post(
        "/fund/disbursements/new",
        data={
            "placement_id": "11",
            "paid_on": "2026-05-02",
            "currency": "EUR",
            "amount": "1234.56",
            "fx_rate": "",
            "memo": "May stipend",
        },
    )
    assert response.status_code == 302, response.data[:2000]
    page = hr.get("/fund/?fiscal_year=2026")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "¥200,425" in html  # disbursed, converted at the recorded rate
    assert "¥299,575" in html  # still committed: 500,000 − 200,425
    assert "¥1,500,000" in html  # available on the line
    assert "¥1,000,000" in html  # unallocated fund
    assert 'class="fund-bar"' in html and "style=" not in html


def test_invalid_form_keeps_input_and_writes_nothing(hr):
    before = entry_count()
    response = hr.post(
        "/fund/contributions/new", data={"amount_jpy": "lots", "received_on": "2026-04-01"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="lots"' in html and "whole number of yen" in html
    assert entry_count() == before


def test_refused_allocation_is_shown_and_writes_nothing(hr):
    services.contribute(hr.user, 100, date(2026, 4, 1))
    before = entry_count()
    response = hr.post(
        "/fund/allocations/new",
        data={"fiscal_year": "2026", "category": "outgoing", "amount_jpy": "101"},
    )
    assert response.status_code == 409
    assert "unallocated fund" in response.get_data(as_text=True)
    assert entry_count() == before


def test_disbursement_without_a_rate_asks_for_one(hr):
    funded_line(hr.user, category="training")
    response = hr.post(
        "/fund/disbursements/new",
        data={"category": "training", "paid_on": "2026-05-02", "currency": "USD", "amount": "10"},
    )
    assert response.status_code == 422
    assert "No rate for USD" in response.get_data(as_text=True)


def test_reverse_needs_confirmation_and_a_memo(hr):
    entry = services.contribute(hr.user, 1000, date(2026, 4, 1))
    page = hr.get(f"/fund/entries/{entry.id}/reverse")
    assert page.status_code == 200 and "¥1,000" in page.get_data(as_text=True)
    assert hr.post(f"/fund/entries/{entry.id}/reverse", data={"memo": ""}).status_code == 422
    response = hr.post(f"/fund/entries/{entry.id}/reverse", data={"memo": "duplicate"})
    assert response.status_code == 302
    detail = hr.get(response.headers["Location"]).get_data(as_text=True)
    assert "duplicate" in detail and f"#{entry.id}" in detail
    again = hr.post(f"/fund/entries/{entry.id}/reverse", data={"memo": "again"})
    assert again.status_code == 409


def test_auditor_reads_but_cannot_post(login_as):
    auditor = _as_english(login_as("auditor"))
    assert auditor.get("/fund/").status_code == 200
    assert auditor.get("/fund/ledger").status_code == 200
    assert auditor.get("/fund/contributions/new").status_code == 403
    html = auditor.get("/fund/").get_data(as_text=True)
    assert "/fund/contributions/new" not in html


def test_ledger_filters(hr):
    funded_line(hr.user)
    services.commit_for_placement(hr.user, 5, 2026, "outgoing", 1000)
    services.commit_for_placement(hr.user, 6, 2026, "outgoing", 2000)
    html = hr.get(
        "/fund/ledger?placement_id=5&kind=commitment&fiscal_year=2026&category=outgoing"
    ).get_data(as_text=True)
    assert "¥1,000" in html and "¥2,000" not in html
    bad = hr.get("/fund/ledger?placement_id=abc&from=yesterday")
    assert bad.status_code == 200  # a bad filter is said, not a 500


def test_csv_export_is_utf8_with_bom(hr):
    funded_line(hr.user)
    services.contribute(hr.user, 7, date(2026, 4, 2), "寄付 (donation)")
    response = hr.get("/fund/ledger.csv?kind=contribution")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8-sig")
    assert "寄付 (donation)" in text
    assert len(text.strip().splitlines()) == 3  # header + two contributions


def test_an_unreadable_filter_refuses_the_export_rather_than_widen_it(hr):
    funded_line(hr.user)
    response = hr.get("/fund/ledger.csv?kind=contribution&placement_id=abc")
    assert response.status_code == 400
    assert "placement_id" in response.get_data(as_text=True)


def test_xlsx_export(hr):
    funded_line(hr.user)
    response = hr.get("/fund/ledger.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.values)
    assert len(rows) == 3
    assert {row[6] for row in rows[1:]} == {1_000_000}


def test_close_year_page(hr):
    funded_line(hr.user, amount=5000)
    assert hr.get("/fund/years/2026/close").status_code == 200
    assert hr.post("/fund/years/2026/close", data={}).status_code == 422
    response = hr.post("/fund/years/2026/close", data={"confirm": "y"})
    assert response.status_code == 302
    assert services.summary(2026).closed


def test_ledger_page_query_count_does_not_grow(hr, db, query_counter):
    funded_line(hr.user, amount=10_000_000)
    users = [hr.user]
    from tests import factories

    users += [factories.user(roles=["hr"]) for _ in range(3)]
    factories.placement_rows(*range(100, 145))  # the placements the commitments name

    def add(n):
        for i in range(n):
            services.commit_for_placement(users[i % len(users)], 100 + i, 2026, "outgoing", 10)
        db.session.commit()

    add(3)  # 5 entries in all
    with query_counter() as small:
        assert hr.get("/fund/ledger?per_page=50").status_code == 200
    add(45)  # 50
    with query_counter() as large:
        assert hr.get("/fund/ledger?per_page=50").status_code == 200
    assert small() == large()


def test_overview_for_an_empty_year(hr):
    response = hr.get("/fund/?fiscal_year=2030")
    assert response.status_code == 200
    assert "FY2030" in response.get_data(as_text=True)


def test_pages_speak_japanese(login_as):
    c = login_as("hr")
    c.post("/language", data={"locale": "ja", "next": "/"})
    services.contribute(c.user, 1000, date(2026, 4, 1))
    html = c.get("/fund/?fiscal_year=2026").get_data(as_text=True)
    assert 'lang="ja"' in html and "未配分の基金" in html and 'data-nav="fund">基金' in html
    assert "基金台帳" in c.get("/fund/ledger").get_data(as_text=True)


def test_exports_neutralise_formulas_but_keep_amounts_as_numbers(hr):
    """A memo is free text: "=HYPERLINK(…)" must not run in Excel; amounts stay numbers (the
    guard leaves numbers alone, so a negative one is never turned into text)."""
    funded_line(hr.user)
    evil = '=HYPERLINK("http://evil.example","請求書")'
    services.contribute(hr.user, 7, date(2026, 4, 2), evil)
    text = hr.get("/fund/ledger.csv?kind=contribution").get_data().decode("utf-8-sig")
    memos = [row[13] for row in csv.reader(io.StringIO(text))][1:]
    assert "'" + evil in memos and evil not in memos
    sheet = load_workbook(io.BytesIO(hr.get("/fund/ledger.xlsx").get_data())).active
    cells = [row[13] for row in sheet.values]
    assert "'" + evil in cells
    assert all(isinstance(row[6], int) for row in list(sheet.values)[1:])
