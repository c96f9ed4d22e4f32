"""Long lists at the TMG's scale: a capped count labelled "more than", and pages found by their
keys first (the same rows as the plain page query, however deep)."""

from __future__ import annotations

import re

import pytest

from hrfund.core.audit import AuditEvent, audit_query, record_event
from hrfund.core.pagination import paginate

EVENTS = 12


@pytest.fixture
def events(db):
    for i in range(EVENTS):
        record_event(None, "test.long_list", object_type="thing", object_id=i)
    db.session.commit()


@pytest.fixture
def cap_of_five(app, monkeypatch):
    monkeypatch.setitem(app.config, "LIST_COUNT_CAP", 5)


def _ids(html: str) -> list[str]:
    return re.findall(r"<td>thing (\d+)</td>", html)


def test_a_long_list_says_more_than_its_cap_and_pages_on(login_as, events, cap_of_five):
    auditor = login_as("auditor")
    first = auditor.get("/audit?action=test.long_list&per_page=4").get_data(as_text=True)
    assert "More than 5 in all" in first and "Page 1 of" not in first
    assert "in all" in first and ">Next<" in first
    assert len(_ids(first)) == 4
    last = auditor.get("/audit?action=test.long_list&per_page=4&page=3").get_data(as_text=True)
    assert len(_ids(last)) == 4
    # the third page of four holds the last rows: nothing after it
    assert re.search(r'page-item disabled">\s*<a class="page-link" href="#">Next', last)
    beyond = auditor.get("/audit?action=test.long_list&per_page=4&page=9").get_data(as_text=True)
    assert "12 in all" in beyond and "Page 3 of 3" in beyond  # counted, the last page shown


def test_a_list_within_its_cap_is_counted_exactly(app, login_as, events, monkeypatch):
    monkeypatch.setitem(app.config, "LIST_COUNT_CAP", EVENTS)
    page = login_as("auditor").get("/audit?action=test.long_list&per_page=5")
    html = page.get_data(as_text=True)
    assert "12 in all" in html and "Page 1 of 3" in html and "More than" not in html


def test_pages_by_key_are_the_pages_of_the_plain_query(db, events):
    stmt = audit_query(action="test.long_list")
    for number in (1, 2, 3, 4):
        plain = paginate(stmt, number, 5)
        by_key = paginate(stmt, number, 5, key=AuditEvent.id, count_cap=7)
        assert [e.id for e in by_key.items] == [e.id for e in plain.items]
        assert plain.total == EVENTS and by_key.total == 7 and by_key.more
    assert paginate(stmt, 3, 5, key=AuditEvent.id, count_cap=7).has_next is False
    assert paginate(stmt, 2, 5, key=AuditEvent.id, count_cap=7).has_next is True


def test_beyond_the_end_of_a_long_list_counts_it_once(app, db, events, query_counter):
    stmt = audit_query(action="test.long_list")
    with app.test_request_context("/audit"), query_counter() as statements:
        page = paginate(stmt, 9, 4, key=AuditEvent.id, count_cap=5)
    assert (page.page, page.total, page.more, len(page.items)) == (3, EVENTS, False, 4)
    # the empty page (it starts beyond the cap: no capped count), the full count, the last page
    assert statements() == 3


def test_a_page_beyond_the_cap_is_not_counted_and_says_more_than(app, db, events, query_counter):
    """A page that starts beyond the cap and has rows: the list is longer than the cap, which is
    all a capped count would tell, so the page is found without a COUNT (the deep pages of the
    applications list counted 10,001 rows on each view); its rows are the plain query's."""
    stmt = audit_query(action="test.long_list")
    with app.test_request_context("/audit"), query_counter() as statements:
        page = paginate(stmt, 2, 5, key=AuditEvent.id, count_cap=5)
    assert statements() == 1  # the page only
    assert (page.page, page.total, page.more, page.has_next) == (2, 5, True, True)
    assert [e.id for e in page.items] == [e.id for e in paginate(stmt, 2, 5).items]
    last = paginate(stmt, 3, 5, key=AuditEvent.id, count_cap=5)
    assert (len(last.items), last.more, last.has_next) == (2, True, False)


def test_beyond_the_end_past_the_cap_in_the_api_is_an_empty_page(app, db, events):
    stmt = audit_query(action="test.long_list")
    with app.test_request_context("/api/v1/audit"):
        page = paginate(stmt, 9, 4, key=AuditEvent.id, count_cap=5)
    assert page.items == [] and page.page == 9
