"""The reports pages, one file per page group, named by URL."""

from hrfund.reports.views import dashboard, privacy, reports  # noqa: F401  (routes on bp)
