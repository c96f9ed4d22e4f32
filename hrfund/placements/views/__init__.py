"""The placements pages, one file per page group, named by URL."""

from hrfund.placements.views import act, cities, nominations, placements  # noqa: F401  (routes on bp)
