"""When failed logins lock an account, the administrators are told in the app, exactly once
per lock: not for each further failure that lengthens it, again for a new lock after it ended,
never for a name without an account."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from hrfund.auth.models import User
from hrfund.core.db import utcnow
from hrfund.reminders.models import Notification
from tests import factories

WRONG = "wrong-password-1"


def _fail(client, email, times):
    for _ in range(times):
        client.post("/login", data={"email": email, "password": WRONG})


def _notices(db, admin_id):
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(Notification.user_id == admin_id)
            .order_by(Notification.id)
        )
    )


def test_a_lock_tells_every_administrator_once(app, db, client):
    admins = [factories.user(["admin"]) for _ in range(2)]
    employee = factories.user(["employee"])
    db.session.commit()
    threshold = app.config["LOGIN_LOCKOUT_THRESHOLD"]
    _fail(client, employee.email, threshold - 1)
    assert all(_notices(db, a.id) == [] for a in admins)
    _fail(client, employee.email, 1)  # the lock
    for admin in admins:
        (notice,) = _notices(db, admin.id)
        assert employee.email in notice.body
        assert notice.link.endswith(f"/admin/users/{employee.id}")
    assert _notices(db, employee.id) == []


def test_a_longer_lock_is_not_a_new_one_but_a_lock_after_the_end_is(app, db, client):
    admin = factories.user(["admin"])
    employee = factories.user(["employee"])
    db.session.commit()
    threshold = app.config["LOGIN_LOCKOUT_THRESHOLD"]
    _fail(client, employee.email, threshold)
    assert len(_notices(db, admin.id)) == 1
    _fail(client, employee.email, 3)  # refused while locked: nothing counted, nobody told
    assert len(_notices(db, admin.id)) == 1
    user = db.session.get(User, employee.id)
    user.locked_until = utcnow() - timedelta(seconds=1)  # the lock ran out
    db.session.commit()
    _fail(client, employee.email, 1)  # still remembered failures: a new, longer lock
    db.session.expire_all()
    assert db.session.get(User, employee.id).locked_until > utcnow()
    assert len(_notices(db, admin.id)) == 2


def test_a_name_without_an_account_tells_nobody(app, db, client):
    admin = factories.user(["admin"])
    db.session.commit()
    _fail(client, "nobody-at-all@metro.tokyo.example", app.config["LOGIN_LOCKOUT_THRESHOLD"] + 1)
    assert _notices(db, admin.id) == []


def test_the_notice_is_in_japanese_for_a_japanese_administrator(app, db, client):
    admin = factories.user(["admin"], locale="ja")
    employee = factories.user(["employee"])
    db.session.commit()
    _fail(client, employee.email, app.config["LOGIN_LOCKOUT_THRESHOLD"])
    (notice,) = _notices(db, admin.id)
    assert "ロック" in notice.title, notice.title
