"""Reading and checking the rows of a training-record import file (CSV or XLSX), streaming."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from hrfund.core.files import text_encoding
from hrfund.core.fiscal import tokyo_today
from hrfund.core.yen import plain_decimal_text
from hrfund.core.zipcheck import UnsafeZip, check_xlsx
from hrfund.training.models import (
    RecordStatus,
)

REQUIRED_COLUMNS = ("employee_number", "program", "completed_on")
COLUMNS = REQUIRED_COLUMNS + ("status", "hours", "score", "expires_on")
ALIASES = {
    "program_code": "program",
    "program_id": "program",
    "employee_no": "employee_number",
    "date": "completed_on",
    "completion_date": "completed_on",
    "職員番号": "employee_number",
    "研修": "program",
    "研修コード": "program",
    "修了日": "completed_on",
    "状態": "status",
    "時間": "hours",
    "点数": "score",
    "有効期限": "expires_on",
}
IMPORT_STATUSES = (RecordStatus.COMPLETED.value, RecordStatus.FAILED.value)


class FileUnreadable(Exception):
    """The file as a whole cannot be imported (no header, missing columns, not a workbook)."""


def _normalise_header(cells) -> list[str]:
    names = []
    for cell in cells:
        name = str(cell or "").strip().lstrip("\ufeff").lower().replace(" ", "_")
        names.append(ALIASES.get(name, name))
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise FileUnreadable(
            str(
                _l(
                    "The first row must name the columns; missing: %(names)s.",
                    names=", ".join(missing),
                )
            )
        )
    return names


def iter_rows(path: str, kind: str) -> Iterator[tuple[int, dict]]:
    """(row number, {column: value}) for every data row, read streaming."""
    if kind == "xlsx":
        yield from _iter_xlsx(path)
        return
    with open(path, "rb") as raw:
        encoding = text_encoding(raw.read(65536)) or "utf-8-sig"
        raw.seek(0)
        text = codecs.getreader(encoding)(raw, "replace")
        reader = csv.reader(text)
        try:
            header = next(reader)
        except StopIteration:
            raise FileUnreadable(str(_l("The file is empty."))) from None
        except csv.Error as error:
            raise FileUnreadable(str(error)) from None
        names = _normalise_header(header)
        for values in reader:
            if any(v.strip() for v in values):
                yield reader.line_num, dict(zip(names, values, strict=False))


def _iter_xlsx(path: str) -> Iterator[tuple[int, dict]]:
    from openpyxl import load_workbook

    # An open file, not the path: openpyxl refuses a path without ".xlsx", and stored files
    # have random names without extension.
    source = open(path, "rb")  # noqa: SIM115 - closed in the finally below
    try:
        check_xlsx(source)  # no zip bomb reaches openpyxl (it reads shared strings whole)
        source.seek(0)
        workbook = load_workbook(source, read_only=True, data_only=True)
    except UnsafeZip as error:
        source.close()
        raise FileUnreadable(str(error)) from None
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        source.close()
        raise FileUnreadable(str(_l("This is not a readable XLSX workbook."))) from error
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise FileUnreadable(str(_l("The file is empty.")))
        names = _normalise_header(header)
        for number, values in enumerate(rows, start=2):
            if any(v not in (None, "") for v in values):
                yield number, dict(zip(names, values, strict=False))
    finally:
        workbook.close()
        source.close()


def count_rows(path: str, kind: str) -> int:
    if kind == "xlsx":
        from openpyxl import load_workbook

        try:
            with open(path, "rb") as source:
                check_xlsx(source)  # refused: iter_rows below says why
                source.seek(0)
                workbook = load_workbook(source, read_only=True)
                rows = workbook.worksheets[0].max_row
                workbook.close()
            if rows:
                return max(0, rows - 1)
        except Exception:  # noqa: S110 - unreadable files are reported when read
            pass
    return sum(1 for _ in iter_rows(path, kind))


# ---------------------------------------------------------------- checking rows


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _parse_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value).replace("/", "-")
    return date.fromisoformat(text) if text else None


def _parse_number(value) -> Decimal | None:
    text = cell_text(value)
    if not text:
        return None
    # full-width digits and separators from a Japanese spreadsheet read as the ASCII ones
    number = Decimal(plain_decimal_text(text) or text)
    if not number.is_finite() or number < 0 or number >= 1_000_000:
        raise InvalidOperation
    return number


def check_row(raw: dict, users: dict[str, int], programs: dict[str, int]) -> dict:
    errors: list[str] = []
    staged: dict = {
        "user_id": None,
        "program_id": None,
        "status": None,
        "completed_on": None,
        "hours": None,
        "score": None,
        "expires_on": None,
    }
    number = cell_text(raw.get("employee_number"))
    if not number:
        errors.append(str(_l("employee_number is empty.")))
    elif number not in users:
        errors.append(str(_l("No employee has the number %(value)s.", value=number)))
    else:
        staged["user_id"] = users[number]
    program = cell_text(raw.get("program")).upper()
    if not program:
        errors.append(str(_l("program is empty.")))
    elif program not in programs:
        errors.append(str(_l("No program has the code or id %(value)s.", value=program)))
    else:
        staged["program_id"] = programs[program]
    status = cell_text(raw.get("status")).lower() or RecordStatus.COMPLETED.value
    if status not in IMPORT_STATUSES:
        errors.append(str(_l("status must be completed or failed, not %(value)s.", value=status)))
    staged["status"] = status
    for name in ("completed_on", "expires_on"):
        try:
            staged[name] = _parse_date(raw.get(name))
        except (ValueError, TypeError):
            errors.append(
                str(
                    _l(
                        "%(column)s is not a date (YYYY-MM-DD): %(value)s.",
                        column=name,
                        value=cell_text(raw.get(name))[:40],
                    )
                )
            )
    if staged["completed_on"] is None and not any(e.startswith("completed_on") for e in errors):
        errors.append(str(_l("completed_on is empty.")))
    elif staged["completed_on"] and staged["completed_on"] > tokyo_today():
        errors.append(str(_l("completed_on is in the future.")))
    if (
        staged["expires_on"]
        and staged["completed_on"]
        and staged["expires_on"] < staged["completed_on"]
    ):
        errors.append(str(_l("expires_on is before completed_on.")))
    for name in ("hours", "score"):
        try:
            staged[name] = _parse_number(raw.get(name))
        except (InvalidOperation, ValueError):
            errors.append(
                str(
                    _l(
                        "%(column)s is not a number of 0 or more: %(value)s.",
                        column=name,
                        value=cell_text(raw.get(name))[:40],
                    )
                )
            )
    staged["errors"] = "\n".join(errors) or None
    return staged
