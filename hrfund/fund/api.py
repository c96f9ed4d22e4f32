"""API routes of the fund (/api/v1/fund/…): thin over the same services as the pages."""

from __future__ import annotations

import sqlalchemy.orm as so
from flask import Blueprint, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from hrfund.core.apiutil import (
    created,
    iso_date,
    iso_instant,
    json_body,
    page_response,
    parse_date,
    parse_str,
)
from hrfund.core.errors import NotFound, ValidationFailed
from hrfund.core.fiscal import current_fiscal_year
from hrfund.core.permissions import roles_required
from hrfund.extensions import db
from hrfund.fund import figures, services
from hrfund.fund.amounts import decimal_text, parse_currency, parse_fiscal_year
from hrfund.fund.fx import fx_rates_query
from hrfund.fund.ledger_filters import parse_filters
from hrfund.fund.models import BudgetLine, FxRate, LedgerEntry

bp = Blueprint("fund_api", __name__, url_prefix="/fund")

READERS = ("hr", "auditor")


def entry_json(entry: LedgerEntry) -> dict:
    return {
        "id": entry.id,
        "fiscal_year": entry.fiscal_year,
        "category": entry.category.value if entry.category else None,
        "budget_line_id": entry.budget_line_id,
        "kind": entry.kind.value,
        "reversed_kind": entry.reversed_kind.value if entry.reversed_kind else None,
        "amount_jpy": entry.amount_jpy,
        "consumed_jpy": entry.consumed_jpy,
        "amount": decimal_text(entry.amount),
        "currency": entry.currency,
        "fx_rate": decimal_text(entry.fx_rate),
        "purpose": entry.purpose.value if entry.purpose else None,
        "placement_id": entry.placement_id,
        "booked_on": iso_date(entry.booked_on),
        "memo": entry.memo,
        "reverses_id": entry.reverses_id,
        "created_by": entry.created_by.email if entry.created_by else None,
        "created_at": iso_instant(entry.created_at),
    }


def fx_json(fx: FxRate) -> dict:
    return {
        "id": fx.id,
        "currency": fx.currency,
        "on": iso_date(fx.rate_on),
        "jpy_per_unit": decimal_text(fx.jpy_per_unit),
    }


def _memo(data: dict) -> str:
    return parse_str(data, "memo", max_length=2000)


@bp.route("/summary")
@roles_required(*READERS)
def summary():
    """Figures of a fiscal year.
    ---
    get:
      summary: Fund and budget-line figures of a fiscal year
      tags: [fund]
      parameters:
        - {name: fiscal_year, in: query, schema: {type: integer, example: 2026},
           description: "default: the current fiscal year (1 April to 31 March)"}
      responses:
        200: {description: "{fiscal_year, fund, lines, totals}"}
        400: {description: Unknown fiscal year}
        403: {description: Only HR and auditors}
    """
    raw = request.args.get("fiscal_year")
    year = parse_fiscal_year(raw, allow_empty=True) or current_fiscal_year()
    return services.summary(year).as_dict()


@bp.route("/contributions", methods=["POST"])
@roles_required("hr")
def create_contribution():
    """Record money flowing into the fund.
    ---
    post:
      summary: Record a contribution
      tags: [fund]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [amount_jpy, received_on]
              properties:
                amount_jpy: {type: integer, minimum: 1}
                received_on: {type: string, format: date}
                memo: {type: string}
      responses:
        201: {description: The ledger entry}
        400: {description: Invalid fields}
        403: {description: Only HR}
    """
    data = json_body()
    received_on = parse_date(data, "received_on", required=True)
    entry = services.contribute(current_user, data.get("amount_jpy"), received_on, _memo(data))
    return created(entry_json(entry))


