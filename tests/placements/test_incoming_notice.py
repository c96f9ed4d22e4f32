"""An incoming placement (a partner city's official hosted in Tokyo) tells HR when it is
created: HR is its host side, as the coordinator is for an outgoing one."""

from __future__ import annotations

from hrfund.placements import nominations
from hrfund.reminders.models import Channel, Notification
from tests import factories
from tests.reminders.conftest import deliveries


def test_accepting_a_nomination_tells_the_other_hr_officers_once(world, db):
    colleague = factories.user(["hr", "employee"])
    nomination = world.nominate()
    placement = nominations.accept_nomination(
        world.hr, nomination, host_department=world.host, amount_jpy=100_000
    )
    db.session.commit()
    told = deliveries("notice_placement_confirmed", recipient_id=colleague.id)
    assert {d.channel for d in told} == {Channel.IN_APP, Channel.EMAIL}
    assert "Lee Jiwoo" in told[0].title
    in_app = next(d for d in told if d.channel == Channel.IN_APP)
    notice = Notification.query.filter_by(delivery_id=in_app.id).one()
    assert notice.link.endswith(f"/placements/{placement.id}")
    assert deliveries("notice_placement_confirmed", recipient_id=world.hr.id) == []  # the actor
    assert len(deliveries("notice_nomination_accepted")) == 2  # the coordinator, as before
