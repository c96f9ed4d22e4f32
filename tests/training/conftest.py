"""Training tests: uploads go to a temporary folder, never the instance folder."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hrfund.training import services


@pytest.fixture(autouse=True)
def upload_folder(app, tmp_path, monkeypatch):
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(folder))
    return folder


@pytest.fixture
def make_program(db):
    def make(
        title="Cross-cultural communication",
        category="cross_cultural",
        hours="12",
        code=None,
        title_ja=None,
    ):
        return services.create_program(
            None,
            title_en=title,
            title_ja=title_ja or f"{title}（研修）",
            category=category,
            hours=Decimal(hours),
            code=code,
        )

    return make