@bp.route("/budget-lines", methods=["POST"])
@roles_required("hr")
def create_budget_line():
    """Allocate from the unallocated fund to a fiscal year's budget line.
    ---
    post:
      summary: Allocate to a budget line (made on first allocation)
      tags: [fund]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [fiscal_year, category, allocated_jpy]
              properties:
                fiscal_year: {type: integer, example: 2026}
                category: {type: string, enum: [outgoing, incoming, training, operations]}
                allocated_jpy: {type: integer, minimum: 1}
                memo: {type: string}
      responses:
        201: {description: The budget line with its figures and the allocation entry}
        400: {description: Invalid fields or unknown fiscal year}
        403: {description: Only HR}
        409: {description: "insufficient_funds: more than the unallocated fund"}
    """
    data = json_body()
    entry = services.allocate(
        current_user,
        data.get("fiscal_year"),
        data.get("category"),
        data.get("allocated_jpy"),
        _memo(data),
    )
    line = db.session.get(BudgetLine, entry.budget_line_id)
    return created(
        {"id": line.id, "fiscal_year": line.fiscal_year, "category": line.category.value}
        | figures.line_figures(line.id).as_dict()
        | {"entry": entry_json(entry)}
    )


@bp.route("/disbursements", methods=["POST"])
@roles_required("hr")
def create_disbursement():
    """Record a payment, in yen or in a foreign currency.
    ---
    post:
      summary: Record a disbursement
      description: >
        A payment for a placement is booked on the line of its commitment and first consumes
        it. A foreign amount without fx_rate uses the latest rate recorded for the currency
        on or in the 31 days before paid_on (else 400). Yen = amount × rate, rounded half up.
      tags: [fund]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [amount, currency, paid_on]
              properties:
                placement_id: {type: integer}
                amount: {type: string, example: "1234.56"}
                currency: {type: string, example: EUR}
                fx_rate: {type: string, example: "162.345"}
                paid_on: {type: string, format: date}
                memo: {type: string}
                category: {type: string, enum: [outgoing, incoming, training, operations],
                           description: needed when not paying a placement's commitment}
                fiscal_year: {type: integer, description: "default: that of paid_on"}
                purpose: {type: string, enum: [training, other]}
      responses:
        201: {description: The ledger entry with amount_jpy}
        400: {description: Invalid fields, unknown currency or no rate}
        403: {description: Only HR}
        409: {description: "insufficient_funds: the unbacked part exceeds the available;
              invalid_transition: the placement is declined or cancelled"}
    """
    data = json_body()
    paid_on = parse_date(data, "paid_on", required=True)
    entry = services.disburse(
        current_user,
        paid_on=paid_on,
        amount=data.get("amount"),
        currency=data.get("currency") or "JPY",
        fx_rate=data.get("fx_rate"),
        amount_jpy=data.get("amount_jpy"),
        placement_id=data.get("placement_id"),
        category=data.get("category"),
        fiscal_year=data.get("fiscal_year"),
        purpose=data.get("purpose"),
        memo=_memo(data),
    )
    return created(entry_json(entry))


@bp.route("/fx-rates", methods=["POST"])
@roles_required("hr")
def create_fx_rate():
    """Record an exchange rate.
    ---
    post:
      summary: Record yen per unit of a currency on a date
      tags: [fund]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [currency, "on", jpy_per_unit]
              properties:
                currency: {type: string, example: EUR}
                "on": {type: string, format: date}
                jpy_per_unit: {type: string, example: "162.345"}
      responses:
        201: {description: The rate}
        400: {description: Invalid fields}
        403: {description: Only HR}
        409: {description: "conflict: a rate for this currency and date exists"}
    """
    data = json_body()
    rate_on = parse_date(data, "on", required=True)
    fx = services.record_fx_rate(
        current_user, data.get("currency"), rate_on, data.get("jpy_per_unit")
    )
    return created(fx_json(fx))


@bp.route("/fx-rates")
@roles_required(*READERS)
def list_fx_rates():
    """Recorded exchange rates.
    ---
    get:
      summary: List exchange rates, newest first
      tags: [fund]
      parameters:
        - {name: currency, in: query, schema: {type: string}}
        - {name: page, in: query, schema: {type: integer}}
        - {name: per_page, in: query, schema: {type: integer, maximum: 200}}
      responses:
        200: {description: A page of rates}
    """
    currency = request.args.get("currency")
    if currency:
        currency = parse_currency(currency)
    return page_response(fx_rates_query(currency), fx_json)


