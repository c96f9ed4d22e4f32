"""core.lookup.visible_or_404: an id no row can have is not found, on both databases."""

import pytest

from hrfund.applications.calls import get_call_or_404
from hrfund.core.errors import NotFound
from tests import factories

NO_ROW = ["99999999999999999999", 2**63, -1, 0, "1e3", "１", None, "7\x00"]


@pytest.mark.parametrize("wanted", NO_ROW)
def test_an_id_no_row_can_have_is_not_found(db, wanted):
    hr = factories.user(["hr"])
    with pytest.raises(NotFound):
        get_call_or_404(wanted, hr)
