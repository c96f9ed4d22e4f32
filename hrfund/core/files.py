"""Uploaded files: outside the web root, random names, checked by content, served safely.

Any module stores an upload with :func:`store_upload` and keeps the returned :class:`StoredFile`'s
id; it serves it back with :func:`send_stored_file` after its own scope check (or the default one:
the owner, HR and auditors).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import secrets
import unicodedata
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Response, current_app, send_file
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.utils import secure_filename

from hrfund.core.actor import Actor
from hrfund.core.db import utcnow
from hrfund.core.errors import NotAllowed, ValidationFailed
from hrfund.core.zipcheck import UnsafeZip, check_xlsx
from hrfund.extensions import Model, db

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
CHUNK = 64 * 1024

#: kind → (content type, accepted name extensions)
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "pdf": ("application/pdf", (".pdf",)),
    "png": ("image/png", (".png",)),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg")),
    "csv": ("text/csv", (".csv",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
}
DOCUMENT_KINDS = ("pdf", "png", "jpeg")
SPREADSHEET_KINDS = ("csv", "xlsx")
KIND_LABELS = {"pdf": "PDF", "png": "PNG", "jpeg": "JPEG", "csv": "CSV", "xlsx": "XLSX"}

#: Bidirectional controls: U+202E makes "cv\u202efdp.exe" show as "cvexe.pdf".
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)

#: Roles that may download any stored file besides its owner.
READER_ROLES = ("hr", "auditor")


class StoredFile(Model):
    """One uploaded file: its metadata here, its bytes under UPLOAD_FOLDER/<storage_key>."""

    __tablename__ = "stored_files"
    __table_args__ = (sa.CheckConstraint("size >= 0", name="size_nonnegative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    storage_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    original_name: Mapped[str] = mapped_column(sa.String(255))
    kind: Mapped[str] = mapped_column(sa.String(16))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<StoredFile {self.id} {self.kind} {self.size}B>"


def upload_folder() -> Path:
    """The folder files are stored in (UPLOAD_FOLDER, by default instance/uploads)."""
    folder = current_app.config.get("UPLOAD_FOLDER") or os.path.join(
        current_app.instance_path, "uploads"
    )
    path = Path(folder).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def detect_kind(head: bytes) -> str | None:
    """The kind of a file from its first bytes, whatever its name says."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"  # a zip; openpyxl refuses it later if it is no workbook
    if head.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"<":  # HTML, SVG or XML markup
        return None
    if head and b"\x00" not in head and text_encoding(head):
        return "csv"
    return None


