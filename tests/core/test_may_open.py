"""A list page links to its export and its "new" page by ``may_open``, which reads the target
view's own ``roles_required``: a role that sees the link can use it, one that does not is
refused."""

from __future__ import annotations

import pytest

from hrfund.auth.models import Role
from hrfund.core.permissions import may_open

LISTS = [
    ("/calls", "/calls/export.csv"),
    ("/applications", "/applications/export.csv"),
    ("/nominations", "/nominations/export.csv"),
    ("/placements", "/placements/export.csv"),
]


@pytest.mark.parametrize("role", [r.value for r in Role])
@pytest.mark.parametrize("page, export", LISTS)
def test_the_export_link_shows_where_the_export_opens(login_as, role, page, export):
    client = login_as(role)
    listing = client.get(page)
    downloaded = client.get(export)
    assert downloaded.status_code in (200, 403)
    if listing.status_code == 403:  # no list page, no link: the export is refused too
        assert downloaded.status_code == 403
        return
    assert listing.status_code == 200
    shown = export in listing.get_data(as_text=True)
    assert shown is (downloaded.status_code == 200)


LINKS = [
    ("/calls", "/calls/new"),
    ("/placements", "/placements/new"),
    ("/nominations", "/nominations/new"),
    ("/training/", "/training/programs/new"),
    ("/training/", "/training/verification"),
    ("/training/", "/training/imports"),
]


@pytest.mark.parametrize("role", [r.value for r in Role])
@pytest.mark.parametrize("page, link", LINKS)
def test_a_list_links_to_a_page_where_that_page_opens(login_as, role, page, link):
    client = login_as(role)
    listing = client.get(page)
    if listing.status_code == 403:
        return  # no list page, no link
    assert listing.status_code == 200
    opened = client.get(link).status_code
    assert opened in (200, 403)
    assert (f'href="{link}"' in listing.get_data(as_text=True)) is (opened == 200)


def test_may_open_reads_the_roles_of_the_view(login_as):
    client = login_as("auditor")
    with client:
        client.get("/")
        assert may_open("placements.export") is True  # HR and auditors export
        assert may_open("placements.new") is False  # only HR creates
        assert may_open("core.index") is True  # any signed-in user
        with pytest.raises(LookupError):
            may_open("static")  # a view with no role check is never asked about
