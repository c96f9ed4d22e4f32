"""The fund pages, one file per page group, named by URL."""

from hrfund.fund.views import fund  # noqa: F401  (routes on bp)
