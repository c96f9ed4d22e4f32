"""Reminder fixtures: the placements world, instants in Tokyo time, deliveries by rule."""

from __future__ import annotations

import contextlib
import socket
from datetime import date, datetime, time
from decimal import Decimal
from email import message_from_bytes
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from hrfund.extensions import db as _db
from hrfund.reminders.jobs import dispatch_reminders
from hrfund.reminders.models import Delivery, Notification, ReminderRule
from hrfund.training.models import (
    LanguageScore,
    LanguageTest,
    ProgramCategory,
    RecordSource,
    RecordStatus,
    TrainingProgram,
    TrainingRecord,
)
from tests import smtp_guard
from tests.placements.conftest import world  # noqa: F401 - a fixture shared with placements

TOKYO = ZoneInfo("Asia/Tokyo")


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """An instant on ``day`` in Tokyo time."""
    return datetime.combine(day, time(hour, minute), TOKYO)


def rule(code: str) -> ReminderRule:
    return _db.session.scalar(sa.select(ReminderRule).where(ReminderRule.code == code))


def deliveries(code: str, **filters) -> list[Delivery]:
    stmt = sa.select(Delivery).join(ReminderRule).where(ReminderRule.code == code)
    for name, value in filters.items():
        stmt = stmt.where(getattr(Delivery, name) == value)
    return list(_db.session.scalars(stmt.order_by(Delivery.id)))


def notifications_of(user) -> list[Notification]:
    return list(
        _db.session.scalars(
            sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )


def run(now: datetime):
    return dispatch_reminders(now, worker="test")


def make_record(user, expires_on: date, code: str = "ENG-1") -> TrainingRecord:
    program = _db.session.scalar(sa.select(TrainingProgram).where(TrainingProgram.code == code))
    if program is None:
        program = TrainingProgram(
            code=code,
            title_ja="ビジネス英語",
            title_en="Business English",
            category=ProgramCategory.LANGUAGE,
            hours=Decimal(20),
        )
        _db.session.add(program)
        _db.session.flush()
    record = TrainingRecord(
        user_id=user.id,
        program_id=program.id,
        status=RecordStatus.COMPLETED,
        completed_on=date(2025, 3, 1),
        expires_on=expires_on,
        source=RecordSource.HR,
    )
    _db.session.add(record)
    _db.session.flush()
    return record


def make_score(user, expires_on: date) -> LanguageScore:
    score = LanguageScore(
        user_id=user.id,
        test=LanguageTest.TOEIC,
        score=Decimal(850),
        taken_on=date(2025, 1, 10),
        expires_on=expires_on,
    )
    _db.session.add(score)
    _db.session.flush()
    return score


@pytest.fixture
def quiet_mail(app, monkeypatch):
    """No SMTP server: mail goes to the log."""
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content)
        self.messages.append((tuple(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for rcpts, m in self.messages if address in rcpts]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(app, monkeypatch):
    """An SMTP server on loopback, started by ``smtp.start()``; MAIL_* point at it."""
    port = free_port()
    inbox = Inbox()
    smtp_guard.allow(port)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 5)
    inbox.start = controller.start
    yield inbox
    with contextlib.suppress(AssertionError):  # never started
        controller.stop()
