"""Forms of the fund pages. Amounts are read as text and checked by the services' parsers,
so that a wrong entry gets the same clear message on a page as in the API."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import BooleanField, DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from hrfund.core.forms import FlaskForm
from hrfund.fund.models import Category, EntryKind, Purpose

CATEGORY_LABELS = {member: member.lazy_label for member in Category}
KIND_LABELS = {member: member.lazy_label for member in EntryKind}
PURPOSE_LABELS = {member: member.lazy_label for member in Purpose}


def category_choices(blank=None) -> list[tuple[str, object]]:
    choices = [(c.value, label) for c, label in CATEGORY_LABELS.items()]
    return ([("", blank)] if blank else []) + choices


class ContributionForm(FlaskForm):
    amount_jpy = StringField(
        _l("Amount (yen)"), validators=[DataRequired()], render_kw={"inputmode": "numeric"}
    )
    received_on = DateField(_l("Received on"), validators=[DataRequired()])
    memo = TextAreaField(
        _l("Memo"),
        validators=[Optional(), Length(max=2000)],
        description=_l("For example: FY2026 appropriation, donation from …"),
    )
    submit = SubmitField(_l("Record the contribution"))


class AllocationForm(FlaskForm):
    fiscal_year = StringField(
        _l("Fiscal year"),
        validators=[DataRequired()],
        description=_l("FY2026 runs from 1 April 2026 to 31 March 2027."),
        render_kw={"inputmode": "numeric"},
    )
    category = SelectField(_l("Budget line"), choices=category_choices())
    amount_jpy = StringField(
        _l("Amount (yen)"), validators=[DataRequired()], render_kw={"inputmode": "numeric"}
    )
    memo = TextAreaField(_l("Memo"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Allocate"))


class DisbursementForm(FlaskForm):
    placement_id = StringField(
        _l("Placement number"),
        validators=[Optional()],
        description=_l("Paid from the placement's commitment first."),
        render_kw={"inputmode": "numeric"},
    )
    category = SelectField(
        _l("Budget line"),
        validators=[Optional()],
        choices=category_choices(_l("The placement's line")),
        description=_l("Needed when the payment is not for a placement with a commitment."),
    )
    fiscal_year = StringField(
        _l("Fiscal year"),
        validators=[Optional()],
        description=_l("Empty: the fiscal year of the payment date."),
        render_kw={"inputmode": "numeric"},
    )
    paid_on = DateField(_l("Paid on"), validators=[DataRequired()])
    currency = StringField(
        _l("Currency"),
        default="JPY",
        validators=[DataRequired(), Length(min=3, max=3)],
        description=_l("ISO 4217 code: JPY, EUR, USD, KRW …"),
    )
    amount = StringField(
        _l("Amount"), validators=[DataRequired()], render_kw={"inputmode": "decimal"}
    )
    fx_rate = StringField(
        _l("Rate (yen per unit)"),
        validators=[Optional()],
        description=_l("Filled in from the recorded rates; left empty, the recorded rate is used."),
        render_kw={"inputmode": "decimal"},
    )
    purpose = SelectField(
        lazy_pgettext("ledger", "Purpose"),
        validators=[Optional()],
        choices=[
            ("", "—"),
            (Purpose.TRAINING.value, _l("Training")),
            (Purpose.OTHER.value, _l("Other")),
        ],
    )
    memo = TextAreaField(_l("Memo"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Record the disbursement"))


class FxRateForm(FlaskForm):
    currency = StringField(
        _l("Currency"),
        validators=[DataRequired(), Length(min=3, max=3)],
        description=_l("ISO 4217 code, for example EUR."),
    )
    rate_on = DateField(_l("Date"), validators=[DataRequired()])
    jpy_per_unit = StringField(
        _l("Yen per unit"), validators=[DataRequired()], render_kw={"inputmode": "decimal"}
    )
    submit = SubmitField(_l("Record the rate"))


class ReverseForm(FlaskForm):
    memo = TextAreaField(
        _l("Why is this entry reversed?"), validators=[DataRequired(), Length(max=2000)]
    )
    submit = SubmitField(_l("Reverse the entry"))


class CloseYearForm(FlaskForm):
    release_open_commitments = BooleanField(_l("Also release the open commitments"))
    confirm = BooleanField(
        _l("I understand that a closed year takes no more allocations or commitments"),
        validators=[DataRequired()],
    )
    submit = SubmitField(_l("Close the fiscal year"))
