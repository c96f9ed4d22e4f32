"""Every template global and filter, registered here once, from the app factory.

Core's own helpers are named here; a module's helpers (its label tables, say) are handed in by
the app factory, which may import any module, for core imports none above it (DESIGN.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask
from flask_babel import get_locale, get_translations

from hrfund.core.exports import export_args
from hrfund.core.i18n import _date, current_language, localized_name, person_name
from hrfund.core.labels import (
    action_label,
    comment_text,
    enum_label,
    fiscal_year_label,
    object_type_label,
    role_labels,
    state_label,
)
from hrfund.core.nav import nav_items
from hrfund.core.pagination import args_with


def yen(value: int | None) -> str:
    """An amount of yen as the pages show it: ¥1,234."""
    return "" if value is None else f"¥{int(value):,}"


CORE_GLOBALS: Mapping[str, object] = {
    "action_label": action_label,
    "args_with": args_with,
    "comment_text": comment_text,
    "fiscal_year_label": fiscal_year_label,
    "current_language": current_language,
    "export_args": export_args,
    "localized_name": localized_name,
    "milestone_name": enum_label,
    "nav_items": nav_items,
    "nomination_label": state_label,
    "person_name": person_name,
    "role_labels": role_labels,
    "state_label": state_label,
}
CORE_FILTERS: Mapping[str, Callable[..., object]] = {
    "action_label": action_label,
    "dt": _date,
    "fy": fiscal_year_label,
    "object_type_label": object_type_label,
    "state": state_label,
    "yen": yen,
}


def init_template_globals(
    app: Flask,
    module_globals: Mapping[str, object] | None = None,
    module_filters: Mapping[str, Callable[..., object]] | None = None,
) -> None:
    """Register core's globals and filters and the modules' ones; a name given twice is a bug."""
    for table, core, added in (
        (app.jinja_env.globals, CORE_GLOBALS, module_globals or {}),
        (app.jinja_env.filters, CORE_FILTERS, module_filters or {}),
    ):
        clashes = sorted(set(core) & set(added))
        if clashes:
            raise RuntimeError(f"template names registered twice: {', '.join(clashes)}")
        table.update(core)
        table.update(added)
    install_template_gettext(app)


def install_template_gettext(app: Flask) -> None:
    """Templates' ``_``, ``ngettext``, … with the catalog found by the request's locale: the
    same catalog as flask_babel's (its own, asked once per locale and kept for this app), where
    flask_babel's callables look the request context up three times per message (6 µs; a page
    shows 40 to 60 messages). ``force_locale`` changes the locale, so the catalog follows it."""
    catalogs: dict[object, Any] = {}

    def translations() -> Any:
        locale = get_locale()
        if locale is None:  # no request or app context: flask_babel's answer (no translation)
            return get_translations()
        found = catalogs.get(locale)
        if found is None:
            found = catalogs[locale] = get_translations()
        return found

    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
