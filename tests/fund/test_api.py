"""The /api/v1/fund endpoints: the contract of API.md, status codes included."""

from __future__ import annotations

import pytest

from tests.fund.helpers import entry_count

BASE = "/api/v1/fund"


@pytest.fixture
def hr(api_as):
    return api_as("hr")


def post(client, path, body):
    return client.post(BASE + path, json=body, headers=client.headers)


def get(client, path):
    return client.get(BASE + path, headers=client.headers)


def fund(hr, amount=1_000_000, year=2026, category="outgoing"):
    assert (
        post(
            hr,
            "/contributions",
            {"amount_jpy": amount, "received_on": f"{year}-04-01", "memo": "appropriation"},
        ).status_code
        == 201
    )
    response = post(
        hr, "/budget-lines", {"fiscal_year": year, "category": category, "allocated_jpy": amount}
    )
    assert response.status_code == 201, response.json
    return response.json


def test_contribution_allocation_and_summary(hr):
    response = post(hr, "/contributions", {"amount_jpy": 5_000_000, "received_on": "2026-04-01"})
    assert response.status_code == 201
    entry = response.json
    assert entry["kind"] == "contribution" and entry["amount_jpy"] == 5_000_000
    assert entry["fiscal_year"] == 2026 and entry["category"] is None
    assert entry["created_by"] == hr.user.email
    line = post(
        hr,
        "/budget-lines",
        {"fiscal_year": 2026, "category": "outgoing", "allocated_jpy": 2_000_000},
    )
    assert line.status_code == 201
    assert line.json["allocated_jpy"] == 2_000_000 and line.json["available_jpy"] == 2_000_000
    again = post(
        hr, "/budget-lines", {"fiscal_year": 2026, "category": "outgoing", "allocated_jpy": 500_000}
    )
    assert again.status_code == 201 and again.json["allocated_jpy"] == 2_500_000
    summary = get(hr, "/summary?fiscal_year=2026").json
    assert summary["fiscal_year"] == 2026
    assert {
        k: summary["fund"][k] for k in ("contributed_jpy", "allocated_jpy", "unallocated_jpy")
    } == {"contributed_jpy": 5_000_000, "allocated_jpy": 2_500_000, "unallocated_jpy": 2_500_000}
    outgoing = next(x for x in summary["lines"] if x["category"] == "outgoing")
    assert {
        k: outgoing[k] for k in ("allocated_jpy", "committed_jpy", "disbursed_jpy", "available_jpy")
    } == {
        "allocated_jpy": 2_500_000,
        "committed_jpy": 0,
        "disbursed_jpy": 0,
        "available_jpy": 2_500_000,
    }
    assert summary["totals"]["allocated_jpy"] == 2_500_000
    assert {x["category"] for x in summary["lines"]} == {
        "outgoing",
        "incoming",
        "training",
        "operations",
    }


def test_allocation_beyond_the_fund_is_409_insufficient_funds(hr):
    post(hr, "/contributions", {"amount_jpy": 100, "received_on": "2026-04-01"})
    before = entry_count()
    response = post(
        hr, "/budget-lines", {"fiscal_year": 2026, "category": "outgoing", "allocated_jpy": 101}
    )
    assert response.status_code == 409
    assert response.json["error"]["code"] == "insufficient_funds"
    assert entry_count() == before


