"""The user's own profile (/profile): language, time zone, password, API tokens."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from hrfund.auth import services
from hrfund.auth.blueprint import bp
from hrfund.auth.forms import ConfirmForm, PasswordForm, SettingsForm, TokenForm
from hrfund.auth.models import ApiToken
from hrfund.auth.throttle import password_change_limit
from hrfund.core.errors import NotFound, ValidationFailed
from hrfund.core.form_checks import run_with_form
from hrfund.core.forms import show_errors
from hrfund.core.permissions import login_required
from hrfund.extensions import db


def _profile_page(
    settings_form=None, password_form=None, token_form=None, new_token=None, status=200
):
    tokens = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.id.desc())
    ).all()
    settings_form = settings_form or SettingsForm(
        locale=current_user.locale, timezone=current_user.timezone
    )
    return render_template(
        "auth/profile.html",
        settings_form=settings_form,
        password_form=password_form or PasswordForm(),
        token_form=token_form or TokenForm(),
        tokens=tokens,
        new_token=new_token,
    ), status


@bp.route("/profile")
@login_required
def profile():
    return _profile_page()


@bp.route("/profile/settings", methods=["POST"])
@login_required
def update_settings():
    form = SettingsForm()
    if not form.validate_on_submit():
        return _profile_page(settings_form=form, status=422)
    try:
        services.update_profile(current_user, locale=form.locale.data, timezone=form.timezone.data)
    except ValidationFailed as error:
        show_errors(form, error)
        return _profile_page(settings_form=form, status=422)
    flash(_("Your settings are saved."), "success")
    return redirect(url_for("auth.profile"))


def _change_password(form: PasswordForm) -> bool:
    services.change_password(
        current_user, form.current_password.data or "", form.new_password.data or ""
    )
    return True


@bp.route("/profile/password", methods=["POST"])
@login_required
@password_change_limit
def change_password():
    form = PasswordForm()
    # a weak new password is said with the form's own errors
    changed = run_with_form(form, lambda: _change_password(form))
    if not changed:
        return _profile_page(password_form=form, status=422)
    flash(
        _("Your password is changed. Your other sessions and all your API tokens have ended."),
        "success",
    )
    return redirect(url_for("auth.profile"))


@bp.route("/profile/tokens", methods=["POST"])
@login_required
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return _profile_page(token_form=form, status=422)
    try:
        _token, plain = services.create_api_token(current_user, current_user, form.name.data)
    except ValidationFailed as error:
        show_errors(form, error)
        return _profile_page(token_form=form, status=422)
    flash(_("Copy the token now: it is shown only once."), "warning")
    return _profile_page(new_token=plain)


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        raise NotFound(_("No such token."))
    services.revoke_api_token(current_user, token)
    flash(_("The token is revoked."), "success")
    return redirect(url_for("auth.profile"))


@bp.route("/profile/tokens/revoke-all", methods=["GET", "POST"])
@login_required
def revoke_all_tokens():
    """Asks for confirmation on GET; ends every token of the user on POST."""
    form = ConfirmForm()
    if form.validate_on_submit():
        ended = services.revoke_all_api_tokens(current_user, current_user, reason="by the user")
        flash(
            ngettext("%(num)d API token has ended.", "%(num)d API tokens have ended.", ended),
            "success",
        )
        return redirect(url_for("auth.profile"))
    active = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ApiToken)
        .where(ApiToken.user_id == current_user.id, ApiToken.revoked_at.is_(None))
    )
    return render_template("auth/confirm_revoke_tokens.html", form=form, active=active)
