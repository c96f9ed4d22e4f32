"""Checking the values of training records and language scores: decimals, score scales, validity."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

from flask_babel import lazy_gettext as _l

from hrfund.auth.models import User
from hrfund.core.files import DOCUMENT_KINDS, store_upload
from hrfund.training.models import (
    LanguageTest,
)

TENTH = Decimal("0.1")
#: score range and step of each test; "other" only needs a non-negative score.
SCORE_RULES: dict[LanguageTest, tuple[Decimal, Decimal, Decimal]] = {
    LanguageTest.TOEIC: (Decimal(10), Decimal(990), Decimal(5)),
    LanguageTest.IELTS: (Decimal(0), Decimal(9), Decimal("0.5")),
    LanguageTest.TOEFL_IBT: (Decimal(0), Decimal(120), Decimal(1)),
    LanguageTest.HSK: (Decimal(0), Decimal(300), Decimal(1)),
    LanguageTest.TOPIK: (Decimal(0), Decimal(300), Decimal(1)),
    LanguageTest.DELF_DALF: (Decimal(0), Decimal(100), Decimal("0.5")),
    LanguageTest.GOETHE: (Decimal(0), Decimal(100), Decimal("0.5")),
}
#: Results these tests' owners publish as valid for two years; used when no expiry is given.
DEFAULT_VALIDITY_YEARS = {
    LanguageTest.IELTS: 2,
    LanguageTest.TOEFL_IBT: 2,
    LanguageTest.TOEIC: 2,
    LanguageTest.HSK: 2,
    LanguageTest.TOPIK: 2,
}


# ---------------------------------------------------------------- parsing helpers


def to_decimal(value: Any, field: str, errors: dict, *, required: bool = False) -> Decimal | None:
    """A Decimal from a number or a string (never through float arithmetic)."""
    if value is None or value == "":
        if required:
            errors.setdefault(field, []).append(str(_l("This field is required.")))
        return None
    if isinstance(value, bool):
        value = "x"
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        errors.setdefault(field, []).append(str(_l("Enter a number, for example 6.5.")))
        return None
    if number < 0 or number >= 1_000_000:
        errors.setdefault(field, []).append(str(_l("Enter a number of 0 or more.")))
        return None
    if number != number.quantize(TENTH, rounding="ROUND_DOWN"):
        errors.setdefault(field, []).append(str(_l("Use at most one decimal place.")))
        return None
    return number.quantize(TENTH)


def check_score(test: LanguageTest, score: Decimal | None, errors: dict) -> None:
    if score is None or test not in SCORE_RULES:
        return
    low, high, step = SCORE_RULES[test]
    if not (low <= score <= high) or (score - low) % step != 0:
        errors.setdefault("score", []).append(
            str(
                _l(
                    "A %(test)s score is between %(low)s and %(high)s in steps of %(step)s.",
                    test=test_label_plain(test),
                    low=low,
                    high=high,
                    step=step,
                )
            )
        )


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def test_label_plain(test: LanguageTest) -> str:
    from hrfund.training.labels import test_label

    return test_label(test)


def store_certificate(certificate: tuple[BinaryIO, str] | None, owner: User, actor):
    if not certificate:
        return None
    stream, filename = certificate
    return store_upload(stream, filename, owner=owner, actor=actor, kinds=DOCUMENT_KINDS)
