"""A notification written in every language, so that it is read in the reader's language.

The words of a notice or a reminder depend on the moment it is written (names, dates, the state
of things), so they are rendered then; but its reader may read it in the other language later,
or change their language. Each in-app notification keeps its title and body in every language
the app speaks (``Notification.texts``), and pages and the API show the reader's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app


class _Reader:
    """The recipient, as if their language were ``locale`` (everything else is theirs)."""

    def __init__(self, user, locale: str):
        self._user = user
        self.locale = locale

    def __getattr__(self, name):
        return getattr(self._user, name)


def in_every_language(
    render: Callable[[Any], tuple[Any, ...]], user: object
) -> dict[str, list[str]]:
    """{locale: [title, body]} of ``render(user)`` (title and body first) in each language;
    ``render`` is given the user as a stand-in (``_Reader``) that speaks each language in turn."""
    texts: dict[str, list[str]] = {}
    for locale in current_app.config["LANGUAGES"]:
        title, body = render(_Reader(user, locale))[:2]
        texts[locale] = [str(title), str(body)]
    return texts
