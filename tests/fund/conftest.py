"""Fund tests name placements by number: those placements exist (the ledger's foreign key)."""

from __future__ import annotations

import pytest

from tests import factories

#: The placement numbers the fund tests post against.
LEDGER_PLACEMENTS = (1, 2, 3, 5, 6, 7, 9, 11, 42)


@pytest.fixture(autouse=True)
def ledger_placements(request):
    if "db" not in request.fixturenames:  # the race tests commit through their own sessions
        yield
        return
    request.getfixturevalue("db")
    factories.placement_rows(*LEDGER_PLACEMENTS)
    yield
