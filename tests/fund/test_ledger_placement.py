"""The ledger's placement_id names a placement that exists (issue 11): a foreign key in the
database and a clear field error from the services, never a 500."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from hrfund.core.errors import ValidationFailed
from hrfund.extensions import db as _db
from hrfund.fund import services
from tests.fund.helpers import funded_line


def test_the_foreign_key_is_in_the_database(app, db):
    keys = sa.inspect(_db.session.connection()).get_foreign_keys("fund_entries")
    assert any(
        k["referred_table"] == "placements" and k["constrained_columns"] == ["placement_id"]
        for k in keys
    )


def test_services_refuse_an_unknown_placement(db, login_as):
    hr = login_as("hr").user
    funded_line(hr, amount=1_000_000)
    with pytest.raises(ValidationFailed) as refused:
        services.commit(hr, 987_654, 2026, "outgoing", 1000)
    assert set(refused.value.fields) == {"placement_id"}
    with pytest.raises(ValidationFailed) as refused:
        services.disburse(hr, paid_on=date(2026, 6, 1), amount="1000", placement_id=987_654)
    assert set(refused.value.fields) == {"placement_id"}
    assert services.commit(hr, 5, 2026, "outgoing", 1000).placement_id == 5  # exists


def test_api_answers_400_for_an_unknown_placement(api_as, db):
    hr = api_as("hr")
    funded_line(hr.user, amount=1_000_000)
    _db.session.commit()
    body = {"amount": "1000", "currency": "JPY", "paid_on": "2026-06-01", "placement_id": 987654}
    answer = hr.post("/api/v1/fund/disbursements", json=body, headers=hr.headers)
    assert answer.status_code == 400, answer.json
    assert "placement_id" in answer.json["error"]["fields"]
