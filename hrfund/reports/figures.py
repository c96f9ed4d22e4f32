"""The dashboard's charts drawn as HTML, kept for the same figures.

A chart's drawing (its layout in ``charts.ChartSpec.layout`` and the macro in
``templates/reports/_chart.html``) depends only on its figures, its element id, its table's
header, the number format and the reader's language: all of them are the cache key, so a figure
is drawn again as soon as any of them changes and is never stale. The HR dashboard draws seven
charts per view, about a quarter of its Python time, for figures that change far less often than
HR looks at them.
"""

from __future__ import annotations

from functools import lru_cache

from flask import get_template_attribute
from flask_babel import get_locale
from markupsafe import Markup

from hrfund.core.template_globals import yen
from hrfund.reports.charts import ChartSpec, quantity

NUMBERS = {"yen": yen, "quantity": quantity}


def chart_figure(spec: ChartSpec, element_id: str, header: str, number: str) -> Markup:
    """The ``<figure>`` of a chart: its SVG and its figures as a table (``number`` names the
    format of the table's cells: "yen" or "quantity")."""
    return _drawn(spec, element_id, str(header), number, str(get_locale()))


@lru_cache(maxsize=128)
def _drawn(spec: ChartSpec, element_id: str, header: str, number: str, _language: str) -> Markup:
    macro = get_template_attribute("reports/_chart.html", "bar_chart")
    return Markup(macro(spec.layout(), element_id, [header], NUMBERS[number]))  # noqa: S704  # nosec B704 - the macro's output, escaped by Jinja
