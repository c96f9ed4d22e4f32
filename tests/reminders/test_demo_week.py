"""A week of simulated time over the demo data: every reminder that falls due goes out once, in
its reader's language, and running the same week again sends nothing more."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa

from hrfund.auth.models import User
from hrfund.core.fiscal import tokyo_today
from hrfund.reminders.models import Channel, Delivery, DeliveryStatus, Notification, ReminderRule
from hrfund.seed import seed_demo
from tests.reminders.conftest import TOKYO, run

pytestmark = pytest.mark.usefixtures("quiet_mail")
KANA_OR_KANJI = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def test_a_week_over_the_demo_data(db):
    seed_demo()
    db.session.commit()
    start = datetime.combine(tokyo_today(), time(6, 0), TOKYO)
    instants = [start + timedelta(hours=h) for h in range(0, 24 * 7, 4)]
    for now in instants:
        run(now)
    deliveries = db.session.scalars(sa.select(Delivery)).all()
    keys = Counter(
        (d.rule_id, d.subject_type, d.subject_id, d.due_on, d.recipient_id, d.channel)
        for d in deliveries
    )
    assert deliveries and max(keys.values()) == 1
    assert {d.status for d in deliveries} == {DeliveryStatus.SENT}
    kinds = set(
        db.session.scalars(
            sa.select(ReminderRule.kind).where(ReminderRule.id.in_({d.rule_id for d in deliveries}))
        )
    )
    # the demo has a milestone coming, a nomination waiting and HR's daily digest, at least
    assert {"milestone_due", "hr_digest"} <= kinds, kinds
    digests = [d for d in deliveries if d.subject_type == "digest"]
    assert len({d.due_on for d in digests}) == 7  # one a day

    for now in instants:  # the same week again, as a second scheduler or a restart would
        run(now)
    assert db.session.scalar(sa.select(sa.func.count(Delivery.id))) == len(deliveries)

    notes = db.session.execute(
        sa.select(Notification.title, User.locale).join(User, User.id == Notification.user_id)
    ).all()
    assert len(notes) == len([d for d in deliveries if d.channel == Channel.IN_APP])
    for title, locale in notes:
        assert bool(KANA_OR_KANJI.search(title)) == (locale == "ja"), (title, locale)
