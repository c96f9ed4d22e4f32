"""The reminders module's exports, one column table each: kinds, channels and states as the
delivery log shows them (labels in the reader's language), read in keyset batches."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hrfund.core.exports import Column, date_text, table_response, utc_text
from hrfund.reminders.models import Delivery
from hrfund.reminders.registry import KIND_LABELS


def _kind(d: Delivery) -> str:
    return str(KIND_LABELS.get(d.rule.kind, d.rule.kind))


DELIVERY_COLUMNS = (
    Column(_l("Delivery"), lambda d: d.id),
    Column(_l("Created at (UTC)"), lambda d: utc_text(d.created_at)),
    Column(_l("Reminder"), lambda d: d.rule.code),
    Column(_l("Kind"), _kind),
    Column(_l("Subject"), lambda d: f"{d.subject_type} #{d.subject_id}"),
    Column(_l("Due on"), lambda d: date_text(d.due_on)),
    Column(_l("Name"), lambda d: d.recipient.display_name("ja")),
    Column(_l("Name (romaji)"), lambda d: d.recipient.display_name("en")),
    Column(_l("E-mail address"), lambda d: d.recipient.email),
    Column(_l("Channel"), lambda d: d.channel.label),
    Column(_l("Message"), lambda d: d.title),
    Column(_l("Status"), lambda d: d.status.label),
    Column(_l("Attempts"), lambda d: d.attempts),
    Column(_l("Sent at (UTC)"), lambda d: utc_text(d.sent_at)),
    Column(_l("Next attempt (UTC)"), lambda d: utc_text(d.next_attempt_at)),
    Column(_l("Error"), lambda d: d.last_error or ""),
)


def deliveries_response(fmt: str, stmt: sa.Select):
    """The filtered delivery log, newest first."""
    return table_response(
        fmt,
        "reminder-deliveries",
        _l("Delivery log"),
        DELIVERY_COLUMNS,
        stmt,
        Delivery.id,
        newest_first=True,
    )
