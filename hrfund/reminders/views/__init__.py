"""The reminders pages, one file per page group, named by URL."""

from hrfund.reminders.views import calendar, notifications, reminders  # noqa: F401  (routes on bp)
