"""Bodies, queries and answers of the placements and nominations API."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload

from hrfund.core import apifields as f
from hrfund.core.apischemas import Answer, Body, Comment, PageQuery, code_of, computed
from hrfund.placements import date_rules
from hrfund.placements.models import Direction, MilestoneKind, NominationStatus, PlacementStatus


class PlacementQuery(PageQuery):
    direction = f.Choice(Direction)
    status = f.Choice(PlacementStatus)
    city = f.Text(max_length=10, metadata={"description": "city code"})


class ConfirmIn(Comment):
    host_office = f.Text(max_length=200, load_default="")
    host_supervisor = f.Text(max_length=200, load_default="")


class DeclineIn(Body):
    comment = f.Text(max_length=2000, load_default="", metadata={"description": "required"})


class StartIn(Comment):
    arrived_on = f.Date()


class NominationQuery(PageQuery):
    status = f.Choice(NominationStatus)


class NominationIn(Body):
    name = f.Text(required=True, max_length=200)
    email = f.Text(required=True, max_length=254)
    position = f.Text(required=True, max_length=200)
    start_on = f.Date(required=True, allow_none=False)
    end_on = f.Date(required=True, allow_none=False)
    # what a host needs (checked by nomination_details.check_details; all optional)
    purpose = f.Text(max_length=4000, load_default="")
    cooperation_area = f.Text(
        max_length=64, load_default="", metadata={"description": "a cooperation area code"}
    )
    preferred_department = f.Text(
        max_length=200, load_default="", metadata={"description": "a TMG department code"}
    )
    language_ability = f.Text(max_length=500, load_default="")


class CvUpload(ma.Schema):
    file = Upload(required=True)


class AcceptIn(Body):
    host_department = f.Text(max_length=200, load_default="", metadata={"description": "code"})
    amount_jpy = f.Yen(minimum=1, allow_none=True)


class PersonSchema(Answer):
    name = ma.fields.String()
    email = ma.fields.String(allow_none=True)


class MilestoneSchema(Answer):
    id = ma.fields.Integer()
    kind = f.Choice(MilestoneKind)
    due_on = f.Date()
    done_at = f.Instant(allow_none=True)


class HistorySchema(Answer):
    at = f.Instant()
    actor = ma.fields.String(attribute="actor_label", allow_none=True)
    action = ma.fields.String()
    from_ = ma.fields.String(attribute="from_state", data_key="from", allow_none=True)
    to = ma.fields.String(attribute="to_state", allow_none=True)
    comment = ma.fields.String(allow_none=True)


class PlacementSchema(Answer):
    """A placement with its yen figures (dumped from a PlacementView)."""

    id = ma.fields.Integer()
    direction = f.Choice(Direction)
    status = f.Choice(PlacementStatus)
    city = code_of("city")
    person = computed(
        lambda p: {"name": p.person_name, "email": p.person_email},
        "object",
        properties={"name": {"type": "string"}, "email": {"type": "string"}},
    )
    start_on = f.Date()
    end_on = f.Date()
    fiscal_year = ma.fields.Integer()
    host_office = ma.fields.String(allow_none=True)
    host_supervisor = ma.fields.String(allow_none=True)
    host_department = code_of("host_department")
    application_id = ma.fields.Integer(allow_none=True)
    committed_jpy = ma.fields.Integer()
    disbursed_jpy = ma.fields.Integer()


def _ended_early(placement) -> dict | None:
    early = date_rules.ended_early(placement.history)
    if early is None:
        return None
    return {name: day.isoformat() if day else None for name, day in early.items()}


class PlacementDetailSchema(PlacementSchema):
    milestones = ma.fields.List(ma.fields.Nested(MilestoneSchema))
    history = ma.fields.List(ma.fields.Nested(HistorySchema))
    #: {ended_on, planned_end_on} when HR completed the placement before its end date
    ended_early = computed(_ended_early, kind="object", nullable=True)


class CompleteIn(Comment):
    confirm_early = f.Boolean(load_default=False)


class NominationSchema(Answer):
    id = ma.fields.Integer()
    city = code_of("city")
    name = ma.fields.String()
    email = ma.fields.String()
    position = ma.fields.String()
    start_on = f.Date()
    end_on = f.Date()
    status = f.Choice(NominationStatus)
    placement_id = ma.fields.Integer(allow_none=True)
    decided_at = f.Instant(allow_none=True)
    purpose = ma.fields.String(allow_none=True)
    cooperation_area = ma.fields.String(allow_none=True)
    preferred_department = code_of("preferred_department")
    language_ability = ma.fields.String(allow_none=True)
    cv = computed(
        lambda n: (
            None
            if n.cv_file is None
            else {
                "name": n.cv_file.original_name,
                "size": n.cv_file.size,
                "content_type": n.cv_file.content_type,
            }
        ),
        kind="object",
        nullable=True,
    )


class PlacementView:
    """A placement with its totals from the ledger (and, for the detail, its history)."""

    def __init__(self, placement, totals, history=None):
        self._placement = placement
        self.committed_jpy = totals.committed_jpy
        self.disbursed_jpy = totals.disbursed_jpy
        self.history = history or []

    def __getattr__(self, name):
        return getattr(self._placement, name)
