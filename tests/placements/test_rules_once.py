"""Rules decided once, in a service, and used by pages and services alike (issue 11)."""

from __future__ import annotations

from datetime import date

from hrfund.extensions import db as _db
from hrfund.placements import milestones as ms
from hrfund.placements import services
from hrfund.placements.models import ReportKind
from tests.placements.test_scope_and_pages import _client

FORM = "Submit a report"


def test_can_submit_report_follows_the_placement(world, db):
    placement = world.place()
    employee, other = world.employee, world.other_employee
    assert not ms.can_submit_report(employee, placement)  # proposed: not yet
    services.confirm_placement(world.seoul_coordinator, placement, host_office="ソウル市庁")
    services.start_placement(world.hr, placement)
    assert ms.can_submit_report(employee, placement, ReportKind.MID_TERM)
    assert ms.can_submit_report(employee, placement, ReportKind.FINAL)
    assert not ms.can_submit_report(other, placement)
    assert not ms.can_submit_report(world.hr, placement)
    services.complete_placement(world.hr, placement, confirm_early=True)
    assert not ms.can_submit_report(employee, placement, ReportKind.MID_TERM)
    assert ms.can_submit_report(employee, placement, ReportKind.FINAL)
    assert ms.can_submit_report(employee, placement)  # some report (the final) still may


def test_the_page_offers_the_form_exactly_when_the_service_takes_it(app, world, db):
    placement = world.place()
    db.session.commit()
    employee = _client(app, world.employee)
    page = f"/placements/{placement.id}"
    assert FORM not in employee.get(page).get_data(as_text=True)  # proposed
    services.confirm_placement(world.seoul_coordinator, placement, host_office="ソウル市庁")
    services.start_placement(world.hr, placement)
    db.session.commit()
    assert FORM in employee.get(page).get_data(as_text=True)
    assert FORM not in _client(app, world.hr).get(page).get_data(as_text=True)
    answer = employee.post(
        f"/placements/{placement.id}/reports", data={"kind": "mid_term", "summary": "調査の報告"}
    )
    assert answer.status_code == 302
    services.cancel_placement(world.hr, placement, comment="中止")
    db.session.commit()
    assert FORM not in employee.get(page).get_data(as_text=True)  # cancelled: neither
    refused = employee.post(
        f"/placements/{placement.id}/reports", data={"kind": "final", "summary": "x"}
    )
    assert refused.status_code == 422  # the page again, with the service's refusal
    assert "while the placement is active" in refused.get_data(as_text=True)


def test_placement_list_searches_people_like_every_other_list(world, db):
    """The list filter uses ``auth.services.user_search``: kana and employee number too."""
    placement = world.place(start=date(2026, 10, 1), end=date(2027, 1, 31))
    world.employee.family_name_kana = "ヤマダ"
    _db.session.flush()
    found = _db.session.scalars(services.filtered(world.hr, q="ヤマダ")).all()
    assert placement in found
    assert _db.session.scalars(services.filtered(world.hr, q="Taro Yamada")).all() == [placement]
    assert placement not in _db.session.scalars(services.filtered(world.hr, q="%")).all()
