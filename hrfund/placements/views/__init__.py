"""The placements pages, one file per page group, named by URL."""

from hrfund.placements.views import nominations, placements  # noqa: F401  (routes on bp)
