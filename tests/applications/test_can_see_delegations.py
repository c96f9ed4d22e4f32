"""The profile links to the delegations page by ``can_see_delegations``: a user who sees the
link can open the page, one who does not is refused it."""

from __future__ import annotations

import pytest

from hrfund.applications.delegations import can_see_delegations
from hrfund.auth.models import Role
from tests import factories


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_the_profile_links_to_the_delegations_page_where_it_opens(login_as, role):
    client = login_as(role)
    profile = client.get("/profile")
    assert profile.status_code == 200
    sees = can_see_delegations(client.user)
    assert ('id="deputies"' in profile.get_data(as_text=True)) is sees
    assert client.get("/delegations").status_code == (200 if sees else 403)


def test_who_sees_the_delegations_page(db):
    seen = {r.value: can_see_delegations(factories.user(roles=[r.value])) for r in Role}
    assert seen == {
        "employee": True,
        "manager": True,
        "hr": True,
        "auditor": True,
        "coordinator": False,
        "admin": False,
    }
