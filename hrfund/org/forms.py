"""Forms for partner cities and departments."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from hrfund.core.forms import FlaskForm
from hrfund.org.models import CooperationArea, DepartmentLevel, Relationship

RELATIONSHIP_LABELS = {member: member.lazy_label for member in Relationship}
AREA_LABELS = {member: member.lazy_label for member in CooperationArea}
LEVEL_LABELS = {member: member.lazy_label for member in DepartmentLevel}


class CityForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(min=2, max=8)],
        description=_l("2 to 8 capital letters, for example SEL."),
    )
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=200)])
    name_ja = StringField(_l("Name (Japanese)"), validators=[DataRequired(), Length(max=200)])
    country = StringField(
        _l("Country (ISO 3166)"),
        validators=[DataRequired(), Length(2, 2)],
        description=_l("Two letters, for example KR."),
    )
    timezone = StringField(
        _l("Time zone (IANA)"),
        validators=[DataRequired(), Length(max=64)],
        description=_l("For example Asia/Seoul."),
    )
    currency = StringField(
        _l("Currency (ISO 4217)"),
        validators=[DataRequired(), Length(3, 3)],
        description=_l("Three letters, for example KRW."),
    )
    relationship = SelectField(
        _l("Relationship"), choices=[(r.value, label) for r, label in RELATIONSHIP_LABELS.items()]
    )
    since = DateField(_l("Since"), validators=[Optional()])
    cooperation_areas = SelectMultipleField(
        _l("Cooperation areas"),
        choices=[(a.value, label) for a, label in AREA_LABELS.items()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class DepartmentForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    name_ja = StringField(_l("Name (Japanese)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=200)])
    level = SelectField(
        _l("Level"), choices=[(lv.value, label) for lv, label in LEVEL_LABELS.items()]
    )
    parent = SelectField(_l("Part of"), coerce=str, validators=[Optional()])
    submit = SubmitField(_l("Save"))
