"""Bodies, queries and answers of the fund API. Amounts and rates are read by the services'
own parsers (hrfund.fund.amounts); the schemas take them as integers or decimal strings."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from hrfund.core import apifields as f
from hrfund.core.apischemas import Answer, Body, OptionalBody, PageQuery, Query
from hrfund.fund.models import Category, EntryKind, Purpose

_MEMO: dict[str, Any] = {"max_length": 2000, "load_default": ""}


class SummaryQuery(Query):
    fiscal_year = f.Year(metadata={"description": "default: the current fiscal year"})


class ContributionIn(Body):
    amount_jpy = f.Yen(minimum=1, required=True)
    received_on = f.Date(required=True, allow_none=False)
    memo = f.Text(**_MEMO)


class BudgetLineIn(Body):
    fiscal_year = f.Year(required=True)
    category = f.Choice(Category, required=True)
    allocated_jpy = f.Yen(required=True)
    memo = f.Text(**_MEMO)


class DisbursementIn(Body):
    placement_id = f.Id(allow_none=True)
    amount = f.DecimalText(allow_none=True)
    amount_jpy = f.Yen(minimum=1, allow_none=True)
    currency = f.Text(max_length=3, load_default="JPY", metadata={"example": "EUR"})
    fx_rate = f.DecimalText(allow_none=True, metadata={"example": "162.345"})
    paid_on = f.Date(required=True, allow_none=False)
    memo = f.Text(**_MEMO)
    category = f.Choice(
        Category, allow_none=True, metadata={"description": "when not paying a placement"}
    )
    fiscal_year = f.Year(allow_none=True, metadata={"description": "default: that of paid_on"})
    purpose = f.Choice(Purpose, allow_none=True)


class FxRateIn(Body):
    currency = f.Text(required=True, max_length=200, metadata={"example": "EUR"})
    on = f.Date(required=True, allow_none=False)
    jpy_per_unit = f.DecimalText(required=True)


class FxRateQuery(PageQuery):
    currency = f.Text(max_length=200)


class ApplicableRateQuery(Query):
    currency = f.Text(required=True, max_length=200)
    on = f.Date(required=True, allow_none=False)


class EntriesQuery(PageQuery):
    fiscal_year = f.Year()
    category = f.Choice(Category)
    kind = f.Choice(EntryKind)
    placement_id = f.Id()
    from_ = f.Date(data_key="from")
    to = f.Date()


class ReverseIn(Body):
    memo = f.Text(max_length=2000, load_default="", metadata={"description": "why (required)"})


class CloseYearIn(OptionalBody):
    release_open_commitments = f.Boolean(load_default=False)


class EntrySchema(Answer):
    id = ma.fields.Integer()
    fiscal_year = ma.fields.Integer(allow_none=True)
    category = f.Choice(Category, allow_none=True)
    budget_line_id = ma.fields.Integer(allow_none=True)
    kind = f.Choice(EntryKind)
    reversed_kind = f.Choice(EntryKind, allow_none=True)
    amount_jpy = ma.fields.Integer()
    consumed_jpy = ma.fields.Integer(allow_none=True)
    amount = f.DecimalText(allow_none=True, normalize=True)
    currency = ma.fields.String(allow_none=True)
    fx_rate = f.DecimalText(allow_none=True, normalize=True)
    purpose = f.Choice(Purpose, allow_none=True)
    placement_id = ma.fields.Integer(allow_none=True)
    booked_on = f.Date()
    memo = ma.fields.String(allow_none=True)
    reverses_id = ma.fields.Integer(allow_none=True)
    created_by = ma.fields.Function(
        lambda e: e.created_by.email if e.created_by else None,
        metadata={"type": "string", "nullable": True},
    )
    created_at = f.Instant()


class FxRateSchema(Answer):
    id = ma.fields.Integer()
    currency = ma.fields.String()
    on = f.Date(attribute="rate_on")
    jpy_per_unit = f.DecimalText(normalize=True)


class FiguresSchema(Answer):
    allocated_jpy = ma.fields.Integer()
    committed_jpy = ma.fields.Integer()
    disbursed_jpy = ma.fields.Integer()
    available_jpy = ma.fields.Integer()


class LineSchema(FiguresSchema):
    category = f.Choice(Category)
    budget_line_id = ma.fields.Integer(allow_none=True)


class FundFiguresSchema(Answer):
    contributed_jpy = ma.fields.Integer()
    allocated_jpy = ma.fields.Integer()
    unallocated_jpy = ma.fields.Integer()
    contributed_in_year_jpy = ma.fields.Integer()


class SummarySchema(Answer):
    """A fiscal year's figures as DESIGN.md defines them."""

    fiscal_year = ma.fields.Integer()
    closed = ma.fields.Boolean()
    fund = ma.fields.Nested(FundFiguresSchema)
    lines = ma.fields.List(ma.fields.Nested(LineSchema))
    totals = ma.fields.Nested(FiguresSchema)


class BudgetLineSchema(FiguresSchema):
    """A budget line with its figures after the allocation, and the allocation entry."""

    id = ma.fields.Integer()
    fiscal_year = ma.fields.Integer()
    category = f.Choice(Category)
    entry = ma.fields.Nested(EntrySchema)
