"""The fiscal-year report as an XLSX workbook: one sheet per part, for an auditor to keep."""

from __future__ import annotations

import tempfile
import unicodedata
from typing import IO

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from hrfund.reports.fiscal_year import FiscalYearReport
from hrfund.reports.labels import ReportLabels

YEN = "#,##0"
TENTHS = "#,##0.0"
DATE = "yyyy-mm-dd"
BOLD = Font(bold=True)


def _width(value) -> int:
    """Display width of a cell: East Asian wide characters take two columns."""
    text = str(value) if value is not None else ""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _finish(sheet: Worksheet, header_row: int, freeze: str, formats: dict[int, str]) -> None:
    """Bold header, frozen panes, number formats per column (1-based) and column widths."""
    for cell in sheet[header_row]:
        cell.font = BOLD
    sheet.freeze_panes = freeze
    widths: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=header_row):
        for cell in row:
            if cell.column in formats and cell.row > header_row and cell.value is not None:
                cell.number_format = formats[cell.column]
            shown = f"{cell.value:,}" if isinstance(cell.value, int) else cell.value
            widths[cell.column] = max(widths.get(cell.column, 0), _width(shown))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), 60)


def _summary_sheet(sheet: Worksheet, report: FiscalYearReport, labels: ReportLabels) -> None:
    s = report.summary
    sheet.append([_("Fiscal-year report, %(year)s", year=labels.fiscal_year(report.fiscal_year))])
    sheet["A1"].font = Font(bold=True, size=14)
    if labels.era:
        sheet.append([_("Period"), labels.date(report.starts_on), labels.date(report.ends_on)])
    else:
        sheet.append([_("Period"), report.starts_on, report.ends_on])
        for cell in sheet[2][1:]:
            cell.number_format = DATE
    sheet.append([_("Generated"), labels.instant(report.generated_at)])
    sheet.append([])
    header_row = 5
    sheet.append([_("Line"), _("Allocated"), _("Committed"), _("Disbursed"), _("Available")])
    for category, f in s.lines.items():
        sheet.append([labels.line(category), f.allocated, f.committed, f.disbursed, f.available])
    t = s.totals
    sheet.append([_("Total"), t.allocated, t.committed, t.disbursed, t.available])
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
    sheet.append([])
    sheet.append([_("Contributed in the year"), s.contributed_in_year])
    sheet.append([_("Contributed (all years)"), s.fund.contributed])
    sheet.append([_("Allocated (all years)"), s.fund.allocated])
    sheet.append([_("Unallocated fund"), s.fund.unallocated])
    _finish(sheet, header_row, f"B{header_row + 1}", dict.fromkeys(range(2, 6), YEN))


def _fund_sheet(sheet: Worksheet, report: FiscalYearReport, labels: ReportLabels) -> None:
    sheet.append(
        [_("Line"), _("Kind"), _("Before")]
        + [labels.month(m) for m in report.months]
        + [_("After"), _("Total")]
    )
    for row in report.fund_rows:
        sheet.append([labels.line(row.category), labels.kind(row.kind), *row.amounts, row.total])
    _finish(sheet, 1, "C2", dict.fromkeys(range(3, 3 + 15), YEN))


def _exchange_sheet(sheet: Worksheet, report: FiscalYearReport, labels: ReportLabels) -> None:
    statuses = report.statuses
    sheet.append(
        [_("Partner city"), _("Direction")]
        + [labels.status(s) for s in statuses]
        + [_("Total"), _("Person-months")]
    )
    locale = labels.locale
    for row in report.exchanges:
        sheet.append(
            [row.city_name(locale), labels.direction(row.direction)]
            + [row.counts[s] for s in statuses]
            + [row.total, row.person_months]
        )
    for row in report.exchange_totals:
        sheet.append(
            [_("Total"), labels.direction(row.direction)]
            + [row.counts[s] for s in statuses]
            + [row.total, row.person_months]
        )
        for cell in sheet[sheet.max_row]:
            cell.font = BOLD
    _finish(sheet, 1, "C2", {len(statuses) + 4: TENTHS})


def _training_sheet(sheet: Worksheet, report: FiscalYearReport, labels: ReportLabels) -> None:
    sheet.append(
        [_("Program category"), _("Completed"), _("People"), _("Verified by HR"), _("Hours")]
    )
    for row in report.training:
        sheet.append(
            [
                labels.program_category(row.category),
                row.records,
                row.people,
                row.verified,
                row.hours,
            ]
        )
    t = report.training_total
    sheet.append([_("Total"), t.records, None, t.verified, t.hours])
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
    _finish(sheet, 1, "B2", {5: TENTHS})


def _language_sheet(sheet: Worksheet, report: FiscalYearReport, labels: ReportLabels) -> None:
    sheet.append([_("Test"), _("Results"), _("People"), _("Verified by HR"), _("Average score")])
    for row in report.languages:
        sheet.append([labels.test(row.test), row.results, row.people, row.verified, row.average])
    _finish(sheet, 1, "B2", {5: TENTHS})


def fiscal_year_workbook(report: FiscalYearReport, labels: ReportLabels) -> Workbook:
    """The workbook: Summary, Fund by month, Exchanges, Training, Language scores."""
    workbook = Workbook()
    parts = [
        (_("Summary"), _summary_sheet),
        (_("Fund by month"), _fund_sheet),
        (_("Exchanges"), _exchange_sheet),
        (_("Training"), _training_sheet),
        (_("Language scores"), _language_sheet),
    ]
    workbook.remove(workbook.active)
    for title, fill in parts:
        fill(workbook.create_sheet(title[:31]), report, labels)
    workbook.properties.title = _(
        "Fiscal-year report, %(year)s", year=labels.fiscal_year(report.fiscal_year)
    )
    return workbook


def spooled_workbook(report: FiscalYearReport, labels: ReportLabels) -> IO[bytes]:
    """The workbook saved to a temporary file (in memory while small), rewound."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    fiscal_year_workbook(report, labels).save(spool)
    spool.seek(0)
    return spool
