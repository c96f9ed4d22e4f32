"""Reading notifications is a change of state, and is audited: once per notification read, and
once (with the count) for "mark all read"."""

from __future__ import annotations

import sqlalchemy as sa

from hrfund.core.audit import AuditEvent
from hrfund.reminders.models import Notification


def _notify(db, user, n: int) -> list[int]:
    items = [Notification(user_id=user.id, title=f"Visa due {i}", body="b") for i in range(n)]
    db.session.add_all(items)
    db.session.commit()
    return [item.id for item in items]


def _events(db, user, action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.actor_id == user.id, AuditEvent.action == action)
            .order_by(AuditEvent.id)
        )
    )


def test_reading_one_is_audited_once(db, api_as):
    c = api_as("employee")
    first, _second = _notify(db, c.user, 2)
    for _ in range(2):  # reading again changes nothing, and is not a second event
        answer = c.post(f"/api/v1/notifications/{first}/read", headers=c.headers)
        assert answer.status_code == 200 and answer.get_json()["read"] is True
    events = _events(db, c.user, "notification.read")
    assert [(e.object_type, e.object_id, e.from_state, e.to_state) for e in events] == [
        ("notifications", str(first), "unread", "read")
    ]
    assert events[0].request_id


def test_reading_one_through_the_page_is_audited(db, login_as):
    c = login_as("employee")
    (only,) = _notify(db, c.user, 1)
    assert c.post(f"/notifications/{only}/read").status_code == 302
    assert len(_events(db, c.user, "notification.read")) == 1


def test_reading_all_is_audited_with_the_count(db, login_as):
    c = login_as("employee")
    _notify(db, c.user, 3)
    assert c.post("/notifications/read-all").status_code == 302
    assert c.post("/notifications/read-all").status_code == 302  # nothing left: no event
    (event,) = _events(db, c.user, "notification.read_all")
    assert event.changes == {"count": 3} and event.object_id == str(c.user.id)
    unread = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id == c.user.id, Notification.read_at.is_(None))
    )
    assert unread == 0


def test_someone_elses_notification_is_not_read_nor_audited(db, api_as):
    c, other = api_as("employee"), api_as("employee")
    (theirs,) = _notify(db, other.user, 1)
    assert c.post(f"/api/v1/notifications/{theirs}/read", headers=c.headers).status_code == 404
    assert _events(db, c.user, "notification.read") == []
    assert db.session.get(Notification, theirs).read_at is None
