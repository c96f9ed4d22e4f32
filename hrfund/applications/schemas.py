"""Bodies, queries and answers of the calls, applications and delegations API."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from hrfund.applications.models import ApplicationStatus, CallStatus, total_of
from hrfund.core import apifields as f
from hrfund.core.apischemas import Answer, Body, Comment, OptionalBody, PageQuery, Query
from hrfund.training.models import LanguageTest

#: A yen amount of the budget: the application's rules read it (and say what is wrong).
_YEN: dict[str, Any] = {"metadata": {"type": "integer", "minimum": 0}}


class CallQuery(PageQuery):
    status = f.Choice(CallStatus)


class SlotIn(Query):
    city = f.Text(max_length=10, metadata={"description": "city code"})
    positions = f.WholeNumber(minimum=0, maximum=1000)
    months = f.WholeNumber(minimum=0, maximum=120)
    estimated_cost_jpy = f.Yen()


class LanguageRuleIn(Query):
    # both optional here: the call's rules say which is missing or out of the test's range
    test = f.Choice(LanguageTest)
    min_score = ma.fields.Raw(metadata={"type": "string", "description": "a number"})


class RulesIn(Query):
    min_years_of_service = f.WholeNumber(minimum=0, maximum=100)
    language = f.Nested(LanguageRuleIn)
    required_programs = f.List(f.Id())


class CallIn(Body):
    title = f.Text(
        load_default="", max_length=200, metadata={"description": "when not given in each language"}
    )
    title_ja = f.Text(load_default="", max_length=200)
    title_en = f.Text(load_default="", max_length=200)
    fiscal_year = f.Year(required=True)
    opens_on = f.Date(required=True, allow_none=False)
    closes_on = f.Date(required=True, allow_none=False)
    slots = f.List(f.Nested(SlotIn), load_default=list)
    rules = f.Nested(RulesIn, load_default=dict)
    description = f.Text(load_default="")


class BudgetIn(Query):
    travel_jpy = ma.fields.Raw(**_YEN)
    stipend_jpy = ma.fields.Raw(**_YEN)
    housing_jpy = ma.fields.Raw(**_YEN)


class ApplicationPatch(Body):
    """Any of the fields of a new application; those left out stay as they are."""

    preferences = f.List(f.Text(max_length=10), metadata={"description": "city codes"})
    statement = f.Text(max_length=10_000)
    start_on = f.Date()
    end_on = f.Date()
    budget = f.Nested(BudgetIn, allow_none=True)


class ApplicationIn(ApplicationPatch):
    call_id = f.Id(required=True)


class ApplicationQuery(PageQuery):
    status = f.Choice(ApplicationStatus)
    call_id = f.Id()
    city = f.Text(max_length=10)
    eligible = f.Choice(["yes", "no"], metadata={"description": "needs call_id"})


class ApproveIn(Comment):
    city = f.Text(max_length=10, load_default="")
    start_on = f.Date(required=True, allow_none=False)
    end_on = f.Date(required=True, allow_none=False)
    amount_jpy = f.Yen(minimum=1, required=True)


class DelegationQuery(PageQuery):
    principal = f.Text(max_length=254, metadata={"description": "e-mail, name or id"})
    deputy = f.Text(max_length=254, metadata={"description": "e-mail, name or id"})
    state = f.Choice(["active", "future", "ended"])


class DelegationIn(Body):
    deputy = f.UserRef(required=True)
    starts_on = f.Date(required=True, allow_none=False)
    ends_on = f.Date(required=True, allow_none=False)


class EndDelegationIn(OptionalBody):
    comment = f.Text(max_length=2000, allow_none=True)


class SlotSchema(Answer):
    city = ma.fields.Function(lambda s: s.city.code, metadata={"type": "string"})
    positions = ma.fields.Integer()
    months = ma.fields.Integer()
    estimated_cost_jpy = ma.fields.Integer()


class CallSchema(Answer):
    id = ma.fields.Integer()
    title = ma.fields.String()
    title_ja = ma.fields.String(allow_none=True)
    title_en = ma.fields.String(allow_none=True)
    fiscal_year = ma.fields.Integer()
    opens_on = f.Date()
    closes_on = f.Date()
    closes_at = ma.fields.Function(
        lambda call: _deadline(call), metadata={"type": "string", "format": "date-time"}
    )
    status = f.Choice(CallStatus)
    slots = ma.fields.List(ma.fields.Nested(SlotSchema))
    rules = ma.fields.Function(lambda call: call.rules or {}, metadata={"type": "object"})


def _deadline(call) -> str | None:
    from hrfund.applications.calls import deadline

    value = deadline(call)
    return value.isoformat() if value else None


class ApplicantSchema(Answer):
    id = ma.fields.Integer()
    name = ma.fields.Function(lambda user: user.display_name("en"), metadata={"type": "string"})
    email = ma.fields.String()


class BudgetSchema(Answer):
    travel_jpy = ma.fields.Integer()
    stipend_jpy = ma.fields.Integer()
    housing_jpy = ma.fields.Integer()
    total_jpy = ma.fields.Integer()


class StepSchema(Answer):
    at = ma.fields.String(metadata={"format": "date-time"})
    actor = ma.fields.String(allow_none=True)
    from_ = ma.fields.String(data_key="from", allow_none=True)
    to = ma.fields.String(allow_none=True)
    comment = ma.fields.String(allow_none=True)
    on_behalf_of = ma.fields.Raw(allow_none=True)


class ApplicationSchema(Answer):
    """An application with its history (dumped from an ApplicationView)."""

    id = ma.fields.Integer()
    status = f.Choice(ApplicationStatus)
    call_id = ma.fields.Integer()
    applicant = ma.fields.Nested(ApplicantSchema)
    preferences = ma.fields.List(ma.fields.String(), attribute="preference_codes")
    statement = ma.fields.String(allow_none=True)
    start_on = f.Date()
    end_on = f.Date()
    budget = ma.fields.Nested(BudgetSchema)
    submitted_at = f.Instant(allow_none=True)
    placement_id = ma.fields.Integer(allow_none=True)
    history = ma.fields.List(ma.fields.Nested(StepSchema))


def application_item(row: Any, preferences: list[str], history: list[dict]) -> dict[str, Any]:
    """What ApplicationSchema dumps of an application, from a row of ``listing.api_rows``: the
    API's list builds its items so (marshmallow's dump of 50 nested items was a quarter of the
    request); tests compare the two for every kind of application."""
    from hrfund.auth.models import name_in

    budget = {
        "travel_jpy": row.travel_jpy,
        "stipend_jpy": row.stipend_jpy,
        "housing_jpy": row.housing_jpy,
        "total_jpy": total_of(row.travel_jpy, row.stipend_jpy, row.housing_jpy),
    }
    name = name_in(
        "en", row.family_name, row.given_name, row.family_name_romaji, row.given_name_romaji
    )
    return {
        "id": row.id,
        "status": row.status.value,
        "call_id": row.call_id,
        "applicant": {"id": row.applicant_id, "name": name, "email": row.email},
        "preferences": preferences,
        "statement": row.statement,
        "start_on": row.start_on.isoformat() if row.start_on else None,
        "end_on": row.end_on.isoformat() if row.end_on else None,
        "budget": budget,
        "submitted_at": row.submitted_at.isoformat() if row.submitted_at else None,
        "placement_id": row.placement_id,
        "history": [
            {"from" if k == "from_" else k: v for k, v in step.items()} for step in history
        ],
    }


class DelegationSchema(Answer):
    id = ma.fields.Integer()
    principal = ma.fields.Function(lambda d: d.principal.email, metadata={"type": "string"})
    deputy = ma.fields.Function(lambda d: d.deputy.email, metadata={"type": "string"})
    starts_on = f.Date()
    ends_on = f.Date()
    ended_at = f.Instant(allow_none=True)
    state = ma.fields.Function(lambda d: _state(d), metadata={"type": "string"})


def _state(delegation) -> str:
    from hrfund.applications.delegations import state_of

    return state_of(delegation).value


class ApplicationView:
    """An application with its history, for ApplicationSchema."""

    def __init__(self, application, history: list[dict]):
        self._application = application
        self.history = history
        self.budget = application  # its yen columns

    def __getattr__(self, name):
        return getattr(self._application, name)
