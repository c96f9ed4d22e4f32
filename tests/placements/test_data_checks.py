"""Data that makes sense: nothing cut silently, dates checked against the placement, completing
early only on confirmation, with the open milestones named."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from hrfund.core.errors import ValidationFailed
from hrfund.placements import nominations
from hrfund.training import records
from tests.placements.test_scope_and_pages import _client


def test_an_agreement_title_over_the_limit_is_refused_not_cut(world, db):
    long_title = "ソウル・東京職員交流覚書" * 20  # 240 characters
    with force_locale("en"), pytest.raises(ValidationFailed) as refused:
        nominations.create_agreement(
            world.hr,
            city=world.seoul,
            title=long_title,
            starts_on=date(2025, 4, 1),
            ends_on=date(2028, 3, 31),
        )
    assert refused.value.fields["title"] == ["Use at most 200 characters (this has 240)."]


def test_the_agreement_page_shows_the_limit_and_keeps_the_text(app, world, db):
    c = _client(app, world.hr)
    page = c.get("/cities/SEL/agreements/new")
    assert page.status_code == 200 and b'maxlength="200"' in page.data
    assert b"js/char-counter.js" in page.data and b"{n} characters left" in page.data
    long_title = "覚書" * 101
    refused = c.post(
        "/cities/SEL/agreements/new",
        data={"title": long_title, "starts_on": "2025-04-01", "ends_on": "2028-03-31"},
    )
    assert refused.status_code == 422 and long_title.encode() in refused.data


def test_a_language_test_name_over_the_limit_is_refused_not_cut(world, db):
    with force_locale("en"), pytest.raises(ValidationFailed) as refused:
        records.add_language_score(
            world.hr,
            world.employee,
            test="other",
            test_name="x" * 101,
            score=50,
            taken_on=date(2026, 4, 1),
            level="B2" * 11,
        )
    assert "at most 100" in refused.value.fields["test_name"][0]
    assert "at most 20" in refused.value.fields["level"][0]  # both at once
