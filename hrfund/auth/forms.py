"""Forms of login, profile, password, tokens and the admin's user editor."""

from __future__ import annotations

from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from hrfund.auth.models import Role
from hrfund.core.forms import FlaskForm

LANGUAGE_CHOICES = [("ja", "日本語"), ("en", "English")]


def timezone_choices() -> list[tuple[str, str]]:
    return [(tz, tz) for tz in sorted(available_timezones()) if "/" in tz]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Log in"))


class SettingsForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    timezone = SelectField(_l("Time zone"), choices=timezone_choices)
    submit = SubmitField(_l("Save settings"))


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired()], render_kw={"autocomplete": "new-password"}
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", _l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Change password"))


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=100)])
    submit = SubmitField(_l("Create token"))


class ConfirmForm(FlaskForm):
    """A form with only the CSRF token, for actions confirmed on their own page."""

    submit = SubmitField(_l("Confirm"))


class UserForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    family_name = StringField(_l("Family name (kanji)"), validators=[Optional(), Length(max=100)])
    given_name = StringField(_l("Given name (kanji)"), validators=[Optional(), Length(max=100)])
    family_name_kana = StringField(
        _l("Family name (kana)"), validators=[Optional(), Length(max=100)]
    )
    given_name_kana = StringField(_l("Given name (kana)"), validators=[Optional(), Length(max=100)])
    family_name_romaji = StringField(
        _l("Family name (romaji)"), validators=[DataRequired(), Length(max=100)]
    )
    given_name_romaji = StringField(
        _l("Given name (romaji)"), validators=[DataRequired(), Length(max=100)]
    )
    employee_number = StringField(_l("Employee number"), validators=[Optional(), Length(max=20)])
    department = SelectField(_l("Department"), coerce=str, validators=[Optional()])
    joined_on = DateField(_l("Date joined"), validators=[Optional()])
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    timezone = SelectField(_l("Time zone"), choices=timezone_choices, default="Asia/Tokyo")
    roles = MultiCheckboxField(_l("Roles"), choices=[(r.value, r.lazy_label) for r in Role])
    city = SelectField(_l("Partner city (coordinators)"), coerce=str, validators=[Optional()])
    manages = SelectMultipleField(
        _l("Heads departments (managers)"), coerce=str, validators=[Optional()]
    )
    password = PasswordField(
        _l("Initial password"), validators=[Optional()], render_kw={"autocomplete": "new-password"}
    )
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired()], render_kw={"autocomplete": "new-password"}
    )
    submit = SubmitField(_l("Set password"))


class DirectorySettingsForm(FlaskForm):
    local_passwords = BooleanField(_l("Directory users may also sign in with a local password"))
    submit = SubmitField(_l("Save"))
