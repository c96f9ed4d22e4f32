"""Payments (disbursements): in yen, or converted from a foreign currency at a rate.

Reached through ``hrfund.fund.services`` (the one door of the fund). Every field error of a
payment is said at once: the amount, its currency and rate, the date, the placement, the line
and the memo are all read before one refusal names each wrong field.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from hrfund.core.fiscal import fiscal_year_of
from hrfund.fund import figures
from hrfund.fund.amounts import (
    FieldErrors,
    check_date,
    check_precision,
    fail,
    parse_category,
    parse_currency,
    parse_decimal,
    parse_fiscal_year,
    parse_memo,
    parse_placement_id,
    parse_rate,
    parse_yen,
    to_yen,
)
from hrfund.fund.figures import open_commitment
from hrfund.fund.fx import recorded_rate
from hrfund.fund.models import Category, EntryKind, LedgerEntry, Purpose
from hrfund.fund.placement_state import (
    placement_standing,
    refuse_payment_if_ended,
    refuse_unknown_placement,
)
from hrfund.fund.posting import (
    Effect,
    append_entry,
    check_figures,
    check_year_known,
    line_of,
    lock_booked_line,
    take_write_lock,
)

#: What a payment not for a placement may be for.
OTHER_PURPOSES = {p.value for p in Purpose} - {"placement"}


def _amount(errors: FieldErrors, code: str | None, amount, amount_jpy, fx_rate):
    """The amount as typed (yen, or a foreign amount and the rate typed in, if any); of an
    unknown currency, only that it is a positive number and the rate one too."""
    if code == "JPY":
        given = amount if amount not in (None, "") else amount_jpy
        return errors.read(parse_yen, given, "amount"), None
    value = errors.read(parse_decimal, amount, "amount")
    if value is not None and code is not None:
        errors.read(check_precision, value, code)
    return value, errors.read(parse_rate, fx_rate, "fx_rate", allow_empty=True)


def _purpose(errors: FieldErrors, purpose) -> None:
    if purpose and purpose not in OTHER_PURPOSES:
        errors.add(
            fail("purpose", _l("Choose training or other (a placement is named by its number)."))
        )


def disburse(
    actor,
    *,
    paid_on: date,
    amount=None,
    currency: str = "JPY",
    fx_rate=None,
    amount_jpy=None,
    placement_id=None,
    category=None,
    fiscal_year=None,
    purpose=None,
    memo: str = "",
) -> LedgerEntry:
    """Record a payment, in yen or converted from a foreign currency at a recorded rate.

    A payment for a placement is booked on the line of its commitment and first consumes
    what is still committed; only the rest (the unbacked part) must fit the line's available.
    """
    errors = FieldErrors()
    paid_on = errors.read(check_date, paid_on, "paid_on")
    code = errors.read(parse_currency, currency or "JPY")
    memo = errors.read(parse_memo, memo)
    value, rate = _amount(errors, code, amount, amount_jpy, fx_rate)
    take_write_lock()  # SQLite: before the first read (the placement's existence below)
    placement_id = errors.read(parse_placement_id, placement_id, must_exist=True)
    if code not in (None, "JPY") and rate is None and "fx_rate" not in errors and paid_on:
        rate = errors.read(recorded_rate, code, paid_on)
    placement_standing(placement_id)  # its row locked before the line's, as transitions do
    line_id = figures.placement_line_id(placement_id) if placement_id is not None else None
    if line_id is None and "placement_id" not in errors:
        category = errors.read(parse_category, category)
        fiscal_year = errors.read(parse_fiscal_year, fiscal_year, allow_empty=True)
        if fiscal_year is None and paid_on is not None and "fiscal_year" not in errors:
            fiscal_year = fiscal_year_of(paid_on)
        if fiscal_year is not None:
            errors.read(check_year_known, fiscal_year)
    if placement_id is None:
        _purpose(errors, purpose)
    foreign = None
    if code not in (None, "JPY") and value is not None and rate is not None:
        amount_jpy = to_yen(value, rate)
        if amount_jpy <= 0:
            errors.add(fail("amount", _l("The amount is less than one yen.")))
        foreign = (value, code, rate)
    else:
        amount_jpy = value
    errors.raise_any()
    refuse_payment_if_ended(placement_id)
    if line_id is None and placement_id is not None:
        refuse_unknown_placement(placement_id)
    if line_id is None:
        line_id = line_of(fiscal_year, category).id
    line = lock_booked_line(line_id)
    consumed = min(amount_jpy, open_commitment(placement_id)) if placement_id else 0
    check_figures(Effect(committed=-consumed, disbursed=amount_jpy), line, placement_id)
    if placement_id is None:
        purpose = (
            Purpose(purpose)
            if purpose
            else (Purpose.TRAINING if line.category == Category.TRAINING else Purpose.OTHER)
        )
    return append_entry(
        actor,
        kind=EntryKind.DISBURSEMENT,
        amount_jpy=amount_jpy,
        line=line,
        fiscal_year=line.fiscal_year,
        booked_on=paid_on,
        consumed_jpy=consumed,
        memo=memo,
        placement_id=placement_id,
        purpose=purpose,
        foreign=foreign,
    )
