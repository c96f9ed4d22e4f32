"""The Flask-Limiter limits of the login form: per client address, per account, per device.

- Per client address (ProxyFix makes it the forwarded one), only failed attempts count, and
  generously: an office behind one proxy logs in together.
- Per submitted account, every attempt counts, whether or not the account exists, so that
  parallel guesses cannot outrun the lockout.
- A browser that logged in as that account before (its device cookie) is exempt from the
  account's limit and lockout, so an attacker cannot keep the owner out; it has its own limit.
"""

from __future__ import annotations

import hashlib

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from hrfund.auth import lockout
from hrfund.extensions import limiter


def submitted_name() -> str:
    return lockout.normalize_login(request.form.get("email"))


def from_known_device() -> bool:
    """Whether this login comes from a browser that logged in as the submitted name before."""
    if "_known_device" not in g:
        cookie = request.cookies.get(lockout.DEVICE_COOKIE)
        g._known_device = lockout.is_known_device(cookie, submitted_name())
    return g._known_device


def remember_device(response, user) -> None:
    """Give the browser that just logged in its device cookie (only sent to the login page)."""
    response.set_cookie(
        lockout.DEVICE_COOKIE,
        lockout.device_token(lockout.normalize_login(user.email)),
        max_age=lockout.device_max_age(),
        path=request.script_root + "/login",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


def _account_key() -> str:
    return "login:" + submitted_name()


def _device_key() -> str:
    cookie = request.cookies.get(lockout.DEVICE_COOKIE, "")
    return "device:" + hashlib.sha256(cookie.encode()).hexdigest()


def _failed(response) -> bool:
    return response.status_code != 302


def _not_from_known_device() -> bool:
    return not from_known_device()


def login_limits(view):
    """Decorate the login view with the three limits (POST only)."""
    cfg = lambda name: lambda: current_app.config[name]  # noqa: E731 - read per request
    view = limiter.limit(
        cfg("LOGIN_KNOWN_DEVICE_RATE_LIMIT"),
        methods=["POST"],
        key_func=_device_key,
        scope="login-device",
        exempt_when=_not_from_known_device,
    )(view)
    view = limiter.limit(
        cfg("LOGIN_ACCOUNT_RATE_LIMIT"),
        methods=["POST"],
        key_func=_account_key,
        scope="login-account",
        exempt_when=from_known_device,
    )(view)
    return limiter.limit(
        cfg("LOGIN_RATE_LIMIT"),
        methods=["POST"],
        key_func=get_remote_address,
        scope="login-address",
        deduct_when=_failed,
    )(view)


def _user_key() -> str:
    return f"user:{current_user.get_id()}"


def password_change_limit(view):
    """Decorate the password change with its limit: only failed changes count, per account."""
    return limiter.limit(
        lambda: current_app.config["PASSWORD_CHANGE_RATE_LIMIT"],
        methods=["POST"],
        key_func=_user_key,
        scope="password-change",
        deduct_when=_failed,
    )(view)
