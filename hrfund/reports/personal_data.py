"""Everything held about one person, for a disclosure request under the APPI: a ZIP of JSON and
the person's uploaded files.

``data.json`` holds every kind of record that names the person (profile, roles, applications with
their history, placements with milestones and reports, training records, language scores,
notifications and deliveries, notice settings, delegations, nominations they made, sessions and
token metadata, and the audit events by or about them); ``files/`` holds the bytes of every file
the person uploaded or that belongs to their records. Secrets are never exported: password,
token and session hashes, and the storage keys of files.
"""

from __future__ import annotations

import json
import logging
import zipfile
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import IO, Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from hrfund.applications.models import Application, Delegation
from hrfund.auth.models import ApiToken, User, UserSession
from hrfund.core.audit import AuditEvent, record_event
from hrfund.core.db import utcnow
from hrfund.core.errors import NotAllowed
from hrfund.core.files import StoredFile, open_stored
from hrfund.extensions import db
from hrfund.placements.models import Nomination, Placement, Report
from hrfund.reminders.models import CalendarToken, Delivery, NoticePreference, Notification
from hrfund.training.models import LanguageScore, TrainingRecord

log = logging.getLogger(__name__)

#: Columns never exported: secrets, and where a file lies on disk.
SECRET_COLUMNS = frozenset(
    {"password_hash", "token_hash", "key_hash", "user_agent_hash", "storage_key"}
)
EXPORT_ROLES = ("hr",)


def can_export_personal_data(user) -> bool:
    """Only HR answers disclosure requests."""
    return bool(user is not None and getattr(user, "is_authenticated", False)) and user.has_role(
        *EXPORT_ROLES
    )


def _value(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict | list | str | int | float | bool) or value is None:
        return value
    return str(value)


def row(obj) -> dict[str, Any]:
    """The columns of one model object, JSON-ready, without secrets."""
    return {
        attr.key: _value(getattr(obj, attr.key))
        for attr in sa.inspect(obj).mapper.column_attrs
        if attr.key not in SECRET_COLUMNS
    }


def _all(stmt) -> list:
    return list(db.session.scalars(stmt))


def _histories(object_type: str, object_ids: list[int]) -> dict[int, list[dict]]:
    """The audit history of each object, oldest first, in one query for all of them."""
    by_id: dict[int, list[dict]] = {i: [] for i in object_ids}
    if not object_ids:
        return by_id
    for event in _all(
        sa.select(AuditEvent)
        .where(
            AuditEvent.object_type == object_type,
            AuditEvent.object_id.in_([str(i) for i in object_ids]),
        )
        .order_by(AuditEvent.id)
    ):
        by_id[int(event.object_id)].append(row(event))
    return by_id


class _Files:
    """The files to put in the ZIP, each once, under files/<id>-<original name>."""

    def __init__(self):
        self.by_id: dict[int, StoredFile] = {}

    def add(self, stored: StoredFile | None) -> str | None:
        if stored is None:
            return None
        self.by_id[stored.id] = stored
        return self.name(stored)

    @staticmethod
    def name(stored: StoredFile) -> str:
        return f"files/{stored.id}-{stored.original_name}"


def _applications(user: User, files: _Files) -> list[dict]:
    items = []
    found = _all(
        sa.select(Application)
        .where(Application.applicant_id == user.id)
        .options(so.joinedload(Application.call), so.selectinload(Application.attachments))
        .order_by(Application.id)
    )
    histories = _histories("applications", [a.id for a in found])
    for application in found:
        item = row(application)
        item["call"] = {"id": application.call_id, "title": application.call.title}
        item["preferences"] = [
            {"rank": p.rank, "city": p.city.code} for p in application.preferences
        ]
        item["attachments"] = [
            row(a.file) | {"kind": a.kind, "path": files.add(a.file)}
            for a in application.attachments
        ]
        item["history"] = histories[application.id]
        items.append(item)
    return items


def _placements(user: User, files: _Files) -> list[dict]:
    items = []
    found = _all(
        sa.select(Placement)
        .where(Placement.person_id == user.id)
        .options(so.joinedload(Placement.city), so.selectinload(Placement.milestones))
        .order_by(Placement.id)
    )
    ids = [p.id for p in found]
    reports: dict[int, list[Report]] = {i: [] for i in ids}
    if ids:
        for report in _all(
            sa.select(Report)
            .where(Report.placement_id.in_(ids))
            .options(so.joinedload(Report.file))
            .order_by(Report.id)
        ):
            reports[report.placement_id].append(report)
    histories = _histories("placements", ids)
    for placement in found:
        item = row(placement) | {"city": placement.city.code}
        item["milestones"] = [row(m) for m in placement.milestones]
        item["reports"] = [row(r) | {"file_path": files.add(r.file)} for r in reports[placement.id]]
        item["history"] = histories[placement.id]
        items.append(item)
    return items


