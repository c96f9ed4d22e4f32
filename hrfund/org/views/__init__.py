"""The org pages, one file per page group, named by URL."""

from hrfund.org.views import cities, departments  # noqa: F401  (routes on bp)
