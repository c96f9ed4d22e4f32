"""What the command line's arguments share: an instant given as ``--now``."""

from __future__ import annotations

from datetime import UTC, datetime

import click


def instant_arg(value: str | None) -> datetime | None:
    """An ISO 8601 time from the command line (UTC when it names no offset); None when not
    given; a wrong one is the command's usage error."""
    if not value:
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use an ISO 8601 time, e.g. 2026-09-01T09:00+09:00") from None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)
