"""The SVG bar chart's geometry: bars proportional to their values, stacked or side by side."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from hrfund.reports.charts import chart_spec


def bar_chart(*args, **kwargs):
    return chart_spec(*args, **kwargs).layout()


def test_stacked_bars_are_proportional_and_end_to_end():
    chart = bar_chart(
        "Fund", ["Outgoing", "Incoming"], [("Paid", [300, 0]), ("Committed", [100, 400])]
    )
    paid, committed_out, committed_in = chart.bars  # no bar for a zero
    assert paid.x == chart.label_width
    assert committed_out.x == pytest.approx(paid.x + paid.width)
    assert paid.width == pytest.approx(3 * committed_out.width)
    assert committed_in.width == pytest.approx(paid.width + committed_out.width)
    assert committed_in.y > paid.y  # the second row lies below the first
    assert "Incoming — Committed: 400" in committed_in.title
    assert chart.ticks[-1].label == "500" and not chart.empty


def test_side_by_side_bars_share_the_row_and_counts_get_whole_ticks():
    chart = bar_chart("Exchanges", ["FY2026"], [("Out", [2]), ("In", [1])], stacked=False)
    out, incoming = chart.bars
    assert out.x == incoming.x and incoming.y == pytest.approx(out.y + out.height)
    assert out.width == pytest.approx(2 * incoming.width)
    assert [t.label for t in chart.ticks] == ["0", "1", "2", "3", "4"]


def test_nothing_to_draw():
    chart = bar_chart("Empty", ["A", "B"], [("S", [0, 0])])
    assert chart.empty and chart.bars == []


def test_labels_are_cut_to_fit_counting_japanese_wide():
    from hrfund.reports.charts import fit_label

    assert fit_label("Training", 160) == "Training"
    latin = fit_label("Outgoing (TMG staff abroad) and more words", 160)
    assert latin.endswith("…") and len(latin) <= 26
    japanese = fit_label("受入（パートナー都市職員の東京での受入）", 160)
    assert japanese.endswith("…") and len(japanese) <= 15
    chart = bar_chart("T", ["受入（パートナー都市職員の東京での受入）"], [("S", [1])])
    assert chart.labels[0] != chart.categories[0]


REFERENCE = Path(__file__).parent / "reference" / "chart_before_issue16.html"
CHARTS = [
    lambda: bar_chart(
        "Fund", ["Outgoing", "Incoming"], [("Paid", [300, 0]), ("Committed", [100, 400])]
    ),
    lambda: bar_chart(
        "Hours",
        ["語学研修（英語・上級）長い名前の研修", "Leadership", "Other"],
        [("Hours", [Decimal("12.5"), Decimal("0.3"), 7])],
        unit=" h",
    ),
    lambda: bar_chart(
        "Exchanges",
        ["FY2025", "FY2026", "FY2027"],
        [("Out", [2, 0, 5]), ("In", [1, 3, 0])],
        stacked=False,
    ),
    lambda: bar_chart(
        "Levels", ["TOEIC"], [(b, [n]) for b, n in zip("ABCD", [1, 7, 3, 0], strict=True)]
    ),
    lambda: bar_chart("Empty", ["A", "B"], [("S", [0, 0])]),
]


@pytest.mark.parametrize("make", CHARTS)
def test_the_macro_draws_what_it_drew_before_the_geometry_was_formatted_in_python(app, make):
    """The chart's strings are now formatted in ``bar_chart``; the markup must be the same, byte
    for byte, as the macro's before (kept in tests/reports/reference), with and without a number
    formatter for the table."""
    env = app.jinja_env
    ours = env.get_template("reports/_chart.html").module.bar_chart
    before = env.from_string(REFERENCE.read_text()).module.bar_chart
    chart = make()
    with app.test_request_context():
        for number in (None, lambda v: f"¥{v:,.0f}"):
            drawn = str(ours(chart, "c", ["Head"], number))
            assert drawn == str(before(chart, "c", ["Head"], number))
            assert chart.empty or '<rect class="series-' in drawn


def test_a_kept_figure_is_the_macros_drawing_and_is_drawn_again_when_a_figure_changes(app):
    """``figures.chart_figure`` keeps a chart's drawing for the same figures, id, header and
    language: it must equal the macro's own drawing of the chart, and any change of what it
    shows (one value, the language) must draw it again, never the kept one."""
    from hrfund.reports.charts import chart_spec
    from hrfund.reports.figures import NUMBERS, chart_figure

    macro = app.jinja_env.get_template("reports/_chart.html").module.bar_chart
    first = chart_spec("Fund", ["Outgoing", "Incoming"], [("Paid", [300, 0]), ("Due", [100, 4])])
    changed = chart_spec("Fund", ["Outgoing", "Incoming"], [("Paid", [300, 0]), ("Due", [100, 5])])
    drawn = {}
    for language in ("en", "ja"):
        with app.test_request_context(headers={"Accept-Language": language}):
            for name, spec in (("first", first), ("changed", changed)):
                kept = str(chart_figure(spec, "c", "Line", "yen"))
                assert kept == str(chart_figure(spec, "c", "Line", "yen"))
                assert kept == str(macro(spec.layout(), "c", ["Line"], NUMBERS["yen"]))
                drawn[language, name] = kept
    assert '<td class="text-end">¥5</td>' in drawn["en", "changed"]
    assert "¥5<" not in drawn["en", "first"]
    assert "数値" in drawn["ja", "first"] and "Figures" in drawn["en", "first"]
    assert len(set(drawn.values())) == 4


def test_quantities_are_whole_or_one_decimal():
    from hrfund.reports.charts import quantity

    assert quantity(1234) == "1,234"
    assert quantity(1234.0) == "1,234"
    assert quantity(Decimal("12.5")) == "12.5"
    assert quantity(0.25) == "0.2"