@bp.route("/fx-rates/applicable")
@roles_required(*READERS)
def applicable_fx_rate():
    """The rate a payment on a date would use.
    ---
    get:
      summary: The recorded rate for a currency on a date
      tags: [fund]
      parameters:
        - {name: currency, in: query, required: true, schema: {type: string}}
        - {name: "on", in: query, required: true, schema: {type: string, format: date}}
      responses:
        200: {description: The rate}
        400: {description: Invalid currency or date}
        404: {description: No rate recorded on or in the 31 days before the date}
    """
    currency = parse_currency(request.args.get("currency"))
    on = parse_date(dict(request.args), "on", required=True)
    fx = services.rate_for(currency, on)
    if fx is None:
        raise NotFound(
            str(
                _l(
                    "No rate is recorded for %(currency)s on or before %(on)s.",
                    currency=currency,
                    on=on.isoformat(),
                )
            )
        )
    return fx_json(fx)


@bp.route("/entries")
@roles_required(*READERS)
def list_entries():
    """The ledger.
    ---
    get:
      summary: List ledger entries, newest first
      tags: [fund]
      parameters:
        - {name: fiscal_year, in: query, schema: {type: integer}}
        - {name: category, in: query, schema: {type: string}}
        - {name: kind, in: query, schema: {type: string, enum: [contribution, allocation,
           commitment, release, disbursement, reversal]}}
        - {name: placement_id, in: query, schema: {type: integer}}
        - {name: from, in: query, schema: {type: string, format: date}}
        - {name: to, in: query, schema: {type: string, format: date}}
        - {name: page, in: query, schema: {type: integer}}
        - {name: per_page, in: query, schema: {type: integer, maximum: 200}}
      responses:
        200: {description: A page of ledger entries}
        400: {description: Invalid filters}
        403: {description: Only HR and auditors}
    """
    filters, _errors = parse_filters(request.args, strict=True)
    stmt = figures.entries_query(**filters).options(so.joinedload(LedgerEntry.created_by))
    return page_response(stmt, entry_json)


@bp.route("/entries/<int:entry_id>")
@roles_required(*READERS)
def get_entry(entry_id: int):
    """One ledger entry.
    ---
    get:
      summary: A ledger entry
      tags: [fund]
      responses:
        200: {description: The entry}
        404: {description: No such entry}
    """
    return entry_json(services.get_entry(entry_id))


@bp.route("/entries/<int:entry_id>/reverse", methods=["POST"])
@roles_required("hr")
def reverse_entry(entry_id: int):
    """Correct an entry by appending its opposite.
    ---
    post:
      summary: Reverse a ledger entry
      tags: [fund]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [memo]
              properties:
                memo: {type: string, description: why}
      responses:
        201: {description: The reversing entry}
        400: {description: No memo}
        403: {description: Only HR}
        404: {description: No such entry}
        409: {description: "invalid_transition (a reversal, or already reversed) or
          insufficient_funds (a figure would fall below zero)"}
    """
    data = json_body()  # the service requires the memo, and says so in the reader's language
    return created(entry_json(services.reverse(current_user, entry_id, _memo(data))))


@bp.route("/fiscal-years/<int:fiscal_year>/close", methods=["POST"])
@roles_required("hr")
def close_fiscal_year(fiscal_year: int):
    """Close a fiscal year.
    ---
    post:
      summary: Close a fiscal year, returning what its lines did not use to the fund
      tags: [fund]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                release_open_commitments: {type: boolean, default: false}
      responses:
        200: {description: The year's summary after closing}
        400: {description: Unknown fiscal year}
        403: {description: Only HR}
        409: {description: Already closed}
    """
    data = json_body()
    release = data.get("release_open_commitments", False)
    if not isinstance(release, bool):
        raise ValidationFailed(
            str(_l("release_open_commitments must be true or false.")),
            fields={"release_open_commitments": [str(_l("must be true or false"))]},
        )
    services.close_fiscal_year(current_user, fiscal_year, release)
    return services.summary(fiscal_year).as_dict()
