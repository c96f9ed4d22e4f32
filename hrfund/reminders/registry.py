"""The registry of watchers: for each rule kind, a function that says what is due.

A watcher is a function ``watcher(rule, now) -> Iterable[DueItem | tuple]``. ``rule`` is the
:class:`~hrfund.reminders.models.ReminderRule` being evaluated (its ``offset_days`` and
``audience`` are what HR set); ``now`` is the aware UTC instant of the dispatch. It yields one
item per subject that is due now::

    (subject_type, subject_id, due_on, recipients[, context])

- ``subject_type``/``subject_id``: what the reminder is about ("placement", 42);
- ``due_on``: the subject's own date (start date, due date, the day it began waiting) — never a
  date computed from the offset, so that changing an offset does not send the same thing again;
- ``recipients``: user ids (resolve ``rule.audience`` yourself);
- ``context``: optional dict handed to the mail template ``reminders/mail/<kind>.html``
  (``templates/reminders/mail/_generic.html`` when there is none).

A watcher must use indexed queries bounded by the window of what is due now (see
:mod:`hrfund.core.windows`), so that its cost grows with what is due, not with the table.
The dispatcher de-duplicates (the unique key of a delivery), so yielding an item again on the
next run is harmless.

Registering a watcher from another module
-----------------------------------------
Imports flow from reminders down to applications, never back up, so ``hrfund/applications``
does not import this module. It offers its watchers as plain data instead: a dict
``REMINDER_WATCHERS`` in ``hrfund/applications/watchers.py`` ::

    REMINDER_WATCHERS = {
        "call_closing": call_closing,                              # (rule, now) -> items
        "application_endorsement_pending": endorsement_pending,
        "application_decision_pending": decision_pending,
    }

whose functions yield plain tuples as above, and :func:`load_watchers` registers it explicitly
(a plain import: reminders sits above applications). Within ``hrfund/reminders`` use
``@register("kind")``; a kind whose watcher is not registered is logged and skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from flask_babel import lazy_gettext as _l

from hrfund.core.windows import after_window, before_window, local_today

log = logging.getLogger(__name__)


class DueItem(NamedTuple):
    """One subject due now, for these recipients."""

    subject_type: str
    subject_id: int
    due_on: date
    recipients: tuple[int, ...]
    context: dict[str, Any] | None = None


Watcher = Callable[[Any, datetime], Iterable[DueItem | tuple]]
WATCHERS: dict[str, Watcher] = {}
_loaded = False

#: What each kind watches, for the rules page and the delivery log.
KIND_LABELS = {
    "placement_start": _l("Placement starts"),
    "milestone_due": _l("Milestone due"),
    "milestone_overdue": _l("Milestone overdue"),
    "report_due": _l("Report due"),
    "host_confirmation_pending": _l("Host confirmation pending (to HR)"),
    "nomination_pending": _l("Nomination pending"),
    "call_closing": _l("Call closing (applicants with a draft)"),
    "application_endorsement_pending": _l("Application waiting for endorsement"),
    "application_decision_pending": _l("Application waiting for a decision"),
    "certificate_expiring": _l("Training certificate expiring"),
    "language_score_expiring": _l("Language score expiring"),
    "hr_digest": _l("Daily digest for HR"),
}
#: Kinds counted before the date (days before) rather than after it (days since).
BEFORE_KINDS = {
    "placement_start",
    "milestone_due",
    "report_due",
    "call_closing",
    "certificate_expiring",
    "language_score_expiring",
}


#: Kinds counted after the date (overdue; waiting since the date), and told on it.
AFTER_KINDS = {
    "milestone_overdue",
    "host_confirmation_pending",
    "nomination_pending",
    "application_endorsement_pending",
    "application_decision_pending",
    "delegation_started",
}


def dates_due(rule: Any, now: datetime) -> tuple[date, date] | None:
    """The dates of the deliveries ``rule`` makes at ``now`` (the window its watcher reads),
    or None for a kind told when its event happens (no date is due)."""
    if rule.kind in BEFORE_KINDS:
        return before_window(rule, now)
    if rule.kind in AFTER_KINDS:
        return after_window(rule, now)
    if rule.kind == "hr_digest":
        day = local_today(now) - timedelta(days=rule.offset_days)
        return day, day
    return None


def register(kind: str) -> Callable[[Watcher], Watcher]:
    """Register ``watcher`` for rule ``kind`` (used inside hrfund/reminders)."""

    def decorator(watcher: Watcher) -> Watcher:
        WATCHERS[kind] = watcher
        return watcher

    return decorator


def load_watchers() -> dict[str, Watcher]:
    """Register every watcher once: ours (``@register``) and those offered as data below us."""
    global _loaded
    if not _loaded:
        from hrfund.applications.watchers import REMINDER_WATCHERS as application_watchers
        from hrfund.reminders import watchers  # noqa: F401  (registers with @register)
        from hrfund.reminders.notices import REMINDER_WATCHERS as notice_watchers

        WATCHERS.update(application_watchers)
        WATCHERS.update(notice_watchers)
        _loaded = True
    return WATCHERS


def watcher_for(kind: str) -> Watcher | None:
    return load_watchers().get(kind)


def as_due_item(item: DueItem | tuple) -> DueItem:
    if isinstance(item, DueItem):
        return item
    return DueItem(*item)
