"""Exchange rates: yen per unit of a currency on a date, recorded by HR."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from hrfund.core.audit import record_event
from hrfund.core.errors import Conflict, ValidationFailed
from hrfund.extensions import db
from hrfund.fund.amounts import FieldErrors, check_date, fail, parse_currency, parse_rate
from hrfund.fund.models import FxRate

log = logging.getLogger(__name__)

#: A payment uses the latest rate recorded on or before its date, if at most this old.
FX_RATE_MAX_AGE = timedelta(days=31)


def _rate_exists(code: str, rate_on: date, fields: dict[str, list[str]] | None = None) -> Conflict:
    """One rate per currency and date: what a second one is told (found first, or by the
    unique index when two arrive at once)."""
    message = _l(
        "A rate for %(currency)s on %(on)s is already recorded.",
        currency=code,
        on=rate_on.isoformat(),
    )
    return Conflict(str(message), fields)


def record_fx_rate(actor, currency: str, rate_on: date, jpy_per_unit) -> FxRate:
    """Record yen per unit of ``currency`` on ``rate_on``; one rate per currency and date."""
    errors = FieldErrors()
    code = errors.read(parse_currency, currency)
    if code == "JPY":
        errors.add(fail("currency", _l("The yen needs no exchange rate.")))
    errors.read(check_date, rate_on, "on")
    rate = errors.read(parse_rate, jpy_per_unit, "jpy_per_unit")
    errors.raise_any()
    if db.session.scalar(
        sa.select(FxRate.id).where(FxRate.currency == code, FxRate.rate_on == rate_on)
    ):
        raise _rate_exists(code, rate_on, fields={"on": [str(_l("already recorded"))]})
    fx = FxRate(
        currency=code, rate_on=rate_on, jpy_per_unit=rate, created_by_id=getattr(actor, "id", None)
    )
    try:
        with db.session.begin_nested():
            db.session.add(fx)
            db.session.flush()
    except IntegrityError:
        raise _rate_exists(code, rate_on) from None
    record_event(
        actor, "fund.fx_rate", fx, changes={"currency": code, "on": rate_on, "jpy_per_unit": rate}
    )
    log.info("fx rate %s %s = %s JPY by %s", code, rate_on, rate, getattr(actor, "email", actor))
    return fx


def rate_for(currency: str, on: date) -> FxRate | None:
    """The rate a payment on ``on`` uses: the latest recorded on or before it, ≤ 31 days old."""
    return db.session.scalar(
        sa.select(FxRate)
        .where(
            FxRate.currency == currency.upper(),
            FxRate.rate_on <= on,
            FxRate.rate_on >= on - FX_RATE_MAX_AGE,
        )
        .order_by(FxRate.rate_on.desc())
        .limit(1)
    )


def recorded_rate(currency: str, on: date) -> Decimal:
    """The recorded rate a payment on ``on`` uses; none is a clear error on ``fx_rate``."""
    recorded = rate_for(currency, on)
    if recorded is None:
        raise ValidationFailed(
            str(
                _l(
                    "No rate for %(currency)s is recorded on or in the 31 days before %(on)s. "
                    "Record one or enter the rate.",
                    currency=currency,
                    on=on.isoformat(),
                )
            ),
            fields={"fx_rate": [str(_l("no recorded rate; enter one"))]},
        )
    return recorded.jpy_per_unit


def fx_rates_query(currency: str | None = None) -> sa.Select:
    stmt = (
        sa.select(FxRate)
        .options(sa.orm.joinedload(FxRate.created_by))  # shown on each row
        .order_by(FxRate.rate_on.desc(), FxRate.currency)
    )
    if currency:
        stmt = stmt.where(FxRate.currency == currency.upper())
    return stmt
