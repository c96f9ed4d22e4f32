"""The training pages, one file per page group, named by URL."""

from hrfund.training.views import imports, review, talent, training  # noqa: F401  (routes on bp)
