"""Zip containers (XLSX) checked before anything unpacks them: no zip bombs, a real workbook.

openpyxl reads a workbook's shared strings and styles into memory whole, so a small file that
unpacks to gigabytes would exhaust the worker. Before openpyxl opens a file, the zip's own
directory is read (no member is unpacked): the declared sizes bound what zipfile will ever
inflate, and they are checked against a total, a per-member compression ratio and a member
count. A zip that is not a workbook (a DOCX renamed .xlsx, say) is refused too.
"""

from __future__ import annotations

import zipfile
from typing import BinaryIO

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

DEFAULT_MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 10_000
MAX_RATIO = 200  # deflate reaches ~1000:1 only on degenerate data such as a bomb's zeros
RATIO_FLOOR_BYTES = 1024 * 1024  # small members may compress as well as they like
WORKBOOK_MEMBERS = ("[Content_Types].xml", "xl/workbook.xml")


class UnsafeZip(ValueError):
    """The container is refused; ``str(error)`` is the message for the person uploading."""


def _limit() -> int:
    if has_app_context():
        return int(current_app.config.get("UPLOAD_MAX_UNZIPPED_BYTES", DEFAULT_MAX_UNZIPPED_BYTES))
    return DEFAULT_MAX_UNZIPPED_BYTES


def check_xlsx(source: str | BinaryIO) -> None:
    """Refuse (UnsafeZip) a file that is no zip, unpacks too large, or is not a workbook."""
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise UnsafeZip(str(_l("This is not a readable XLSX workbook."))) from None
    limit = _limit()
    total = sum(m.file_size for m in members)
    too_packed = any(
        m.file_size > RATIO_FLOOR_BYTES and m.file_size > MAX_RATIO * max(m.compress_size, 1)
        for m in members
    )
    if len(members) > MAX_MEMBERS or total > limit or too_packed:
        raise UnsafeZip(
            str(
                _l(
                    "The workbook unpacks to more than %(mb)d MB or is packed suspiciously "
                    "tightly; it was not opened. Save it again from Excel, or split it.",
                    mb=limit // (1024 * 1024),
                )
            )
        )
    names = {m.filename for m in members}
    if not all(name in names for name in WORKBOOK_MEMBERS):
        raise UnsafeZip(
            str(_l("This zip file is not an Excel workbook (XLSX): upload a real XLSX file."))
        )
