"""The one reader of yen amounts typed by people, sent by programs or read from imports.

People in Tokyo type amounts the Japanese way: full-width digits from an IME (１５０，０００),
a yen sign in front (¥ or ￥), 円 behind, and thousands separators (``,`` or ``，``). The text
is normalised (NFKC, which turns full-width forms into ASCII), the signs and separators are
dropped, and what remains must be a whole number. A minus sign is recognised so that the
message can say the amount must be positive rather than "not a number".
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field
from wtforms.widgets import TextInput

from hrfund.core.errors import ValidationFailed

#: Largest yen amount one entry may carry (a trillion yen), well inside BIGINT.
MAX_YEN = 10**12
_SIGNS = re.compile(r"[¥円\s]")
_MINUS = "-−－‐‑–—"  # hyphen-minus, minus sign, full-width and dash look-alikes
_WHOLE = re.compile(r"^[0-9]{1,3}(,[0-9]{3})*$|^[0-9]+$")
_DECIMAL = re.compile(r"^([0-9]{1,3}(,[0-9]{3})*|[0-9]+)(\.[0-9]+)?$")


def normalise_number_text(text: str) -> tuple[str, bool]:
    """``text`` in ASCII without yen signs, 円 or spaces; and whether it started with a minus.
    Thousands separators stay, so that the caller can check they are in the right places."""
    plain = _SIGNS.sub("", unicodedata.normalize("NFKC", text))
    negative = bool(plain) and plain[0] in _MINUS
    return (plain[1:] if negative else plain), negative


def plain_decimal_text(text: str) -> str | None:
    """A decimal typed the Japanese way as plain ASCII ("１，２３４．５" → "1234.5"), or None."""
    plain, negative = normalise_number_text(text)
    if not _DECIMAL.match(plain):
        return None
    return ("-" if negative else "") + plain.replace(",", "")


def _fail(field: str, message: object) -> ValidationFailed:
    return ValidationFailed(str(message), fields={field: [str(message)]})


def read_yen(
    value: object,
    field: str = "amount_jpy",
    *,
    minimum: int = 1,
    maximum: int = MAX_YEN,
    allow_empty: bool = False,
) -> int | None:
    """A whole number of yen from an int or a text; ``minimum`` is 1 for an amount to commit
    or pay, 0 for a cost that may be nothing."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if allow_empty:
            return None
        raise _fail(field, _l("Enter an amount in yen."))
    number = _whole_number(value, field)
    if number < 0 or number < minimum:
        if minimum >= 1:
            raise _fail(field, _l("The amount must be positive (more than zero)."))
        raise _fail(field, _l("The amount must be zero or positive."))
    if number > maximum:
        raise _fail(field, _l("The amount is too large."))
    return number


def _whole_number(value: object, field: str) -> int:
    if isinstance(value, bool):
        raise _fail(field, _l("Enter a whole number of yen."))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if not isinstance(value, str):
        from decimal import Decimal

        if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral():
            return int(value)
        raise _fail(field, _l("Enter a whole number of yen, for example 150000."))
    plain, negative = normalise_number_text(value)
    if not _WHOLE.match(plain) or len(plain) > 24:
        raise _fail(field, _l("Enter a whole number of yen, for example 150000 or ¥150,000."))
    number = int(plain.replace(",", ""))
    return -number if negative else number


class YenField(Field):  # type: ignore[misc]  # wtforms has no type information
    """A form field for an amount in yen, read by :func:`read_yen`: what the user typed stays
    in the box when it is refused, and the message is the same as in the API."""

    widget = TextInput()

    def __init__(
        self, label: object = None, validators: Any = None, *, minimum: int = 1, **kwargs: Any
    ) -> None:
        render_kw = {"inputmode": "numeric", "autocomplete": "off"} | kwargs.pop("render_kw", {})
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.minimum = minimum

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = read_yen(valuelist[0], self.name, minimum=self.minimum)
        except ValidationFailed as error:
            self.data = None
            raise ValueError(error.message) from None
