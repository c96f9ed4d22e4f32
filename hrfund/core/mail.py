"""E-mail: render in the recipient's language and time zone; send through SMTP (MAIL_*).

Without MAIL_SERVER the message is written to the log instead, for a laptop and the demo.
Callers send only after their transaction committed (the reminders dispatcher claims first).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.utils import format_datetime as rfc2822_date
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from flask import current_app, g
from flask_babel import force_locale

from hrfund.core.actor import Actor

log = logging.getLogger(__name__)


class MailError(Exception):
    """The SMTP server could not be reached or refused the message."""


def send_mail(to: str, subject: str, body: str, *, message_id: str | None = None) -> None:
    """Send one plain-text message (or log it when no MAIL_SERVER is configured)."""
    cfg = current_app.config
    message = EmailMessage()
    message["From"] = cfg["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = rfc2822_date(datetime.now(UTC))
    if message_id:
        message["Message-ID"] = message_id
    message.set_content(body)
    if not cfg.get("MAIL_SERVER"):
        log.info("mail to %s (no MAIL_SERVER, not sent)\nSubject: %s\n\n%s", to, subject, body)
        return
    try:
        with smtplib.SMTP(
            cfg["MAIL_SERVER"], cfg.get("MAIL_PORT", 25), timeout=cfg.get("MAIL_TIMEOUT", 30)
        ) as smtp:
            if cfg.get("MAIL_USE_TLS"):
                smtp.starttls(context=ssl.create_default_context())
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(f"{type(error).__name__}: {error}") from error
    log.info("mail sent to %s: %s", to, subject)


class Localized:
    """Date and instant formatting in one recipient's language and time zone."""

    def __init__(self, locale: str, timezone: str):
        self.locale = locale
        self.tz = ZoneInfo(timezone)

    def date(self, value: date | None, fmt: str = "long") -> str:
        return format_date(value, fmt, locale=self.locale) if value else ""

    def instant(self, value: datetime | None, fmt: str = "medium") -> str:
        if value is None:
            return ""
        return format_datetime(value, fmt, tzinfo=self.tz, locale=self.locale)


@contextmanager
def recipient_language(user: Actor) -> Iterator[Localized]:
    """Messages (gettext) in ``user``'s language; dates and instants in their time zone."""
    cfg = current_app.config
    locale = user.locale if user.locale in cfg["LANGUAGES"] else cfg["BABEL_DEFAULT_LOCALE"]
    timezone = user.timezone or cfg["BABEL_DEFAULT_TIMEZONE"]
    with force_locale(locale):
        ctx = g.get("_flask_babel")  # made by force_locale
        saved_tz = getattr(ctx, "babel_tzinfo", None)
        if ctx is not None:
            ctx.babel_tzinfo = ZoneInfo(timezone)
        try:
            yield Localized(locale, timezone)
        finally:
            if ctx is not None:
                ctx.babel_tzinfo = saved_tz


def render_text(template: str, **context: Any) -> str:
    """A plain-text template (HTML escaping off) from the templates folder."""
    env = current_app.extensions.setdefault(
        "hrfund_text_env", current_app.jinja_env.overlay(autoescape=False)
    )
    return str(env.get_template(template).render(**context))
