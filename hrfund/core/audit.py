"""The append-only audit log: who did what to which object, from which state to which."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy.orm import Mapped, mapped_column

from hrfund.core.actor import Agent
from hrfund.core.db import AnySelect, utcnow
from hrfund.extensions import Model, db

log = logging.getLogger(__name__)


class AuditEvent(Model):
    """One recorded change. Never updated or deleted (a database trigger refuses it)."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_object", "object_type", "object_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    actor_label: Mapped[str] = mapped_column(sa.String(254))
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(64))
    object_id: Mapped[str | None] = mapped_column(sa.String(64))
    from_state: Mapped[str | None] = mapped_column(sa.String(32))
    to_state: Mapped[str | None] = mapped_column(sa.String(32))
    comment: Mapped[str | None] = mapped_column(sa.Text)
    changes: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    request_id: Mapped[str | None] = mapped_column(sa.String(64))

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action} {self.object_type}:{self.object_id}>"


def record_event(
    actor: Agent | str | None,
    action: str,
    obj: object = None,
    *,
    object_type: str | None = None,
    object_id: Any = None,
    from_state: str | None = None,
    to_state: str | None = None,
    comment: str | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an audit event for ``obj`` (or an explicit type and id) done by ``actor``."""
    if obj is not None:
        object_type = object_type or getattr(obj, "__tablename__", type(obj).__name__)
        if object_id is None:
            db.session.flush()
            object_id = getattr(obj, "id", None)
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        actor_label=getattr(actor, "email", None) or str(actor or "system"),
        action=action,
        object_type=object_type or "",
        object_id=None if object_id is None else str(object_id),
        from_state=None if from_state is None else str(from_state),
        to_state=None if to_state is None else str(to_state),
        comment=comment,
        changes=_jsonable(changes) if changes else None,
        request_id=g.get("request_id") if has_request_context() else None,
    )
    db.session.add(event)
    db.session.flush()
    log.info(
        "audit %s %s:%s by %s %s→%s",
        action,
        object_type,
        object_id,
        event.actor_label,
        from_state,
        to_state,
    )
    return event


def _jsonable(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def diff(obj: object, values: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields of ``values`` that differ from ``obj``: {field: [old, new]}."""
    return {k: [getattr(obj, k), v] for k, v in values.items() if getattr(obj, k) != v}


def audit_query(
    object_type: str | None = None,
    object_id: str | None = None,
    action: str | None = None,
    actor_id: int | None = None,
    actor: str | None = None,
) -> AnySelect:
    """A select of audit events, newest first, with the given filters (``actor``: part of the
    actor's label, any case)."""
    stmt = sa.select(AuditEvent).order_by(AuditEvent.id.desc())
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    if object_id:
        stmt = stmt.where(AuditEvent.object_id == str(object_id))
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if actor_id:
        stmt = stmt.where(AuditEvent.actor_id == actor_id)
    if actor:
        like = actor.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(AuditEvent.actor_label.ilike(f"%{like}%", escape="\\"))
    return stmt
