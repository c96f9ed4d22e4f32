"""Bodies, queries and answers of the training, language-score and talent API."""

from __future__ import annotations

import marshmallow as ma

from hrfund.core import apifields as f
from hrfund.core.apischemas import Answer, Body, PageQuery, Query
from hrfund.training.models import LanguageTest, ProgramCategory, RecordSource, RecordStatus


class ProgramQuery(PageQuery):
    category = f.Choice(ProgramCategory)
    q = f.Text(max_length=200)


class ProgramIn(Body):
    title = f.Text(
        max_length=200, load_default="", metadata={"description": "both languages by default"}
    )
    title_ja = f.Text(max_length=200, load_default="")
    title_en = f.Text(max_length=200, load_default="")
    category = f.Choice(ProgramCategory, required=True)
    hours = f.DecimalText(required=True, metadata={"example": "12.5"})
    provider = f.Text(max_length=200, load_default="")
    code = f.Text(max_length=32, load_default="")
    language = f.Text(max_length=8, load_default="")


class OwnEntryQuery(PageQuery):
    user = f.Text(max_length=254, metadata={"description": "e-mail or id"})


class RecordIn(Body):
    user = f.UserRef(allow_none=True, metadata={"description": "the caller when absent"})
    program_id = f.Id(required=True)
    status = f.Choice(RecordStatus, required=True)
    completed_on = f.Date()
    hours = f.DecimalText(allow_none=True, metadata={"example": "7.5"})
    score = f.DecimalText(allow_none=True)
    expires_on = f.Date()
    note = f.Text(max_length=2000, load_default="")


class ScoreIn(Body):
    user = f.UserRef(allow_none=True, metadata={"description": "the caller when absent"})
    test = f.Choice(LanguageTest, required=True)
    test_name = f.Text(max_length=100, load_default="", metadata={"description": "for other"})
    score = f.DecimalText(required=True, metadata={"example": "6.5"})
    level = f.Text(max_length=20, load_default="")
    taken_on = f.Date(required=True, allow_none=False)
    expires_on = f.Date()


class TalentArgs(PageQuery):
    """The talent search's filters (read by hrfund.training.talent.parse_talent_args)."""

    language_test = f.Choice(LanguageTest)
    min_score = f.DecimalText()
    program_id = f.List(f.Id(), metadata={"description": "repeatable: all of them"})
    category = f.Choice(ProgramCategory)
    min_hours = f.DecimalText(metadata={"description": "hours in category"})
    department = f.Text(
        max_length=200, metadata={"description": "code or full name, with its subunits"}
    )
    unverified = f.Choice(["0", "1", "true", "false", "on"])
    has_exchange = f.Choice(["0", "1", "true", "false"])
    q = f.Text(max_length=200)


class EligibilityQuery(Query):
    user = f.Text(max_length=254, metadata={"description": "HR only: e-mail or id"})
    min_years_of_service = f.WholeNumber(minimum=0, maximum=100)
    language_test = f.Choice(LanguageTest)
    min_score = f.DecimalText()
    program_id = f.List(f.Id(), metadata={"description": "repeatable"})


class ProgramSchema(Answer):
    id = ma.fields.Integer()
    code = ma.fields.String(allow_none=True)
    title = ma.fields.Function(lambda p: p.title_en, metadata={"type": "string"})
    title_en = ma.fields.String()
    title_ja = ma.fields.String()
    category = f.Choice(ProgramCategory)
    provider = ma.fields.String(allow_none=True)
    hours = f.DecimalText(allow_none=True)
    language = ma.fields.String(allow_none=True)
    active = ma.fields.Boolean()


class SessionSchema(Answer):
    id = ma.fields.Integer()
    starts_on = f.Date()
    ends_on = f.Date()
    place = ma.fields.String(allow_none=True)
    capacity = ma.fields.Integer(allow_none=True)
    seats_left = ma.fields.Integer(allow_none=True)


class ProgramDetailSchema(ProgramSchema):
    sessions = ma.fields.List(ma.fields.Nested(SessionSchema))


