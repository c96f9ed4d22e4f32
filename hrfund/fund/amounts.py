"""Reading amounts, currencies and rates from people and programs; converting to yen.

Rounding rule: a foreign amount times its rate (yen per unit) is rounded **half up to the
whole yen** (``Decimal.quantize(Decimal(1), ROUND_HALF_UP)``): 1234.56 EUR at 162.345 is
200,424.6432 → ¥200,425; 100.10 USD at 150.005 is 15,015.5005 → ¥15,016; exactly half a yen
rounds up. Floats are never used.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from babel.numbers import get_currency_precision
from flask_babel import lazy_gettext as _l

from hrfund.core.errors import ValidationFailed
from hrfund.core.inputs import (
    MAX_ID,
    MAX_YEAR,
    MIN_YEAR,
    currency_codes,
    parse_id,
    parse_year,
    year_number,
)
from hrfund.core.yen import plain_decimal_text, read_yen
from hrfund.extensions import db
from hrfund.fund.models import Category


def fail(field: str, message) -> ValidationFailed:
    return ValidationFailed(str(message), fields={field: [str(message)]})


class FieldErrors:
    """Every field error of a service's inputs, said at once: each reading runs through
    :meth:`read`, which keeps a refusal instead of raising it, and :meth:`raise_any` raises one
    ``ValidationFailed`` with all the fields (before any lock is taken or anything written)."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}
        self.messages: list[str] = []

    def read(self, parse: Callable[..., Any], *args, **kwargs) -> Any:
        """``parse(*args, **kwargs)``, or None when it refuses (the refusal is kept)."""
        try:
            return parse(*args, **kwargs)
        except ValidationFailed as error:
            self.add(error)
            return None

    def add(self, error: ValidationFailed) -> None:
        self.messages.append(error.message)
        for name, texts in error.fields.items():
            self.fields.setdefault(name, []).extend(texts)

    def __contains__(self, name: str) -> bool:
        return name in self.fields

    def raise_any(self) -> None:
        if not self.messages:
            return
        if len(self.messages) == 1:
            raise ValidationFailed(self.messages[0], fields=self.fields)
        raise ValidationFailed(str(_l("Some fields are not valid.")), fields=self.fields)


def parse_memo(memo) -> str:
    """A posting's memo: text of at most 2000 characters (none is the empty memo)."""
    if memo is None:
        return ""
    if not isinstance(memo, str):
        raise fail("memo", _l("The memo must be text."))
    if len(memo) > 2000:
        raise fail("memo", _l("Use at most 2000 characters."))
    return memo.strip()


def decimal_text(value) -> str | None:
    """A Decimal as plain text without trailing zeros: 1234.5600 → "1234.56", 100 → "100"."""
    return None if value is None else f"{value.normalize():f}"


def plain_decimal(value) -> str:
    """The template filter ``plain_decimal``: ``decimal_text``, and nothing for no value."""
    return decimal_text(value) or ""


