"""Users with roles, their server-side sessions and API tokens."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from hrfund.core.db import TimestampMixin, str_enum, utcnow
from hrfund.core.labels import LabelledEnum, register_roles
from hrfund.extensions import Model, db
from hrfund.org.models import Department, PartnerCity


class Role(LabelledEnum):
    EMPLOYEE = "employee", _l("Employee")
    MANAGER = "manager", _l("Manager")
    HR = "hr", _l("HR officer")
    COORDINATOR = "coordinator", _l("City coordinator")
    AUDITOR = "auditor", _l("Auditor")
    ADMIN = "admin", _l("Administrator")


register_roles(Role)


department_managers = sa.Table(
    "department_managers",
    db.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "department_id",
        sa.ForeignKey("departments.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class AuthSource(LabelledEnum):
    """Where an account's identity comes from: a local password, or the TMG directory."""

    LOCAL = "local", _l("Local password")
    DIRECTORY = "directory", _l("Directory")


class UserRole(Model):
    """One role held by one user."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), primary_key=True)

    def __repr__(self) -> str:
        return f"<UserRole {self.user_id} {self.role}>"


#: The user columns that list searches match part of (see the trigram indexes of User).
SEARCHED_COLUMNS = (
    "email",
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "family_name_romaji",
    "given_name_romaji",
    "employee_number",
)


class User(TimestampMixin, Model):
    """A person who logs in: TMG staff, partner-city coordinator, auditor or administrator."""

    __tablename__ = "users"
    __table_args__ = (
        sa.Index("uq_users_email_lower", sa.func.lower(sa.text("email")), unique=True),
        sa.CheckConstraint("locale in ('ja', 'en')", name="locale"),
        sa.CheckConstraint("failed_logins >= 0", name="failed_logins_nonnegative"),
        sa.CheckConstraint("auth_source in ('local', 'directory')", name="auth_source"),
        sa.Index("uq_users_directory_uid", "directory_uid", unique=True),
        # people in name order: a search whose filters are checked person by person (the talent
        # pool's hours) reads them in this order and stops at the page's last one
        sa.Index("ix_users_name_order", "family_name_romaji", "given_name_romaji", "id"),
        # PostgreSQL: trigram indexes, so that a search for part of a name, an e-mail address or
        # an employee number (ILIKE '%…%', admin and HR lists) does not read every user.
        *(
            sa.Index(
                f"ix_users_{column}_trgm",
                column,
                postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"},
            ).ddl_if(dialect="postgresql")
            for column in SEARCHED_COLUMNS
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    family_name: Mapped[str] = mapped_column(sa.String(100), default="")
    given_name: Mapped[str] = mapped_column(sa.String(100), default="")
    family_name_kana: Mapped[str] = mapped_column(sa.String(100), default="")
    given_name_kana: Mapped[str] = mapped_column(sa.String(100), default="")
    family_name_romaji: Mapped[str] = mapped_column(sa.String(100))
    given_name_romaji: Mapped[str] = mapped_column(sa.String(100))
    employee_number: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id"), index=True)
    city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partner_cities.id"), index=True)
    joined_on: Mapped[date | None]
    locale: Mapped[str] = mapped_column(sa.String(2), default="ja", server_default="ja")
    timezone: Mapped[str] = mapped_column(
        sa.String(64), default="Asia/Tokyo", server_default="Asia/Tokyo"
    )
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # The login lockout (see ``lockout.py``): failures counted in the database, a lock with
    # backoff, forgotten some time after the last failure.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    last_failed_login_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    # Directory sign-in (see ``directory.py``): the directory's stable id of the account (its
    # uid or sAMAccountName), and when its attributes were last copied.
    auth_source: Mapped[str] = mapped_column(
        sa.String(16), default=AuthSource.LOCAL.value, server_default=AuthSource.LOCAL.value
    )
    directory_uid: Mapped[str | None] = mapped_column(sa.String(254))
    directory_synced_at: Mapped[datetime | None]

    department: Mapped[Department | None] = so.relationship(foreign_keys=[department_id])
    city: Mapped[PartnerCity | None] = so.relationship()
    role_rows: Mapped[list[UserRole]] = so.relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=UserRole.role
    )
    managed_departments: Mapped[list[Department]] = so.relationship(
        secondary=department_managers, lazy="selectin", order_by=Department.code
    )

    # Flask-Login: the key of the server-side session this object was loaded for.
    if TYPE_CHECKING:  # an attribute of the object, no column (declarative reads annotations)
        _session_key: str | None
    else:
        _session_key = None

    @property
    def roles(self) -> set[Role]:
        return {row.role for row in self.role_rows}

    def has_role(self, *roles: Role | str) -> bool:
        return any(Role(r) in self.roles for r in roles)

    # Flask-Login protocol
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        return self._session_key

    @property
    def is_locked(self) -> bool:
        """Whether failed logins keep this account locked right now."""
        return self.locked_until is not None and self.locked_until > utcnow()

    def display_name(self, locale: str = "en") -> str:
        """The name in the order the language expects: 山田 太郎 / Taro Yamada."""
        return name_in(
            locale,
            self.family_name,
            self.given_name,
            self.family_name_romaji,
            self.given_name_romaji,
        )

    @property
    def from_directory(self) -> bool:
        return self.auth_source == AuthSource.DIRECTORY

    def kana_name(self) -> str:
        return f"{self.family_name_kana} {self.given_name_kana}".strip()

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


def name_in(
    locale: str,
    family_name: str | None,
    given_name: str | None,
    family_name_romaji: str | None,
    given_name_romaji: str | None,
) -> str:
    """``User.display_name`` from the columns alone, for lists that read them as plain rows."""
    if locale == "ja" and family_name:
        return f"{family_name} {given_name}".strip()
    return f"{given_name_romaji} {family_name_romaji}".strip()


def named_person(
    relationship: so.QueryableAttribute[User | None],
) -> so.strategy_options._AbstractLoad:
    """Join a list's person (applicant, placed employee, author of an entry) for the name only:
    roles and managed departments (selectin by default, for the signed-in user) stay unloaded,
    which spares two statements per list; touched anyway, they load as usual."""
    return so.joinedload(relationship).options(
        so.lazyload(User.role_rows), so.lazyload(User.managed_departments)
    )


class UserSession(Model):
    """A server-side login session, so that logout and deactivation end a stolen cookie too."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    user_agent: Mapped[str | None] = mapped_column(sa.String(255))
    # SHA-256 of the full User-Agent at login: a cookie replayed by another browser is refused.
    user_agent_hash: Mapped[str | None] = mapped_column(sa.String(64))

    user: Mapped[User] = so.relationship()

    def __repr__(self) -> str:
        return f"<UserSession {self.id} user={self.user_id}>"


class LoginThrottle(Model):
    """Failed logins for a name that has no account, counted and locked as an account's are,
    so that the answers do not tell which addresses exist. Keyed by an HMAC of the name."""

    __tablename__ = "login_throttles"
    __table_args__ = (sa.CheckConstraint("failed_logins >= 0", name="failed_logins_nonnegative"),)

    key_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    last_failed_login_at: Mapped[datetime | None] = mapped_column(index=True)
    locked_until: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<LoginThrottle {self.key_hash[:8]}… {self.failed_logins}>"


class ApiToken(Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = so.relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix}… user={self.user_id}>"


class AppSetting(Model):
    """A setting an administrator changes at run time (audited), e.g. local passwords for
    directory users; absent rows fall back to the configuration."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[dict | list | str | int | bool | None] = mapped_column(sa.JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    def __repr__(self) -> str:
        return f"<AppSetting {self.key}={self.value!r}>"