def test_foreign_disbursement_with_recorded_rate(hr):
    from hrfund.fund import services

    fund(hr)
    rate = post(hr, "/fx-rates", {"currency": "EUR", "on": "2026-05-01", "jpy_per_unit": "162.345"})
    assert rate.status_code == 201
    assert rate.json == {
        "id": rate.json["id"],
        "currency": "EUR",
        "on": "2026-05-01",
        "jpy_per_unit": "162.345",
    }
    services.commit_for_placement(hr.user, 42, 2026, "outgoing", 300_000)
    response = post(
        hr,
        "/disbursements",
        {
            "placement_id": 42,
            "amount": "1234.56",
            "currency": "EUR",
            "paid_on": "2026-05-02",
            "memo": "stipend May",
        },
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert (
        body["kind"],
        body["amount_jpy"],
        body["amount"],
        body["currency"],
        body["fx_rate"],
        body["placement_id"],
    ) == ("disbursement", 200_425, "1234.56", "EUR", "162.345", 42)
    applicable = get(hr, "/fx-rates/applicable?currency=EUR&on=2026-05-20")
    assert applicable.status_code == 200 and applicable.json["on"] == "2026-05-01"
    assert get(hr, "/fx-rates/applicable?currency=EUR&on=2026-04-20").status_code == 404
    assert get(hr, "/fx-rates?currency=EUR").json["total"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "-5", "currency": "JPY", "paid_on": "2026-05-01"}, "amount"),
        ({"amount": "0", "currency": "JPY", "paid_on": "2026-05-01"}, "amount"),
        ({"amount": "lots", "currency": "JPY", "paid_on": "2026-05-01"}, "amount"),
        ({"amount": "10", "currency": "ZZZ", "paid_on": "2026-05-01"}, "currency"),
        ({"amount": "10", "currency": "USD", "paid_on": "2026-05-01"}, "fx_rate"),
        ({"amount": "10", "currency": "USD", "fx_rate": "abc", "paid_on": "2026-05-01"}, "fx_rate"),
        ({"amount": "10", "currency": "JPY", "paid_on": "May"}, "paid_on"),
        (
            {"amount": "10", "currency": "JPY", "paid_on": "2026-05-01", "fiscal_year": 1850},
            "fiscal_year",
        ),
        (
            {"amount": "10", "currency": "JPY", "paid_on": "2026-05-01", "placement_id": "x"},
            "placement_id",
        ),
    ],
)
def test_bad_disbursements_are_400_with_fields(hr, body, field):
    fund(hr, category="training")
    body = {"category": "training"} | body
    before = entry_count()
    response = post(hr, "/disbursements", body)
    assert response.status_code == 400, response.json
    assert field in response.json["error"]["fields"], response.json
    assert entry_count() == before


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/contributions", {"amount_jpy": -1, "received_on": "2026-04-01"}, "amount_jpy"),
        ("/contributions", {"amount_jpy": 0, "received_on": "2026-04-01"}, "amount_jpy"),
        ("/contributions", {"amount_jpy": "ten", "received_on": "2026-04-01"}, "amount_jpy"),
        ("/contributions", {"amount_jpy": 10}, "received_on"),
        (
            "/budget-lines",
            {"fiscal_year": 1900, "category": "outgoing", "allocated_jpy": 1},
            "fiscal_year",
        ),
        (
            "/budget-lines",
            {"fiscal_year": "next", "category": "outgoing", "allocated_jpy": 1},
            "fiscal_year",
        ),
        (
            "/budget-lines",
            {"fiscal_year": 2026, "category": "cars", "allocated_jpy": 1},
            "category",
        ),
        (
            "/budget-lines",
            {"fiscal_year": 2026, "category": "outgoing", "allocated_jpy": 1.5},
            "allocated_jpy",
        ),
        ("/fx-rates", {"currency": "EURO", "on": "2026-04-01", "jpy_per_unit": "1"}, "currency"),
        (
            "/fx-rates",
            {"currency": "EUR", "on": "2026-04-01", "jpy_per_unit": "-1"},
            "jpy_per_unit",
        ),
        (
            "/fx-rates",
            {"currency": "EUR", "on": "2026-04-01", "jpy_per_unit": "abc"},
            "jpy_per_unit",
        ),
    ],
)
def test_bad_input_is_400_with_fields_and_writes_nothing(hr, path, body, field):
    before = entry_count()
    response = post(hr, path, body)
    assert response.status_code == 400, response.json
    assert field in response.json["error"]["fields"], response.json
    assert entry_count() == before


