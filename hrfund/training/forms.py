"""Forms of the training pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from hrfund.core.forms import FlaskForm
from hrfund.training.labels import CATEGORY_LABELS, RECORD_STATUS_LABELS, TEST_LABELS
from hrfund.training.models import RecordStatus


class ProgramForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[Optional(), Length(max=32)],
        description=_l("Used in import files, for example CC-101."),
    )
    title_ja = StringField(_l("Title (Japanese)"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=200)])
    category = SelectField(
        _l("Category"), choices=[(c.value, label) for c, label in CATEGORY_LABELS.items()]
    )
    provider = StringField(_l("Provider"), validators=[Optional(), Length(max=200)])
    # InputRequired, not DataRequired: 0 is a value (DataRequired takes it for missing)
    hours = DecimalField(_l("Hours"), places=1, validators=[InputRequired(), NumberRange(min=0)])
    language = StringField(
        _l("Language of instruction"),
        validators=[Optional(), Length(max=8)],
        description=_l("For example en, zh, ko."),
    )
    description = TextAreaField(_l("Description"), validators=[Optional()])
    active = BooleanField(_l("Open for enrolment"), default=True)
    submit = SubmitField(_l("Save"))


class SessionForm(FlaskForm):
    starts_on = DateField(_l("Starts on"), validators=[DataRequired()])
    ends_on = DateField(_l("Ends on"), validators=[DataRequired()])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    capacity = IntegerField(_l("Seats"), validators=[DataRequired(), NumberRange(min=1)])
    submit = SubmitField(_l("Add session"))


class RecordForm(FlaskForm):
    employee = StringField(
        _l("Employee (e-mail or employee number)"),
        validators=[Optional(), Length(max=254)],
        description=_l("HR only; leave empty to record your own training."),
    )
    program = SelectField(_l("Program"), coerce=int)
    status = SelectField(
        _l("Status"),
        choices=[
            (s.value, RECORD_STATUS_LABELS[s])
            for s in (RecordStatus.COMPLETED, RecordStatus.FAILED, RecordStatus.ENROLLED)
        ],
    )
    completed_on = DateField(_l("Completed on"), validators=[Optional()])
    hours = DecimalField(_l("Hours"), places=1, validators=[Optional(), NumberRange(min=0)])
    score = DecimalField(_l("Score"), places=1, validators=[Optional(), NumberRange(min=0)])
    expires_on = DateField(_l("Valid until"), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    certificate = FileField(_l("Certificate (PDF, PNG or JPEG, at most 10 MB)"))
    submit = SubmitField(_l("Save"))


class RecordUpdateForm(FlaskForm):
    status = SelectField(
        _l("Status"), choices=[(s.value, label) for s, label in RECORD_STATUS_LABELS.items()]
    )
    completed_on = DateField(_l("Completed on"), validators=[Optional()])
    hours = DecimalField(_l("Hours"), places=1, validators=[Optional(), NumberRange(min=0)])
    score = DecimalField(_l("Score"), places=1, validators=[Optional(), NumberRange(min=0)])
    expires_on = DateField(_l("Valid until"), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Save"))


class ScoreForm(FlaskForm):
    employee = StringField(
        _l("Employee (e-mail or employee number)"),
        validators=[Optional(), Length(max=254)],
        description=_l("HR only; leave empty to add your own score."),
    )
    test = SelectField(_l("Test"), choices=[(t.value, label) for t, label in TEST_LABELS.items()])
    test_name = StringField(
        _l("Name of the test"),
        validators=[Optional(), Length(max=100)],
        description=_l("Only for “Other”."),
    )
    score = DecimalField(
        _l("Score"),
        places=1,
        validators=[InputRequired()],
        description=_l("For IELTS the overall band, for example 6.5."),
    )
    level = StringField(
        lazy_pgettext("language level", "Level"),
        validators=[Optional(), Length(max=20)],
        description=_l("For example B2 or HSK 5, where the test has levels."),
    )
    taken_on = DateField(_l("Taken on"), validators=[DataRequired()])
    expires_on = DateField(
        _l("Valid until"),
        validators=[Optional()],
        description=_l(
            "Empty: two years for IELTS, TOEFL, TOEIC, HSK and TOPIK; no expiry for the others."
        ),
    )
    certificate = FileField(_l("Certificate (PDF, PNG or JPEG, at most 10 MB)"))
    submit = SubmitField(_l("Save"))


class ImportForm(FlaskForm):
    file = FileField(_l("CSV or XLSX file"))
    submit = SubmitField(_l("Upload and check"))


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token."""

    submit = SubmitField(_l("Confirm"))


class RejectForm(FlaskForm):
    """HR's refusal of an employee's own entry: the reason they will read."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(lazy_pgettext("verification", "Reject"))
