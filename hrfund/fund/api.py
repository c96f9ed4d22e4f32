"""API routes of the fund (/api/v1/fund/…): thin over the same services as the pages."""

from __future__ import annotations

import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from hrfund.core.apiblueprint import ApiBlueprint
from hrfund.core.apischemas import page_of
from hrfund.core.apiutil import paged
from hrfund.core.errors import NotFound
from hrfund.core.fiscal import current_fiscal_year
from hrfund.core.permissions import roles_required
from hrfund.fund import figures, services
from hrfund.fund.amounts import parse_currency
from hrfund.fund.fx import fx_rates_query
from hrfund.fund.models import Category, EntryKind, LedgerEntry
from hrfund.fund.schemas import (
    ApplicableRateQuery,
    BudgetLineIn,
    BudgetLineSchema,
    CloseYearIn,
    ContributionIn,
    DisbursementIn,
    EntriesQuery,
    EntrySchema,
    FxRateIn,
    FxRateQuery,
    FxRateSchema,
    ReverseIn,
    SummaryQuery,
    SummarySchema,
)

bp = ApiBlueprint("fund_api", __name__, url_prefix="/fund", description="The fund's ledger")

READERS = ("hr", "auditor")


@bp.route("/summary")
@roles_required(*READERS)
@bp.arguments(SummaryQuery, location="query")
@bp.response(200, SummarySchema)
def summary(args):
    """Fund and budget-line figures of a fiscal year (1 April to 31 March)"""
    return services.summary(args.get("fiscal_year") or current_fiscal_year()).as_dict()


@bp.route("/contributions", methods=["POST"])
@roles_required("hr")
@bp.arguments(ContributionIn)
@bp.response(201, EntrySchema)
def create_contribution(values):
    """Record money flowing into the fund"""
    return services.contribute(
        current_user, values["amount_jpy"], values["received_on"], values["memo"]
    )


@bp.route("/budget-lines", methods=["POST"])
@roles_required("hr")
@bp.arguments(BudgetLineIn)
@bp.response(201, BudgetLineSchema)
def create_budget_line(values):
    """Allocate from the unallocated fund to a fiscal year's budget line.

    The line is made on its first allocation; more than the unallocated fund is a 409
    insufficient_funds.
    """
    entry = services.allocate(
        current_user,
        values["fiscal_year"],
        values["category"],
        values["allocated_jpy"],
        values["memo"],
    )
    line = entry.budget_line
    assert line is not None  # an allocation is booked on its line (the entries' check says so)
    return (
        {"id": line.id, "fiscal_year": line.fiscal_year, "category": line.category}
        | figures.line_figures(line.id).as_dict()
        | {"entry": entry}
    )


@bp.route("/disbursements", methods=["POST"])
@roles_required("hr")
@bp.arguments(DisbursementIn)
@bp.response(201, EntrySchema)
def create_disbursement(values):
    """Record a payment, in yen or in a foreign currency.

    A payment for a placement is booked on the line of its commitment and first consumes it. A
    foreign amount without fx_rate uses the latest rate recorded for the currency on or in the
    31 days before paid_on (else 400). Yen = amount × rate, rounded half up.
    """
    values["currency"] = values.get("currency") or "JPY"
    return services.disburse(current_user, **values)


@bp.route("/fx-rates", methods=["POST"])
@roles_required("hr")
@bp.arguments(FxRateIn)
@bp.response(201, FxRateSchema)
def create_fx_rate(values):
    """Record yen per unit of a currency on a date (409 conflict: one exists for that date)"""
    return services.record_fx_rate(
        current_user, values["currency"], values["on"], values["jpy_per_unit"]
    )


@bp.route("/fx-rates")
@roles_required(*READERS)
@bp.arguments(FxRateQuery, location="query")
@bp.response(200, page_of(FxRateSchema))
def list_fx_rates(args):
    """Recorded exchange rates, newest first"""
    currency = args.get("currency")
    return paged(fx_rates_query(parse_currency(currency) if currency else None))


@bp.route("/fx-rates/applicable")
@roles_required(*READERS)
@bp.arguments(ApplicableRateQuery, location="query")
@bp.response(200, FxRateSchema)
def applicable_fx_rate(args):
    """The rate a payment on a date would use (404: none on or in the 31 days before)"""
    currency, on = parse_currency(args["currency"]), args["on"]
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
    return fx


@bp.route("/entries")
@roles_required(*READERS)
@bp.arguments(EntriesQuery, location="query")
@bp.response(200, page_of(EntrySchema))
def list_entries(args):
    """The ledger, newest first"""
    stmt = figures.entries_query(
        fiscal_year=args.get("fiscal_year"),
        category=Category(args["category"]) if args.get("category") else None,
        kind=EntryKind(args["kind"]) if args.get("kind") else None,
        placement_id=args.get("placement_id"),
        booked_from=args.get("from_"),
        booked_to=args.get("to"),
    )
    return paged(stmt.options(so.joinedload(LedgerEntry.created_by)))


@bp.route("/entries/<int:entry_id>")
@roles_required(*READERS)
@bp.response(200, EntrySchema)
def get_entry(entry_id: int):
    """A ledger entry"""
    return services.get_entry(entry_id)


@bp.route("/entries/<int:entry_id>/reverse", methods=["POST"])
@roles_required("hr")
@bp.arguments(ReverseIn)
@bp.response(201, EntrySchema)
def reverse_entry(values, entry_id: int):
    """Correct an entry by appending its opposite.

    409 invalid_transition for a reversal or an entry reversed already, insufficient_funds
    when a figure would fall below zero.
    """
    # the service requires the memo, and says so in the reader's language
    return services.reverse(current_user, entry_id, values["memo"])


@bp.route("/fiscal-years/<int:fiscal_year>/close", methods=["POST"])
@roles_required("hr")
@bp.arguments(CloseYearIn)
@bp.response(200, SummarySchema)
def close_fiscal_year(values, fiscal_year: int):
    """Close a fiscal year, returning what its lines did not use to the fund (409: closed)"""
    services.close_fiscal_year(current_user, fiscal_year, values["release_open_commitments"])
    return services.summary(fiscal_year).as_dict()
