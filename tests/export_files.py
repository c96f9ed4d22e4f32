"""Read an export response as the cells a spreadsheet shows: CSV after its BOM, XLSX by openpyxl."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

BOM = "\ufeff".encode()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_rows(response) -> list[list[str]]:
    """Header and rows of a CSV export; it must be UTF-8 that starts with a BOM."""
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    body = response.get_data()
    assert body.startswith(BOM)
    return list(csv.reader(io.StringIO(body[len(BOM) :].decode("utf-8"), newline="")))


def xlsx_sheet(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == XLSX
    return load_workbook(io.BytesIO(response.get_data())).active


def xlsx_rows(response) -> list[list[str]]:
    """Header and rows of an XLSX export, as text, to compare with the CSV one."""
    sheet = xlsx_sheet(response)
    return [
        ["" if value is None else str(value) for value in row]
        for row in sheet.iter_rows(values_only=True)
    ]
