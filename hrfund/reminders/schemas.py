"""Queries, bodies and answers of the notifications API."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import lazy_gettext as _l

from hrfund.core import apifields as f
from hrfund.core.apischemas import Answer, Body, PageQuery, page_of
from hrfund.core.i18n import current_language


class NotificationQuery(PageQuery):
    unread = f.Choice(["0", "1", "true", "false"], metadata={"description": "1: unread only"})


def _text(part: int):
    """The notification's title (0) or line (1) in the reader's language, rendered at writing
    in every language (see Notification.text)."""
    return lambda n: n.text(current_language())[part]


class NotificationSchema(Answer):
    id = ma.fields.Integer()
    title = ma.fields.Function(_text(0), metadata={"type": "string"})
    body = ma.fields.Function(_text(1), metadata={"type": "string", "nullable": True})
    link = ma.fields.String(allow_none=True)
    created_at = f.Instant()
    read_at = f.Instant(allow_none=True)
    read = ma.fields.Function(lambda n: n.read_at is not None, metadata={"type": "boolean"})


class NotificationPageSchema(page_of(NotificationSchema)):  # type: ignore[misc]  # made by page_of
    unread = ma.fields.Integer(metadata={"description": "how many of the caller's are unread"})


class NoticeSettingsIn(Body):
    email = f.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Raw(metadata={"type": "boolean"}),
        required=True,
        metadata={"description": "kind of notice → whether it is sent by e-mail"},
    )

    @ma.validates("email")
    def only_true_or_false(self, value, **_kwargs):
        if not all(isinstance(on, bool) for on in value.values()):
            raise ma.ValidationError(str(_l("Give each kind of notice true or false.")))


class NoticeSettingsSchema(Answer):
    email = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Boolean())
