"""Reminder deliveries (sent, failed, retried) and in-app notifications, read and unread."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from hrfund.seed_scale.context import Context

DELIVERY_COLUMNS = (
    "id",
    "rule_id",
    "subject_type",
    "subject_id",
    "due_on",
    "recipient_id",
    "channel",
    "status",
    "attempts",
    "next_attempt_at",
    "claimed_at",
    "claimed_by",
    "sent_at",
    "last_error",
    "title",
    "body",
    "link",
    "created_at",
)
NOTIFICATION_COLUMNS = (
    "id",
    "user_id",
    "delivery_id",
    "title",
    "body",
    "link",
    "created_at",
    "read_at",
)
NOTICES = [
    ("Your application was approved", "/applications"),
    ("Your application was returned for changes", "/applications"),
    ("A call closes in 3 days", "/calls"),
    ("Your placement was confirmed by the host city", "/placements"),
    ("Your report was acknowledged", "/placements"),
    ("Your language score expires in 60 days", "/training"),
]
CHUNK = 50_000


def reminders(ctx: Context) -> None:
    rng, writer, now = ctx.rng, ctx.writer, ctx.now
    rules: dict[str, int] = dict(
        writer.connection.execute(sa.text("SELECT code, id FROM reminder_rules")).tuples().all()
    )
    deliveries: list[tuple[Any, ...]] = []
    notifications: list[tuple[Any, ...]] = []
    for placement_id, person, start, status in ctx.outgoing_people:
        for code, days in (("placement_start_30", 30), ("placement_start_7", 7)):
            due = start - timedelta(days=days)
            if due > ctx.today or code not in rules or status == "declined":
                continue
            for channel in ("email", "in_app"):
                (delivery_id,) = writer.ids("reminder_deliveries", 1)
                at = ctx.at(due, 0)
                failed = channel == "email" and rng.random() < 0.02
                title = f"Your placement starts in {days} days"
                deliveries.append(
                    (
                        delivery_id,
                        rules[code],
                        "placement",
                        placement_id,
                        due,
                        person,
                        channel,
                        "failed" if failed else "sent",
                        1 if failed else 1,
                        at + timedelta(minutes=5) if failed else None,
                        at,
                        "seed-scale",
                        None if failed else at,
                        "SMTP 451 try again later" if failed else None,
                        title,
                        title,
                        f"/placements/{placement_id}",
                        at,
                    )
                )
                if channel == "in_app":
                    notifications.append(
                        (
                            writer.ids("notifications", 1)[0],
                            person,
                            delivery_id,
                            title,
                            "",
                            f"/placements/{placement_id}",
                            at,
                            at + timedelta(days=1) if rng.random() < 0.8 else None,
                        )
                    )
    writer.write("reminder_deliveries", DELIVERY_COLUMNS, deliveries)
    for n in range(max(0, ctx.sizes.notifications - len(notifications))):
        user_id = rng.choice(ctx.candidates if rng.random() < 0.8 else ctx.employee_ids)
        title, link = NOTICES[n % len(NOTICES)]
        at = now - timedelta(days=rng.expovariate(1 / 120))
        read = at + timedelta(hours=rng.randint(1, 72)) if rng.random() < 0.7 else None
        notifications.append(
            (
                writer.ids("notifications", 1)[0],
                user_id,
                None,
                title,
                "",
                link,
                at,
                read if read and read < now else None,
            )
        )
        if len(notifications) >= CHUNK:
            writer.write("notifications", NOTIFICATION_COLUMNS, notifications)
            notifications.clear()
    writer.write("notifications", NOTIFICATION_COLUMNS, notifications)
    writer.report("reminders", "reminder_deliveries", "notifications")