def text_encoding(head: bytes) -> str | None:
    """UTF-8 (with or without BOM) or, as Japanese personnel systems still write, CP932."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            head.decode(encoding)
            return encoding
        except UnicodeDecodeError as error:
            if error.start >= len(head) - 4:  # a character cut at the end of the sample
                return encoding
    return None


def check_filename(filename: str | None) -> str:
    """The original name if it is a plain file name; a path, '..', control characters or
    bidirectional controls refuse."""
    name = (filename or "").strip()
    if not name:
        raise _rejected(_l("Choose a file to upload."))
    if (
        "/" in name
        or "\\" in name
        or name in (".", "..")
        or ".." in name.split(".")
        or any(unicodedata.category(c) == "Cc" or c in BIDI_CONTROLS for c in name)
        or len(name) > 255
    ):
        raise _rejected(
            _l(
                "The file name is not allowed: use a plain name without folders, "
                "for example certificate.pdf."
            )
        )
    return unicodedata.normalize("NFC", name)


def _rejected(message: object) -> ValidationFailed:
    return ValidationFailed(str(message), fields={"file": [str(message)]})


def _kinds_text(kinds: Iterable[str]) -> str:
    return ", ".join(KIND_LABELS[k] for k in kinds)


def store_upload(
    stream: BinaryIO,
    filename: str | None,
    *,
    owner: Actor | None = None,
    actor: Actor | None = None,
    kinds: Iterable[str] = DOCUMENT_KINDS,
    max_bytes: int | None = None,
) -> StoredFile:
    """Check and store an upload; refuses (ValidationFailed on ``file``) and stores nothing if
    the name is unsafe, the content is not one of ``kinds`` or the file is too large."""
    kinds = tuple(kinds)
    max_bytes = max_bytes or current_app.config.get("UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)
    name = check_filename(filename)
    extension = os.path.splitext(name)[1].lower()
    allowed_ext = {ext for k in kinds for ext in KINDS[k][1]}
    if extension not in allowed_ext:
        raise _rejected(_l("Upload a file of type %(kinds)s.", kinds=_kinds_text(kinds)))
    head = stream.read(CHUNK)
    kind = detect_kind(head)
    if kind not in kinds or extension not in KINDS[kind][1]:
        raise _rejected(
            _l(
                "The content of %(name)s is not a %(ext)s file (it was checked, not "
                "just its name). Upload a real %(kinds)s file.",
                name=name,
                ext=extension.lstrip(".").upper(),
                kinds=_kinds_text(kinds),
            )
        )
    key = secrets.token_hex(16)
    folder = upload_folder()
    final = folder / key
    partial = folder / f"{key}.part"
    digest = hashlib.sha256()
    size = 0
    try:
        with open(partial, "xb") as out:
            chunk = head
            while chunk:
                size += len(chunk)
                if size > max_bytes:
                    raise _rejected(
                        _l(
                            "The file is too large: at most %(mb)d MB.",
                            mb=max_bytes // (1024 * 1024),
                        )
                    )
                digest.update(chunk)
                out.write(chunk)
                chunk = stream.read(CHUNK)
        if kind == "xlsx":
            try:
                check_xlsx(str(partial))  # before anything (openpyxl) unpacks it
            except UnsafeZip as error:
                raise _rejected(str(error)) from None
        os.replace(partial, final)
    finally:
        if partial.exists():
            partial.unlink()
    stored = StoredFile(
        storage_key=key,
        original_name=name,
        kind=kind,
        content_type=KINDS[kind][0],
        size=size,
        sha256=digest.hexdigest(),
        owner_id=getattr(owner, "id", None),
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(stored)
    db.session.flush()
    db.session.info.setdefault(NEW_FILES, []).append(final)  # removed again if rolled back
    log.info("stored file %s (%s, %d bytes) for user %s", stored.id, kind, size, stored.owner_id)
    return stored


# ---------------------------------------------------------------- rolled-back uploads

#: Session.info key: the files this transaction wrote, deleted if it rolls back.
NEW_FILES = "hrfund_new_files"


@sa.event.listens_for(so.Session, "after_commit")
def _keep_new_files(session: so.Session) -> None:
    session.info.pop(NEW_FILES, None)


@sa.event.listens_for(so.Session, "after_soft_rollback")
def _drop_new_files(session: so.Session, previous_transaction: so.SessionTransaction) -> None:
    """A rolled-back transaction leaves no file behind: its row is gone, so would be the only
    way to find (or clean up) the file."""
    if previous_transaction.parent is not None:  # a savepoint: the transaction goes on
        return
    for path in session.info.pop(NEW_FILES, []):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            log.info("removed %s: its transaction rolled back", path.name)


def path_of(stored: StoredFile) -> Path:
    """The file's path, guaranteed inside the upload folder."""
    folder = upload_folder()
    path = (folder / stored.storage_key).resolve()
    if path.parent != folder or not stored.storage_key.isalnum():
        raise NotAllowed(str(_l("This file cannot be served.")))
    return path


def open_stored(stored: StoredFile) -> BinaryIO:
    return open(path_of(stored), "rb")


def can_download(stored: StoredFile, user: Actor | None) -> bool:
    """The default rule: the owner, HR and auditors."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return stored.owner_id == user.id or user.has_role(*READER_ROLES)


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback name and the UTF-8 name per RFC 5987/6266."""
    extension = secure_filename(os.path.splitext(name)[1].lstrip("."))
    fallback = secure_filename(name)
    if not fallback or fallback == extension:  # nothing ASCII in the stem, e.g. 証明書.pdf
        fallback = f"file.{extension}" if extension else "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def send_stored_file(
    stored: StoredFile,
    user: Actor | None,
    can_view: Callable[[StoredFile, Actor | None], bool] | None = None,
) -> Response:
    """A download response for an allowed user; NotAllowed otherwise."""
    if not (can_view or can_download)(stored, user):
        raise NotAllowed(str(_l("You may not download this file.")))
    response = send_file(
        path_of(stored),
        mimetype=stored.content_type,
        as_attachment=True,
        download_name="file",
        conditional=False,
        max_age=0,
    )
    response.headers["Content-Disposition"] = content_disposition(stored.original_name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def discard_stored(stored: StoredFile) -> None:
    """Remove a file's bytes (when its row goes, or its transaction fails)."""
    with contextlib.suppress(NotAllowed):
        path_of(stored).unlink(missing_ok=True)
