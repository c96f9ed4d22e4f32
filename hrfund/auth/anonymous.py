"""Anonymous placeholders: the "person" an anonymised record points to once its real person is
gone from it (see hrfund/reports/retention.py).

Each anonymised record gets a placeholder of its own, so that anonymised records cannot even be
linked to each other. A placeholder is inactive, has no password, no roles, no department, and an
address in the reserved ``.invalid`` domain (RFC 2606), which no mail ever reaches.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from hrfund.auth.models import User
from hrfund.extensions import db

ANONYMOUS_DOMAIN = "anonymised.invalid"
ANONYMOUS_NAME_JA = "匿名"
ANONYMOUS_NAME_EN = "Anonymised"


def is_placeholder(user: User | None) -> bool:
    """Whether ``user`` is an anonymous placeholder rather than a person."""
    return user is not None and user.email.endswith(f"@{ANONYMOUS_DOMAIN}")


def not_placeholder(email_column) -> sa.ColumnElement[bool]:
    """A filter on a users.email column: real people only."""
    return sa.not_(email_column.like(f"%@{ANONYMOUS_DOMAIN}"))


def new_placeholder() -> User:
    """A fresh placeholder (flushed, so that it has its id)."""
    placeholder = User(
        email=f"anonymised-{secrets.token_hex(8)}@{ANONYMOUS_DOMAIN}",
        password_hash=None,
        family_name=ANONYMOUS_NAME_JA,
        given_name="",
        family_name_kana="",
        given_name_kana="",
        family_name_romaji=ANONYMOUS_NAME_EN,
        given_name_romaji="",
        active=False,
    )
    db.session.add(placeholder)
    db.session.flush()
    return placeholder
