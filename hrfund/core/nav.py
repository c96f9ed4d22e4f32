"""The navigation bar: one list of entries, each with the roles that see it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user


@dataclass(frozen=True)
class NavItem:
    key: str
    endpoint: str
    label: object
    roles: tuple[str, ...] = ()  # empty: every logged-in user


NAV_ITEMS = [
    NavItem("home", "reports.dashboard", _l("Home")),  # core.index leads there too
    NavItem("cities", "org.cities", _l("Partner cities")),
    NavItem("departments", "org.departments", _l("Departments")),
    NavItem("calls", "applications.calls", _l("Calls"), ("employee", "hr", "auditor")),
    NavItem(
        "applications",
        "applications.applications",
        _l("Applications"),
        ("employee", "manager", "hr", "auditor"),
    ),
    NavItem(
        "delegations", "applications.delegations", _l("Deputies"), ("manager", "hr", "auditor")
    ),
    NavItem("placements", "placements.index", _l("Placements")),
    NavItem(
        "nominations", "placements.nominations", _l("Nominations"), ("coordinator", "hr", "auditor")
    ),
    NavItem("training", "training.programs", _l("Training")),
    NavItem("talent", "training.talent_pool", _l("Talent pool"), ("hr",)),
    NavItem("fund", "fund.overview", _l("Fund"), ("hr", "auditor")),
    NavItem("report", "reports.fiscal_year_index", _l("Fiscal-year report"), ("hr", "auditor")),
    NavItem("reminders", "reminders.rules", _l("Reminders"), ("hr",)),
    NavItem("audit", "core.audit", _l("Audit log"), ("hr", "auditor")),
    NavItem("users", "admin.users", _l("Users"), ("admin",)),
]


def nav_items() -> list[NavItem]:
    """The entries the current user sees (only endpoints that exist in this app)."""
    endpoints = current_app.view_functions
    return [
        item
        for item in NAV_ITEMS
        if item.endpoint in endpoints and (not item.roles or current_user.has_role(*item.roles))
    ]


def init_nav(app: Flask) -> None:
    app.jinja_env.globals["nav_items"] = nav_items
