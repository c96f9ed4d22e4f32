"""Language and time zone of each request, and the date filters templates use."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from flask import current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

from hrfund.extensions import babel


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI, jobs: messages in the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def select_timezone() -> str | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.timezone
    return None


def current_language() -> str:
    return str(get_locale() or "ja")


def localized_name(obj) -> str:
    """``name_ja`` or ``name_en`` of a department, city or program, by the request's language."""
    if obj is None:
        return ""
    return obj.name(current_language())


def person_name(user) -> str:
    if user is None:
        return ""
    return user.display_name(current_language())


def _date(value, fmt="medium"):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, fmt)
    if isinstance(value, date):
        return format_date(value, fmt)
    return str(value)


def translation_directories(app) -> str:
    """hrfund/translations plus each module's own translations folder, if it has one."""
    root = Path(app.root_path)
    found = ["translations"] + sorted(str(p.relative_to(root)) for p in root.glob("*/translations"))
    return ";".join(found)


def init_i18n(app) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=translation_directories(app),
    )
    app.jinja_env.filters["dt"] = _date
    from hrfund.core.labels import init_labels

    init_labels(app)
    app.jinja_env.globals.update(
        localized_name=localized_name, person_name=person_name, current_language=current_language
    )
