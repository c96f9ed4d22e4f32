"""The fund reads years, placement numbers and currencies with core's rules (one place each),
said in its own words on its own fields."""

from __future__ import annotations

import pytest

from hrfund.core import inputs
from hrfund.core.errors import ValidationFailed
from hrfund.fund import amounts
from hrfund.org import services as org


def test_one_list_of_currencies():
    assert amounts.currency_codes is inputs.currency_codes
    assert org.currency_codes is inputs.currency_codes
    assert {"EUR", "KRW", "JPY"} <= inputs.currency_codes()


@pytest.mark.parametrize(
    "typed, message",
    [
        ("", "Enter a fiscal year, for example 2026."),
        ("twenty", "Enter a fiscal year, for example 2026."),
        (True, "Enter a fiscal year, for example 2026."),
        ("1999", "Unknown fiscal year 1999."),
        (2200, "Unknown fiscal year 2200."),
    ],
)
def test_a_fiscal_year_refused_in_the_funds_words(app, typed, message):
    with pytest.raises(ValidationFailed) as refused:
        amounts.parse_fiscal_year(typed, "year")
    assert refused.value.fields == {"year": [message]}


def test_a_fiscal_year_read_as_core_reads_a_year(app):
    for typed in ("2026", " ２０２６ ", 2026, "2000", "2199"):
        assert amounts.parse_fiscal_year(typed) == inputs.parse_year(typed)


@pytest.mark.parametrize("typed", ["-3", "abc", "1.5", False, "²", "000000000012", -4, "1" * 101])
def test_a_placement_number_refused_where_core_refuses_an_id(app, typed):
    assert inputs.parse_id(typed) is None
    with pytest.raises(ValidationFailed) as refused:
        amounts.parse_placement_id(typed, "entry_placement")
    assert refused.value.fields == {"entry_placement": ["Enter a placement number."]}


@pytest.mark.parametrize(
    "typed, number",
    [
        ("0", 0),
        (0, 0),
        (str(inputs.MAX_ID + 1), inputs.MAX_ID + 1),
        (" 12345678901234567890 ", 12345678901234567890),
        (12345678901234567890, 12345678901234567890),
    ],
)
def test_a_number_no_placement_can_have_is_said_to_be_no_placement(app, typed, number):
    """A number was typed, so "Enter a placement number." would be wrong: there is none."""
    assert inputs.parse_id(typed) is None
    with pytest.raises(ValidationFailed) as refused:
        amounts.parse_placement_id(typed, "entry_placement")
    assert refused.value.fields == {"entry_placement": [f"There is no placement {number}."]}


def test_a_placement_number_read_as_core_reads_an_id(app):
    for typed in ("12", " 12 ", 12, str(inputs.MAX_ID)):
        assert amounts.parse_placement_id(typed) == inputs.parse_id(typed)
