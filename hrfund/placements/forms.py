"""Forms of placements, nominations, milestones, reports and agreements."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from hrfund.core.forms import FlaskForm
from hrfund.core.yen import YenField
from hrfund.org.forms import AREA_LABELS
from hrfund.placements.models import ReportKind


class PlacementForm(FlaskForm):
    person = StringField(
        _l("Employee (e-mail address)"), validators=[DataRequired(), Length(max=254)]
    )
    city = SelectField(_l("Partner city"), validators=[DataRequired()])
    start_on = DateField(_l("Start"), validators=[DataRequired()])
    end_on = DateField(_l("End"), validators=[DataRequired()])
    amount_jpy = YenField(_l("Amount to commit (yen)"), validators=[InputRequired()])
    purpose = TextAreaField(_l("Purpose"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Create placement"))


class ConfirmPlacementForm(FlaskForm):
    host_office = StringField(_l("Host office"), validators=[Length(max=200)])
    host_supervisor = StringField(_l("Host supervisor"), validators=[Length(max=200)])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Confirm"))


class CommentForm(FlaskForm):
    comment = TextAreaField(_l("Reason"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Send"))


class CompleteForm(FlaskForm):
    confirm_early = BooleanField(_l("Yes, the placement ended before its end date"))
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Mark completed"))


class ArrivalForm(FlaskForm):
    arrived_on = DateField(_l("Arrived on"), validators=[Optional()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Confirm arrival"))


class NominationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = StringField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    position = StringField(_l("Position"), validators=[DataRequired(), Length(max=200)])
    start_on = DateField(_l("Start"), validators=[DataRequired()])
    end_on = DateField(_l("End"), validators=[DataRequired()])
    purpose = TextAreaField(_l("Purpose of the stay"), validators=[Optional(), Length(max=4000)])
    cooperation_area = SelectField(
        _l("Cooperation area"),
        choices=[("", "—")] + [(a.value, label) for a, label in AREA_LABELS.items()],
        validators=[Optional()],
    )
    preferred_department = SelectField(
        _l("Preferred host department"), choices=[("", "—")], validators=[Optional()]
    )
    language_ability = StringField(
        _l("Language ability"),
        description=_l("For example: English (IELTS 7.0), Japanese (JLPT N3)"),
        validators=[Optional(), Length(max=500)],
    )
    cv = FileField(_l("CV (PDF, PNG or JPEG)"))
    submit = SubmitField(_l("Nominate"))


class AcceptNominationForm(FlaskForm):
    host_department = SelectField(_l("Host department"), validators=[DataRequired()])
    amount_jpy = YenField(_l("Amount to commit (yen)"), validators=[InputRequired()])
    submit = SubmitField(_l("Accept and host"))


class MilestoneForm(FlaskForm):
    due_on = DateField(_l("Due on"), validators=[DataRequired()])
    submit = SubmitField(_l("Save"))


class ReportForm(FlaskForm):
    kind = SelectField(
        _l("Report"),
        choices=[
            (ReportKind.MID_TERM.value, _l("Mid-term report")),
            (ReportKind.FINAL.value, _l("Final report")),
        ],
    )
    summary = TextAreaField(_l("Summary"), validators=[DataRequired(), Length(max=20000)])
    file = FileField(_l("File (PDF, PNG or JPEG, at most 10 MB)"))
    submit = SubmitField(_l("Submit report"))


class AgreementForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    starts_on = DateField(_l("From"), validators=[DataRequired()])
    ends_on = DateField(_l("Until"), validators=[DataRequired()])
    outgoing_people = IntegerField(
        _l("Staff sent per year"), default=0, validators=[NumberRange(min=0)]
    )
    outgoing_person_months = IntegerField(
        _l("Person-months sent per year"), default=0, validators=[NumberRange(min=0)]
    )
    incoming_people = IntegerField(
        _l("Staff received per year"), default=0, validators=[NumberRange(min=0)]
    )
    incoming_person_months = IntegerField(
        _l("Person-months received per year"), default=0, validators=[NumberRange(min=0)]
    )
    submit = SubmitField(_l("Save agreement"))
