"""Language and time zone of each request, and the date filters templates use."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

from hrfund.core.actor import Actor
from hrfund.extensions import babel


class Named(Protocol):
    """A department, city or program: named in either language."""

    def name(self, locale: str) -> str: ...


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI, jobs: messages in the default language
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return str(current_user.locale)
    if session.get("locale") in languages:
        return str(session["locale"])
    return str(
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def select_timezone() -> str | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        return str(current_user.timezone)
    return None


def current_language() -> str:
    return str(get_locale() or "ja")


def in_language(locale: str, name_ja: str, name_en: str) -> str:
    """Of a name kept in both languages, the one of ``locale`` (the rule of every ``name()``
    that has no fallback), for pages that read the two columns as plain rows."""
    return name_ja if locale == "ja" else name_en


def localized_name(obj: Named | None) -> str:
    """``name_ja`` or ``name_en`` of a department, city or program, by the request's language."""
    if obj is None:
        return ""
    return obj.name(current_language())


def person_name(user: Actor | None) -> str:
    if user is None:
        return ""
    return user.display_name(current_language())


def _date(value: object, fmt: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return str(format_datetime(value, fmt))
    if isinstance(value, date):
        return _day(value, fmt, str(get_locale()))
    return str(value)


@lru_cache(maxsize=8192)
def _day(value: date, fmt: str, locale: str) -> str:
    """A calendar day in the request's language: the same text for the same day, format and
    language (a day has no time zone), so a list of 50 rows asks Babel once per distinct day."""
    return str(format_date(value, fmt))


def translation_directories(app: Flask) -> str:
    """hrfund/translations plus each module's own translations folder, if it has one."""
    root = Path(app.root_path)
    found = ["translations"] + sorted(str(p.relative_to(root)) for p in root.glob("*/translations"))
    return ";".join(found)


def init_i18n(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=translation_directories(app),
    )