def _training(user: User, files: _Files) -> tuple[list[dict], list[dict]]:
    records = [
        row(r)
        | {
            "program": r.program.code or r.program.title_en,
            "certificate_path": files.add(r.certificate),
        }
        for r in _all(
            sa.select(TrainingRecord)
            .where(TrainingRecord.user_id == user.id)
            .options(
                so.joinedload(TrainingRecord.program), so.joinedload(TrainingRecord.certificate)
            )
            .order_by(TrainingRecord.id)
        )
    ]
    scores = [
        row(s) | {"certificate_path": files.add(s.certificate)}
        for s in _all(
            sa.select(LanguageScore)
            .where(LanguageScore.user_id == user.id)
            .options(so.joinedload(LanguageScore.certificate))
            .order_by(LanguageScore.id)
        )
    ]
    return records, scores


def _rows(model, *where) -> list[dict]:
    return [
        row(o) for o in _all(sa.select(model).where(*where).order_by(*model.__mapper__.primary_key))
    ]


def collect_personal_data(user: User) -> tuple[dict[str, Any], list[StoredFile]]:
    """(data, files): every record held about ``user`` and the files that belong to them."""
    files = _Files()
    records, scores = _training(user, files)
    data: dict[str, Any] = {
        "profile": row(user)
        | {
            "has_local_password": user.password_hash is not None,
            "department": user.department.code if user.department else None,
            "city": user.city.code if user.city else None,
            "managed_departments": [d.code for d in user.managed_departments],
        },
        "roles": sorted(str(r) for r in user.roles),
        "applications": _applications(user, files),
        "placements": _placements(user, files),
        "training_records": records,
        "language_scores": scores,
        "notifications": _rows(Notification, Notification.user_id == user.id),
        "deliveries": _rows(Delivery, Delivery.recipient_id == user.id),
        "notice_preferences": _rows(NoticePreference, NoticePreference.user_id == user.id),
        "delegations": _rows(
            Delegation, sa.or_(Delegation.principal_id == user.id, Delegation.deputy_id == user.id)
        ),
        "nominations_made": _rows(Nomination, Nomination.nominated_by_id == user.id),
        "sessions": _rows(UserSession, UserSession.user_id == user.id),
        "api_tokens": _rows(ApiToken, ApiToken.user_id == user.id),
        "calendar_tokens": _rows(CalendarToken, CalendarToken.user_id == user.id),
        "audit_events": _rows(
            AuditEvent,
            sa.or_(
                AuditEvent.actor_id == user.id,
                sa.and_(AuditEvent.object_type == "users", AuditEvent.object_id == str(user.id)),
            ),
        ),
    }
    for stored in _all(sa.select(StoredFile).where(StoredFile.owner_id == user.id)):
        files.add(stored)
    data["files"] = [
        row(f) | {"path": files.name(f)} for f in sorted(files.by_id.values(), key=lambda f: f.id)
    ]
    return data, sorted(files.by_id.values(), key=lambda f: f.id)


def write_personal_data_zip(user: User, out: IO[bytes]) -> dict[str, int]:
    """Write the ZIP of ``user``'s data to ``out``; returns how many records of each kind."""
    data, stored_files = collect_personal_data(user)
    data = {"exported_at": utcnow().isoformat(), "user_id": user.id} | data
    missing = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for stored in stored_files:
            try:
                with (
                    open_stored(stored) as source,
                    archive.open(_Files.name(stored), "w", force_zip64=True) as target,
                ):
                    while chunk := source.read(64 * 1024):
                        target.write(chunk)
            except (FileNotFoundError, NotAllowed):
                missing.append(stored.id)  # its row is exported; its bytes are gone
        data["missing_files"] = missing
        archive.writestr(
            "data.json", json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)
        )
    return {k: len(v) for k, v in data.items() if isinstance(v, list)}


def export_personal_data(actor, user: User, out: IO[bytes]) -> dict[str, int]:
    """An audited disclosure export of ``user``'s data by ``actor`` (HR, or the CLI: None)."""
    if actor is not None and not can_export_personal_data(actor):
        raise NotAllowed(str(_l("Only HR may export a person's data.")))
    counts = write_personal_data_zip(user, out)
    record_event(actor, "personal_data.export", user, object_type="users", changes=counts)
    log.info("personal data of user %s exported by %s", user.id, getattr(actor, "id", "cli"))
    return counts


def export_filename(user: User) -> str:
    return f"personal-data-{user.id}-{utcnow():%Y%m%d}.zip"
