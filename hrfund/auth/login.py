"""Flask-Login wiring: server-side sessions for pages, bearer tokens for the API."""

from __future__ import annotations

from flask import g, request
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin

from hrfund.auth import services


class AnonymousUser(AnonymousUserMixin):
    """Nobody logged in: holds no role."""

    roles: frozenset = frozenset()
    locale = None
    timezone = None

    def has_role(self, *roles) -> bool:
        return False


def init_login(app, login_manager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log in to see this page.")
    login_manager.login_message_category = "info"
    # Flask-Login's "strong" protection does nothing for permanent sessions; the server-side
    # session record is bound to the browser's User-Agent instead (services.load_session).
    login_manager.session_protection = None
    login_manager.anonymous_user = AnonymousUser

    @login_manager.user_loader
    def load_user(key: str):
        return services.load_session(key, request.headers.get("User-Agent"))

    @login_manager.request_loader
    def load_user_from_token(req):
        if not req.path.startswith("/api/"):
            return None
        header = req.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            return None
        found = services.user_for_token(value.strip())
        if found is None:
            return None
        user, token = found
        g.api_token = token
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import flash, redirect, url_for
        from werkzeug.exceptions import Unauthorized

        if request.path.startswith("/api/"):
            raise Unauthorized()
        flash(login_manager.login_message, "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
