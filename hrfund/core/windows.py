"""Which dated things are due now, for reminder watchers in any module.

A rule "offset days before D" is due from D − offset until D (at most REMINDER_CATCH_UP_DAYS
late, so a scheduler that was down catches up); a rule "offset days after D" (overdue, waiting
since D) is due from D + offset for the same catch-up period. Dates are Tokyo dates.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app


class DatedRule(Protocol):
    """What a window needs of a reminder rule: its offset in days."""

    offset_days: int


def local_today(now: datetime) -> date:
    """The date in Tokyo (the TMG's calendar) at ``now``."""
    return now.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def catch_up_days() -> int:
    """How many days late a reminder is still sent."""
    return int(current_app.config.get("REMINDER_CATCH_UP_DAYS", 7))


def before_window(rule: DatedRule, now: datetime) -> tuple[date, date]:
    """The dates D due now for a rule 'offset days before D'."""
    today = local_today(now)
    high = today + timedelta(days=rule.offset_days)
    low = max(today, high - timedelta(days=catch_up_days()))
    return low, high


def after_window(rule: DatedRule, now: datetime) -> tuple[date, date]:
    """The dates D due now for a rule 'offset days after D' (overdue, waiting since D)."""
    high = local_today(now) - timedelta(days=rule.offset_days)
    return high - timedelta(days=catch_up_days()), high


def day_bounds(low: date, high: date) -> tuple[datetime, datetime]:
    """The UTC instants from the start of ``low`` to the end of ``high``, Tokyo time."""
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    start = datetime.combine(low, datetime.min.time(), tz)
    end = datetime.combine(high + timedelta(days=1), datetime.min.time(), tz)
    return start, end


def local_date(instant: Any, low: date, high: date) -> sa.Case[date]:
    """SQL: the Tokyo date of ``instant`` (a column), for instants from the start of ``low`` to
    the end of ``high`` (the rows a window selects) — a CASE over each day's UTC bounds, which
    every database computes alike, daylight-saving zones too."""
    days = [low + timedelta(days=n) for n in range((high - low).days + 1)]
    return sa.case(*((instant < day_bounds(day, day)[1], sa.literal(day, sa.Date)) for day in days))
