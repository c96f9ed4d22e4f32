"""The auth pages, one file per page group, named by URL: /profile (and login), /admin."""

from hrfund.auth.views import admin, login, profile  # noqa: F401  (routes on bp)
