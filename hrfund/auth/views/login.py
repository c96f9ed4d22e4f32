"""Signing in and out, and the language of the pages."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from hrfund.auth import services, throttle
from hrfund.auth.blueprint import bp
from hrfund.auth.forms import LoginForm
from hrfund.core.forms import safe_next
from hrfund.core.permissions import login_required


@bp.route("/login", methods=["GET", "POST"])
@throttle.login_limits
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                form.email.data, form.password.data, known_device=throttle.from_known_device()
            )
        except services.LoginRefused as refused:
            error = refused.message
        else:
            next_url = safe_next(request.args.get("next"), url_for("core.index"))
            session.clear()  # a fresh session at login: no fixation
            services.start_session(
                user, ip=request.remote_addr, user_agent=request.headers.get("User-Agent")
            )
            login_user(user)
            session.permanent = True
            flash(_("Welcome, %(name)s.", name=user.display_name(user.locale)), "success")
            response = redirect(next_url)
            throttle.remember_device(response, user)
            return response
    return render_template("auth/login.html", form=form, error=error)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    services.end_session(current_user.get_id(), current_user)
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
def set_language():
    """The language switch in the navigation bar, remembered per user."""
    locale = request.form.get("locale", "")
    if locale not in current_app.config["LANGUAGES"]:
        flash(_("Choose Japanese or English."), "danger")
    elif current_user.is_authenticated:
        services.set_locale(current_user, locale)
    else:
        session["locale"] = locale
    return redirect(safe_next(request.form.get("next"), url_for("core.index")))