def to_yen(amount: Decimal, rate: Decimal) -> int:
    """A foreign amount in yen at ``rate`` yen per unit, rounded half up to the whole yen."""
    return int((amount * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_yen(value, field: str = "amount_jpy", *, allow_empty: bool = False) -> int | None:
    """A whole, positive number of yen, typed the Japanese way too (see hrfund.core.yen)."""
    return read_yen(value, field, allow_empty=allow_empty)


def parse_decimal(
    value, field: str, *, allow_empty: bool = False, positive_message=None
) -> Decimal | None:
    """A positive decimal from a string or number (a float is read through its shortest text)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if allow_empty:
            return None
        raise fail(field, _l("Enter a number."))
    if isinstance(value, bool):
        raise fail(field, _l("Enter a number, for example 1234.56."))
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, int | Decimal):
        value = str(value)
    text = plain_decimal_text(value) if isinstance(value, str) else None
    if text is None:
        raise fail(field, _l("Enter a number, for example 1234.56."))
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise fail(field, _l("Enter a number, for example 1234.56.")) from None
    if number <= 0:
        raise fail(field, positive_message or _l("The amount must be positive (more than zero)."))
    if number >= Decimal(10) ** 14:
        raise fail(field, _l("The amount is too large."))
    return number


def parse_rate(value, field: str = "fx_rate", *, allow_empty: bool = False) -> Decimal | None:
    """Yen per unit: positive, at most six decimals."""
    rate = parse_decimal(
        value,
        field,
        allow_empty=allow_empty,
        positive_message=_l("The rate must be more than zero (yen per unit)."),
    )
    if rate is None:
        return None
    if not rate.is_finite() or int(rate.as_tuple().exponent) < -6 or rate >= Decimal(10) ** 12:
        raise fail(field, _l("Use a rate with at most six decimals, for example 162.345."))
    return rate


def parse_currency(value, field: str = "currency") -> str:
    """An ISO 4217 code, upper-cased."""
    if not isinstance(value, str) or not value.strip():
        raise fail(field, _l("Enter a currency code, for example EUR."))
    code = value.strip().upper()
    if code not in currency_codes():
        raise fail(field, _l("Unknown currency: use an ISO 4217 code, for example EUR."))
    return code


def check_precision(amount: Decimal, currency: str, field: str = "amount") -> None:
    """A foreign amount has no more decimals than its currency's minor unit."""
    places = get_currency_precision(currency)
    if not amount.is_finite() or int(amount.as_tuple().exponent) < -places:
        raise fail(
            field,
            _l("%(currency)s has %(places)d decimals at most.", currency=currency, places=places),
        )


def parse_fiscal_year(
    value, field: str = "fiscal_year", *, allow_empty: bool = False
) -> int | None:
    """A fiscal year the fund can keep books for (core's years, said in the fund's words)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if allow_empty:
            return None
        raise fail(field, _l("Enter a fiscal year, for example 2026."))
    number = year_number(value)
    if number is None:
        raise fail(field, _l("Enter a fiscal year, for example 2026."))
    try:
        return parse_year(number, field)
    except ValidationFailed:
        raise fail(field, _l("Unknown fiscal year %(year)s.", year=number)) from None


def parse_category(value, field: str = "category", *, allow_empty: bool = False):
    if value in (None, "") and allow_empty:
        return None
    try:
        return Category(value)
    except ValueError:
        raise fail(field, _l("Choose outgoing, incoming, training or operations.")) from None


#: The placements table, by name only: placements sit above the fund, which never imports them,
#: but a ledger entry may only name a placement that exists (the foreign key says so too).
PLACEMENTS = sa.table("placements", sa.column("id"))


def _number_no_id_can_be(value) -> int | None:
    """A whole number typed where an id goes that no id can be: 0, or past 2³¹-1 (a 20-digit
    number). None for anything else, a number with leading zeros among them."""
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        digits = value.strip()
        value = int(digits) if len(digits) <= 100 and digits == str(int(digits)) else None
    if isinstance(value, int) and not isinstance(value, bool) and not 1 <= value <= MAX_ID:
        return value if value >= 0 else None
    return None


def parse_placement_id(
    value, field: str = "placement_id", *, allow_empty: bool = True, must_exist: bool = False
) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if allow_empty:
            return None
        raise fail(field, _l("Enter a placement number."))
    number = parse_id(value)
    if number is None:
        typed = _number_no_id_can_be(value)
        if typed is None:
            raise fail(field, _l("Enter a placement number."))
        raise fail(field, _l("There is no placement %(id)d.", id=typed))
    value = number
    if (
        must_exist
        and db.session.scalar(sa.select(PLACEMENTS.c.id).where(PLACEMENTS.c.id == value)) is None
    ):
        raise fail(field, _l("There is no placement %(id)d.", id=value))
    return value


def check_date(value, field: str) -> date:
    """A booking date, in the years the fund can book (core's year range): a payment dated
    9999 would fall in no fiscal year."""
    if not isinstance(value, date):
        raise fail(field, _l("Enter a date as YYYY-MM-DD."))
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise fail(
            field, _l("Enter a date from %(first)d to %(last)d.", first=MIN_YEAR, last=MAX_YEAR)
        )
    return value
