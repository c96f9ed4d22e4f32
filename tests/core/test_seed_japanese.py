"""The demo data reads in Japanese: every call, partner city, department and training program
of the seed has a real Japanese title (kana or kanji), not an English one or a placeholder."""

from __future__ import annotations

import re

import sqlalchemy as sa

from hrfund.applications.models import Call
from hrfund.org.models import Department, PartnerCity
from hrfund.seed import seed_demo
from hrfund.training.models import TrainingProgram

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def test_every_demo_title_has_a_japanese_version(db):
    seed_demo()
    db.session.flush()
    for model, column in (
        (Call, "title_ja"),
        (PartnerCity, "name_ja"),
        (Department, "name_ja"),
        (TrainingProgram, "title_ja"),
    ):
        rows = db.session.scalars(sa.select(model)).all()
        assert rows, model.__name__
        for row in rows:
            title = getattr(row, column) or ""
            assert JAPANESE.search(title) and "(ja)" not in title, (model.__name__, title)
