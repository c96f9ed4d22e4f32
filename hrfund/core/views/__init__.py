"""The core pages, one file per page group, named by URL."""

from hrfund.core.views import audit, home  # noqa: F401  (routes on bp)
