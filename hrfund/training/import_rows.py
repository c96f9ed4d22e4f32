"""Reading and checking the rows of a training-record import file (CSV or XLSX), streaming."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects.postgresql import ARRAY

from hrfund.auth.models import User
from hrfund.core.files import text_encoding
from hrfund.core.fiscal import tokyo_today
from hrfund.core.yen import plain_decimal_text
from hrfund.core.zipcheck import UnsafeZip, check_xlsx
from hrfund.extensions import db
from hrfund.training.models import RecordStatus, TrainingProgram

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


class CsvSteps:
    """The data rows of a CSV file from where the previous step stopped (``offset``, the byte
    after its last row, and ``line``, that row's last line), so that no step reads a row twice.
    ``position()`` says where the next step starts."""

    def __init__(self, path: str, offset: int | None = None, line: int | None = None) -> None:
        with open(path, "rb") as raw:
            encoding = text_encoding(raw.read(65536)) or "utf-8-sig"
        self.file = open(path, encoding=encoding, errors="replace", newline="")  # noqa: SIM115
        # readline, not iteration: a text file's tell() works only so
        self.reader = csv.reader(iter(self.file.readline, ""))
        try:
            header = next(self.reader)
        except StopIteration:
            self.file.close()
            raise FileUnreadable(str(_l("The file is empty."))) from None
        except csv.Error as error:
            self.file.close()
            raise FileUnreadable(str(error)) from None
        try:
            self.names = _normalise_header(header)
        except FileUnreadable:
            self.file.close()
            raise
        self.line_base = 0
        if offset is not None and line is not None:
            self.file.seek(offset)
            self.line_base = line - self.reader.line_num

    def rows(self) -> Iterator[tuple[int, dict]]:
        for values in self.reader:
            if any(v.strip() for v in values):
                yield (
                    self.line_base + self.reader.line_num,
                    dict(zip(self.names, values, strict=False)),
                )

    def position(self) -> tuple[int | None, int]:
        """(byte offset, line) after the last row read; no offset if it is not a plain one."""
        cookie = self.file.tell()  # a byte offset at a line's end, for these decoders
        return (cookie if cookie < 2**62 else None), self.line_base + self.reader.line_num

    def close(self) -> None:
        self.file.close()


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


def count_rows(path: str, kind: str) -> int | None:
    """The data rows, for the progress bar; None when only reading them all would tell."""
    if kind == "xlsx":
        from openpyxl import load_workbook

        try:
            with open(path, "rb") as source:
                check_xlsx(source)  # refused: iter_rows says why when the file is read
                source.seek(0)
                workbook = load_workbook(source, read_only=True)
                rows = workbook.worksheets[0].max_row
                workbook.close()
        except Exception:  # unreadable files are reported when read
            return None
        # A sheet without its dimension (openpyxl's write-only mode, this app's own exports)
        # says nothing: counting would parse every row a second time (a sheet is checked in one
        # step, which then knows the total), so the progress bar shows "?" meanwhile.
        return max(0, rows - 1) if rows else None
    # For the progress bar only (the check counts the rows it reads): its lines, not parsed.
    with open(path, "rb") as raw:
        lines = sum(block.count(b"\n") for block in iter(lambda: raw.read(1 << 20), b""))
    return max(0, lines - 1)


# ---------------------------------------------------------------- checking rows


def program_keys() -> dict[str, int]:
    keys: dict[str, int] = {}
    for program_id, code in db.session.execute(sa.select(TrainingProgram.id, TrainingProgram.code)):
        keys[str(program_id)] = program_id
        if code:
            keys[code.upper()] = program_id
    return keys


def employee_ids(numbers: set[str]) -> dict[str, int]:
    """{employee number: user id} of the numbers that name an employee. On PostgreSQL one array
    parameter, not thousands of IN parameters: a chunk's lookup is planned in half the time."""
    if db.session.get_bind().dialect.name == "postgresql":
        wanted = sa.bindparam("numbers", sorted(numbers), type_=ARRAY(sa.String))
        found = User.employee_number == sa.any_(wanted)
    else:
        found = User.employee_number.in_(numbers)
    rows = db.session.execute(sa.select(User.employee_number, User.id).where(found))
    return {number: user_id for number, user_id in rows if number is not None}


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
