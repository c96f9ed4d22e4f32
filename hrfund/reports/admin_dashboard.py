"""The administrator's dashboard: accounts, locks, tokens, sign-ins, failures and the scheduler.

A fixed number of queries whatever the number of users, tokens or deliveries: counts are
aggregated in SQL and lists are limited there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from hrfund.auth.anonymous import not_placeholder
from hrfund.auth.models import ApiToken, LoginThrottle, Role, User, UserRole
from hrfund.core import jobruns
from hrfund.core.db import utcnow
from hrfund.extensions import db
from hrfund.reminders.models import Delivery, DeliveryStatus

RECENT = 8
#: the scheduler's jobs (hrfund/scheduler.py), named for people
JOB_LABELS = {
    "reminders.dispatch": _l("Reminders and notices"),
    "reminders.hr_digest": _l("HR's daily digest"),
}
TOKEN_RECENTLY = timedelta(days=30)


@dataclass
class AdminDashboard:
    """What the administrator's home page shows."""

    users_total: int = 0
    users_inactive: int = 0
    by_role: dict[str, int] = field(default_factory=dict)
    locked_users: list[User] = field(default_factory=list)
    locked_count: int = 0
    locked_names: int = 0  # login names without an account, locked by the throttle
    active_tokens: int = 0
    tokens_used_recently: int = 0
    recent_sign_ins: list[User] = field(default_factory=list)
    failed_deliveries: int = 0
    failed_deliveries_recent: list[Delivery] = field(default_factory=list)
    jobs: list[jobruns.JobRun] = field(default_factory=list)
    now: datetime = field(default_factory=utcnow)

    @staticmethod
    def job_label(job_id: str) -> str:
        return str(JOB_LABELS.get(job_id, job_id))

    @property
    def failed_jobs(self) -> list[jobruns.JobRun]:
        return [j for j in self.jobs if j.failed]

    @property
    def last_run(self) -> datetime | None:
        return max((j.started_at for j in self.jobs), default=None)

    @property
    def next_run(self) -> datetime | None:
        return min((j.next_run_at for j in self.jobs if j.next_run_at), default=None)


def _users(board: AdminDashboard) -> None:
    total, inactive, locked = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.count().filter(User.active.is_(False)),
            sa.func.count().filter(User.locked_until > board.now),
        )
        .select_from(User)
        .where(not_placeholder(User.email))  # an anonymised record's "person" is no account
    ).one()
    board.users_total, board.users_inactive, board.locked_count = total, inactive, locked
    rows = db.session.execute(
        sa.select(UserRole.role, sa.func.count())
        .join(User, User.id == UserRole.user_id)
        .where(User.active.is_(True))
        .group_by(UserRole.role)
    ).all()
    counts = {Role(role).value: n for role, n in rows}
    board.by_role = {role.value: counts.get(role.value, 0) for role in Role}


def admin_dashboard(now: datetime | None = None) -> AdminDashboard:
    """Every figure of the administrator's home page."""
    board = AdminDashboard(now=now or utcnow())
    _users(board)
    board.locked_users = list(
        db.session.scalars(
            sa.select(User)
            .where(User.locked_until > board.now)
            .order_by(User.locked_until.desc())
            .limit(RECENT)
        )
    )
    board.locked_names = (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(LoginThrottle)
            .where(LoginThrottle.locked_until > board.now)
        )
        or 0
    )
    recently = board.now - TOKEN_RECENTLY
    board.active_tokens, board.tokens_used_recently = db.session.execute(
        sa.select(sa.func.count(), sa.func.count().filter(ApiToken.last_used_at >= recently)).where(
            ApiToken.revoked_at.is_(None)
        )
    ).one()
    board.recent_sign_ins = list(
        db.session.scalars(
            sa.select(User)
            .where(User.last_login_at.is_not(None))
            .order_by(User.last_login_at.desc(), User.id.desc())
            .limit(RECENT)
        )
    )
    failed = sa.select(Delivery).where(Delivery.status == DeliveryStatus.FAILED)
    board.failed_deliveries = (
        db.session.scalar(sa.select(sa.func.count()).select_from(failed.subquery())) or 0
    )
    board.failed_deliveries_recent = list(
        db.session.scalars(
            failed.options(so.joinedload(Delivery.recipient), so.joinedload(Delivery.rule))
            .order_by(Delivery.id.desc())
            .limit(RECENT)
        )
    )
    board.jobs = jobruns.job_runs()
    return board
