"""Forms of calls, applications, decisions and delegations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    DecimalField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from hrfund.applications.models import ATTACHMENT_KINDS
from hrfund.core.forms import FlaskForm
from hrfund.core.yen import YenField


class SlotForm(FlaskForm):
    class Meta:
        csrf = False

    city = SelectField(_l("Partner city"), validators=[Optional()])
    positions = IntegerField(_l("Positions"), validators=[Optional(), NumberRange(min=1)])
    months = IntegerField(_l("Months"), validators=[Optional(), NumberRange(min=1)])
    estimated_cost_jpy = YenField(_l("Estimated cost (yen)"), minimum=0, validators=[Optional()])


class CallForm(FlaskForm):
    title_ja = StringField(_l("Title (Japanese)"), validators=[Optional(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10000)])
    fiscal_year = IntegerField(_l("Fiscal year"), validators=[DataRequired()])
    opens_on = DateField(_l("Opens on"), validators=[DataRequired()])
    closes_on = DateField(_l("Closes on (23:59:59 Tokyo time)"), validators=[DataRequired()])
    slots = FieldList(FormField(SlotForm), min_entries=4, max_entries=20)
    min_years_of_service = IntegerField(
        _l("Minimum years of service"), validators=[Optional(), NumberRange(min=0)]
    )
    language_test = SelectField(_l("Language test"), validators=[Optional()])
    language_min_score = DecimalField(_l("Minimum score"), validators=[Optional()])
    required_programs = SelectField(_l("Required training program"), validators=[Optional()])
    submit = SubmitField(_l("Save call"))


class ApplicationForm(FlaskForm):
    preference_1 = SelectField(_l("First choice"), validators=[Optional()])
    preference_2 = SelectField(_l("Second choice"), validators=[Optional()])
    preference_3 = SelectField(_l("Third choice"), validators=[Optional()])
    statement = TextAreaField(_l("Statement"), validators=[Optional(), Length(max=10000)])
    start_on = DateField(_l("Proposed start"), validators=[Optional()])
    end_on = DateField(_l("Proposed end"), validators=[Optional()])
    travel_jpy = YenField(_l("Travel (yen)"), default=0, minimum=0, validators=[Optional()])
    stipend_jpy = YenField(_l("Stipend (yen)"), default=0, minimum=0, validators=[Optional()])
    housing_jpy = YenField(_l("Housing (yen)"), default=0, minimum=0, validators=[Optional()])
    save = SubmitField(_l("Save draft"))
    submit_application = SubmitField(_l("Save and submit"))


class AttachmentForm(FlaskForm):
    kind = SelectField(
        _l("Kind"),
        choices=list(ATTACHMENT_KINDS.items()),
    )
    file = FileField(_l("File (PDF, PNG or JPEG, at most 10 MB)"))
    submit = SubmitField(_l("Attach"))


class DecisionForm(FlaskForm):
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Send"))


class ApproveForm(FlaskForm):
    city = SelectField(_l("Partner city"), validators=[DataRequired()])
    start_on = DateField(_l("Start"), validators=[DataRequired()])
    end_on = DateField(_l("End"), validators=[DataRequired()])
    amount_jpy = YenField(_l("Amount to commit (yen)"), validators=[InputRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Approve and commit"))


class DelegationForm(FlaskForm):
    deputy = StringField(
        _l("Deputy (e-mail address)"), validators=[DataRequired(), Length(max=254)]
    )
    starts_on = DateField(_l("From"), validators=[DataRequired()])
    ends_on = DateField(_l("Until"), validators=[DataRequired()])
    submit = SubmitField(_l("Name deputy"))


class EndDelegationForm(FlaskForm):
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("End the delegation now"))
