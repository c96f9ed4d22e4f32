"""The applications pages, one file per page group, named by URL."""

from hrfund.applications.views import applications, calls, delegations  # noqa: F401  (routes on bp)