def test_malformed_json_is_400(hr):
    response = hr.post(
        BASE + "/contributions",
        data="{not json",
        headers=hr.headers,
        content_type="application/json",
    )
    assert response.status_code == 400


def test_summary_of_an_unknown_fiscal_year_is_400(hr):
    assert get(hr, "/summary?fiscal_year=abc").status_code == 400
    assert get(hr, "/summary?fiscal_year=1800").status_code == 400
    assert get(hr, "/summary").status_code == 200


def test_entries_list_filters_and_reverse(hr):
    from hrfund.fund import services

    fund(hr)
    services.commit_for_placement(hr.user, 9, 2026, "outgoing", 100_000)
    paid = post(
        hr,
        "/disbursements",
        {"placement_id": 9, "amount": "30000", "currency": "JPY", "paid_on": "2026-06-01"},
    ).json
    listing = get(hr, "/entries?fiscal_year=2026&placement_id=9").json
    assert [e["kind"] for e in listing["items"]] == ["disbursement", "commitment"]
    assert listing["total"] == 2 and listing["page"] == 1
    assert get(hr, "/entries?kind=contribution").json["total"] == 1
    assert get(hr, "/entries?kind=bogus").status_code == 400
    reversal = post(hr, f"/entries/{paid['id']}/reverse", {"memo": "wrong amount"})
    assert reversal.status_code == 201
    assert reversal.json["kind"] == "reversal" and reversal.json["reverses_id"] == paid["id"]
    again = post(hr, f"/entries/{reversal.json['id']}/reverse", {"memo": "undo"})
    assert again.status_code == 409 and again.json["error"]["code"] == "invalid_transition"
    assert post(hr, f"/entries/{paid['id']}/reverse", {}).status_code == 400
    assert post(hr, "/entries/999999/reverse", {"memo": "x"}).status_code == 404
    assert get(hr, f"/entries/{paid['id']}").json["amount_jpy"] == 30_000


def test_commitment_overspend_through_disbursement_is_409(hr):
    fund(hr, amount=1000, category="training")
    response = post(
        hr,
        "/disbursements",
        {"category": "training", "amount": "1001", "currency": "JPY", "paid_on": "2026-04-05"},
    )
    assert response.status_code == 409
    assert response.json["error"]["code"] == "insufficient_funds"


@pytest.mark.parametrize("role", ["employee", "manager", "coordinator", "admin", "auditor"])
def test_only_hr_writes(api_as, role):
    client = api_as(role)
    for path, body in (
        ("/contributions", {"amount_jpy": 1, "received_on": "2026-04-01"}),
        ("/budget-lines", {"fiscal_year": 2026, "category": "outgoing", "allocated_jpy": 1}),
        ("/fx-rates", {"currency": "EUR", "on": "2026-04-01", "jpy_per_unit": "1"}),
        ("/disbursements", {"amount": "1", "currency": "JPY", "paid_on": "2026-04-01"}),
        ("/entries/1/reverse", {"memo": "x"}),
    ):
        assert post(client, path, body).status_code == 403
    expected = 200 if role == "auditor" else 403
    assert get(client, "/summary").status_code == expected
    assert get(client, "/entries").status_code == expected


def test_close_fiscal_year_over_the_api(hr):
    fund(hr, amount=5000)
    response = post(hr, "/fiscal-years/2026/close", {"release_open_commitments": True})
    assert response.status_code == 200
    assert response.json["closed"] is True and response.json["fund"]["unallocated_jpy"] == 5000
    assert post(hr, "/fiscal-years/2026/close", {}).status_code == 409


def test_every_fund_route_is_in_the_openapi_document(app, hr):
    spec = hr.get("/api/v1/openapi.json").json
    for path in (
        "/fund/summary",
        "/fund/contributions",
        "/fund/budget-lines",
        "/fund/disbursements",
        "/fund/fx-rates",
        "/fund/entries",
        "/fund/entries/{entry_id}/reverse",
    ):
        assert any(p.endswith(path) for p in spec["paths"]), path