class RejectIn(Body):
    reason = f.Text(required=True, max_length=2000)


class RecordSchema(Answer):
    id = ma.fields.Integer()
    user = ma.fields.Function(
        lambda r: {"id": r.user_id, "email": r.user.email}, metadata={"type": "object"}
    )
    program_id = ma.fields.Integer()
    session_id = ma.fields.Integer(allow_none=True)
    status = f.Choice(RecordStatus)
    completed_on = f.Date()
    hours = f.DecimalText(allow_none=True)
    score = f.DecimalText(allow_none=True)
    expires_on = f.Date()
    verified = ma.fields.Boolean()
    source = f.Choice(RecordSource)
    has_certificate = ma.fields.Function(
        lambda r: r.certificate_id is not None, metadata={"type": "boolean"}
    )
    rejected = ma.fields.Function(lambda r: r.rejected_at is not None, metadata={"type": "boolean"})
    rejection_reason = ma.fields.Function(
        lambda r: r.rejection_reason or None, metadata={"type": "string", "nullable": True}
    )


class ScoreSchema(Answer):
    id = ma.fields.Integer()
    user = ma.fields.Function(
        lambda s: {"id": s.user_id, "email": s.user.email}, metadata={"type": "object"}
    )
    test = f.Choice(LanguageTest)
    test_name = ma.fields.String(allow_none=True)
    score = f.DecimalText(allow_none=True)
    level = ma.fields.String(allow_none=True)
    taken_on = f.Date()
    expires_on = f.Date()
    verified = ma.fields.Boolean()
    has_certificate = ma.fields.Function(
        lambda s: s.certificate_id is not None, metadata={"type": "boolean"}
    )
    rejected = ma.fields.Function(lambda s: s.rejected_at is not None, metadata={"type": "boolean"})
    rejection_reason = ma.fields.Function(
        lambda s: s.rejection_reason or None, metadata={"type": "string", "nullable": True}
    )


class TalentScoreSchema(Answer):
    test = f.Choice(LanguageTest)
    test_name = ma.fields.String(allow_none=True)
    score = f.DecimalText(allow_none=True)
    taken_on = f.Date()
    expires_on = f.Date()
    verified = ma.fields.Boolean()


class TalentProgramSchema(Answer):
    program_id = ma.fields.Integer()
    title_en = ma.fields.Function(lambda r: r.program.title_en, metadata={"type": "string"})
    title_ja = ma.fields.Function(lambda r: r.program.title_ja, metadata={"type": "string"})
    category = ma.fields.Function(lambda r: r.program.category.value, metadata={"type": "string"})
    completed_on = f.Date()
    verified = ma.fields.Boolean()


class TalentSchema(Answer):
    """An employee of the talent pool with the scores and programs that matched."""

    id = ma.fields.Integer(attribute="user.id")
    email = ma.fields.String(attribute="user.email")
    name = ma.fields.Function(lambda row: row.user.display_name("en"), metadata={"type": "string"})
    name_ja = ma.fields.Function(
        lambda row: row.user.display_name("ja"), metadata={"type": "string"}
    )
    employee_number = ma.fields.Function(
        lambda row: row.user.employee_number, metadata={"type": "string", "nullable": True}
    )
    department = ma.fields.Function(
        lambda row: row.user.department.code if row.user.department else None,
        metadata={"type": "string", "nullable": True},
    )
    scores = ma.fields.List(ma.fields.Nested(TalentScoreSchema))
    programs = ma.fields.List(ma.fields.Nested(TalentProgramSchema))


class UnmetRuleSchema(Answer):
    rule = ma.fields.String()
    message = ma.fields.String()
    details = ma.fields.Raw()


class EligibilitySchema(Answer):
    eligible = ma.fields.Boolean()
    on = ma.fields.String(allow_none=True, metadata={"format": "date"})
    unmet = ma.fields.List(ma.fields.Nested(UnmetRuleSchema))
