"""The fiscal-year report: a printable page and an XLSX workbook (routes on reports.bp)."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, send_file, url_for

from hrfund.auth.models import Role
from hrfund.core.fiscal import current_fiscal_year
from hrfund.core.permissions import roles_required
from hrfund.reports.blueprint import bp
from hrfund.reports.fiscal_year import fiscal_year_report, reportable
from hrfund.reports.fiscal_year_xlsx import spooled_workbook
from hrfund.reports.labels import ReportLabels

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _era() -> dict:
    """``?era=1`` (Japanese era dates) carried over to the links of the page."""
    return {"era": 1} if request.args.get("era") == "1" else {}


def _report_or_404(fy: int):
    if not reportable(fy):
        abort(404)
    return fiscal_year_report(fy)


@bp.get("/reports/fiscal-year")
@roles_required(Role.HR, Role.AUDITOR)
def fiscal_year_index():
    return redirect(url_for(".fiscal_year", fy=current_fiscal_year(), **_era()))


@bp.get("/reports/fiscal-year/<int:fy>")
@roles_required(Role.HR, Role.AUDITOR)
def fiscal_year(fy: int):
    report = _report_or_404(fy)
    return render_template(
        "reports/fiscal_year.html",
        report=report,
        labels=ReportLabels(era=bool(_era())),
        era_args=_era(),
        previous_fy=fy - 1 if reportable(fy - 1) else None,
        next_fy=fy + 1 if reportable(fy + 1) else None,
    )


@bp.get("/reports/fiscal-year/<int:fy>.xlsx")
@roles_required(Role.HR, Role.AUDITOR)
def fiscal_year_xlsx(fy: int):
    report = _report_or_404(fy)
    return send_file(
        spooled_workbook(report, ReportLabels(era=bool(_era()))),
        as_attachment=True,
        download_name=f"hrfund-fiscal-year-report-FY{fy}.xlsx",
        mimetype=XLSX,
    )
