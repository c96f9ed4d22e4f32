"""The reminders pages, one file per page group, named by URL."""

from hrfund.reminders.views import notifications, reminders  # noqa: F401  (routes on bp)
