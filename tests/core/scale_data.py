"""Databases filled by ``seed-scale`` at small test sizes, one per (backend, size), made once
per test session and shared by the seed-scale and query-count tests."""

from __future__ import annotations

import pytest

from hrfund.extensions import db
from hrfund.seed_scale import seed_scale
from hrfund.seed_scale.context import FULL, SIZES

TINY = SIZES["tiny"]
# three times tiny: what the query counts must not grow with
LARGER = FULL.scaled(0.003, departments=40, calls=24, programs=30, ledger_entries=2_400)


@pytest.fixture(scope="session")
def scale_apps(tmp_path_factory):
    """``scale_apps(backend, sizes)`` → an app on a database generated at that size."""
    from tests.conftest import make_app

    made, cleanups = {}, []
    tmp = tmp_path_factory.mktemp("scale")

    def get(backend: str, sizes=TINY):
        key = (backend, sizes)
        if key not in made:
            app, cleanup = make_app(backend, tmp)
            with app.app_context():
                seed_scale(sizes, echo=lambda _line: None)
                db.session.remove()
                db.engine.dispose()
            made[key] = app
            if cleanup:
                cleanups.append((app, cleanup))
        return made[key]

    yield get
    for app, cleanup in cleanups:
        with app.app_context():
            db.engine.dispose()
        cleanup()
