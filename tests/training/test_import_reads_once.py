"""Each row of an import file is parsed once, whatever its kind: a sheet without its dimension
(openpyxl's write-only mode, this app's own exports) was parsed whole a first time only to count
its rows for the progress bar, then again to check them."""

from __future__ import annotations

from datetime import date, timedelta

from openpyxl import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from hrfund.training import imports
from hrfund.training.models import ImportStatus
from tests import factories

ROWS = 300
DAY = date(2025, 6, 1)


def _write_sheet(path, numbers, *, write_only: bool) -> None:
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("records") if write_only else workbook.active
    sheet.append(["employee_number", "program", "completed_on", "hours"])
    for i in range(ROWS):
        sheet.append([numbers[i % len(numbers)], "ONCE-1", DAY - timedelta(days=i), 2])
    workbook.save(path)


def _rows_parsed(monkeypatch) -> list[int]:
    """Counts the rows openpyxl reads from any sheet (a spy on the library, not on hrfund)."""
    parsed = [0]
    original = ReadOnlyWorksheet._cells_by_row

    def counting(self, *args, **kwargs):
        for row in original(self, *args, **kwargs):
            parsed[0] += 1
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", counting)
    return parsed


def _check(hr, path):
    batch = imports.create_batch(hr, None, str(path), path=str(path))
    imports.check_batch(hr, batch)
    return batch


def test_a_sheet_without_its_dimension_is_parsed_once(db, make_program, tmp_path, monkeypatch):
    hr = factories.user(roles=["hr", "employee"])
    make_program(code="ONCE-1")
    numbers = [factories.user(employee_number=f"O{i:03d}").employee_number for i in range(10)]
    path = tmp_path / "write-only.xlsx"
    _write_sheet(path, numbers, write_only=True)
    parsed = _rows_parsed(monkeypatch)

    batch = _check(hr, path)

    assert batch.status == ImportStatus.VALID, batch.file_error
    assert batch.processed_rows == ROWS and batch.total_rows == ROWS
    assert parsed[0] == ROWS + 1  # the header and each data row, once
    imports.import_batch(hr, batch)
    assert batch.created_rows == ROWS


def test_a_sheet_with_its_dimension_shows_its_total_before_the_check(
    db, make_program, tmp_path, monkeypatch
):
    """Excel and openpyxl's normal mode write the dimension: the progress bar has the total from
    the first step on, read from the dimension, not from the rows."""
    hr = factories.user(roles=["hr", "employee"])
    make_program(code="ONCE-1")
    numbers = [factories.user(employee_number=f"D{i:03d}").employee_number for i in range(10)]
    path = tmp_path / "normal.xlsx"
    _write_sheet(path, numbers, write_only=False)
    parsed = _rows_parsed(monkeypatch)

    assert imports.count_rows(str(path), "xlsx") == ROWS
    assert parsed[0] == 0
    batch = _check(hr, path)
    assert batch.status == ImportStatus.VALID, batch.file_error
    assert parsed[0] == ROWS + 1
