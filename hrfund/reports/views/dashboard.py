"""Pages of the reports module: the dashboard of each role, and the fiscal-year report."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from babel.dates import format_date
from flask import current_app, render_template
from flask_babel import gettext as _
from flask_login import current_user

from hrfund.core.fiscal import current_fiscal_year, tokyo_today
from hrfund.core.labels import state_label
from hrfund.core.permissions import login_required
from hrfund.reports import dashboards
from hrfund.reports.admin_dashboard import admin_dashboard
from hrfund.reports.blueprint import bp
from hrfund.reports.charts import chart_spec


@bp.route("/dashboard")
@login_required
def dashboard():
    today, fiscal_year = tokyo_today(), current_fiscal_year()
    sections = dashboards.sections_for(current_user)
    context = {
        "sections": sections,
        "today": today,
        "fiscal_year": fiscal_year,
        "has_report": "reports.fiscal_year" in current_app.view_functions,
    }
    if "admin" in sections:
        context["admin"] = admin_dashboard()
    if "organisation" in sections:
        org = dashboards.organisation_dashboard(today, fiscal_year)
        context["org"] = org
        context["charts"] = organisation_charts(org)
    if "manager" in sections:
        context["manager"] = dashboards.manager_dashboard(current_user, today)
    if "coordinator" in sections:
        context["coordinator"] = dashboards.coordinator_dashboard(current_user, today)
    if "employee" in sections:
        context["employee"] = dashboards.employee_dashboard(current_user, today, fiscal_year)
    return render_template("reports/dashboard.html", **context)


def organisation_charts(org: dashboards.OrganisationDashboard) -> dict:
    """The charts of the HR dashboard (their figures, drawn by ``figures.chart_figure``), with
    labels in the reader's language."""
    from hrfund.core.i18n import current_language
    from hrfund.fund.forms import CATEGORY_LABELS as LINE_LABELS
    from hrfund.training.labels import CATEGORY_LABELS, test_label
    from hrfund.training.models import ProgramCategory

    language = current_language()  # once, not per city and call
    lines = list(org.summary.lines.items())
    charts = {
        "fund": chart_spec(
            _("Fund use by line, FY%(year)d (yen)", year=org.fiscal_year),
            [str(LINE_LABELS[c]) for c, _f in lines],
            [
                (_("Disbursed"), [f.disbursed for _c, f in lines]),
                (_("Committed"), [f.committed for _c, f in lines]),
                (_("Available"), [max(f.available, 0) for _c, f in lines]),
            ],
        ),
        "cities": chart_spec(
            _("Committed and paid by city, FY%(year)d (yen)", year=org.fiscal_year),
            [city.name(language) for city, _c, _d in org.committed_by_city],
            [
                (_("Committed"), [c for _city, c, _d in org.committed_by_city]),
                (_("Disbursed"), [d for _city, _c, d in org.committed_by_city]),
            ],
        ),
        "exchanges": chart_spec(
            _("Exchanges per fiscal year"),
            [_("FY%(year)d", year=y) for y in org.years],
            [
                (_("Outgoing"), [org.exchanges[y]["outgoing"] for y in org.years]),
                (_("Incoming"), [org.exchanges[y]["incoming"] for y in org.years]),
            ],
            stacked=False,
        ),
        "training": chart_spec(
            _("Training hours by category, FY%(year)d", year=org.fiscal_year),
            [str(CATEGORY_LABELS[ProgramCategory(c)]) for c in org.training_hours],
            [(_("Hours"), list(org.training_hours.values()))],
        ),
        "languages": chart_spec(
            _("Valid verified language scores by level"),
            [test_label(t) for t in org.language_levels],
            [
                (band, [levels[band] for levels in org.language_levels.values()])
                for band in dashboards.BANDS
            ],
        ),
    }
    payments = org.payments_by_month
    charts["months"] = chart_spec(
        _("Payments by line and month, FY%(year)d (yen)", year=org.fiscal_year),
        list(_month_names(language)),
        [(str(LINE_LABELS[c]), payments.get(c, [0] * 12)) for c, _f in lines],
    )
    statuses = ["submitted", "endorsed", "returned", "approved", "rejected", "withdrawn"]
    statuses += ["declined_by_manager"]
    charts["calls"] = chart_spec(
        _("Applications per call by status"),
        [c.call.name(language) for c in org.calls],
        [(state_label(s), [c.by_status.get(s, 0) for c in org.calls]) for s in statuses],
    )
    return charts


@lru_cache(maxsize=4)
def _month_names(language: str) -> tuple[str, ...]:
    """April to March, abbreviated in ``language``."""
    months = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)
    return tuple(format_date(date(2000, m, 1), "MMM", locale=language) for m in months)
