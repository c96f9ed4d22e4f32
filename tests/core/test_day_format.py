"""Days in lists: formatted once per day, format and language, and always in the reader's."""

from __future__ import annotations

from datetime import UTC, date, datetime


def _dt(app, value, language, fmt="medium"):
    with app.test_request_context("/", headers={"Accept-Language": language}):
        return app.jinja_env.filters["dt"](value, fmt)


def test_the_same_day_reads_in_each_language_in_turn(app):
    day = date(2026, 4, 1)
    english, japanese = _dt(app, day, "en"), _dt(app, day, "ja")
    assert "Apr" in english and "2026" in english
    assert "2026" in japanese and "4" in japanese and "Apr" not in japanese
    assert _dt(app, day, "en") == english  # a cached answer of one language never serves another
    assert _dt(app, day, "ja") == japanese


def test_each_format_and_each_day_has_its_own_text(app):
    assert _dt(app, date(2026, 4, 1), "en", "short") != _dt(app, date(2026, 4, 1), "en", "long")
    assert _dt(app, date(2026, 4, 1), "en") != _dt(app, date(2026, 4, 2), "en")


def test_an_instant_is_still_shown_in_the_time_zone_not_cached_as_a_day(app):
    instant = datetime(2026, 4, 1, 15, 30, tzinfo=UTC)  # 00:30 on 2 April in Tokyo
    shown = _dt(app, instant, "en")
    assert "Apr" in shown and ":" in shown
