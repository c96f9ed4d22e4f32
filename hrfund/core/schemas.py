"""Query and answers of the audit log's API."""

from __future__ import annotations

import marshmallow as ma

from hrfund.core import apifields as f
from hrfund.core.apischemas import Answer, PageQuery


class AuditQuery(PageQuery):
    object_type = f.Text(max_length=100)
    object_id = f.Text(max_length=100)
    action = f.Text(max_length=100)


class AuditEventSchema(Answer):
    id = ma.fields.Integer()
    at = f.Instant()
    actor = ma.fields.String(attribute="actor_label", allow_none=True)
    actor_id = ma.fields.Integer(allow_none=True)
    action = ma.fields.String()
    object_type = ma.fields.String()
    object_id = ma.fields.String(allow_none=True)
    from_ = ma.fields.String(attribute="from_state", data_key="from", allow_none=True)
    to = ma.fields.String(attribute="to_state", allow_none=True)
    comment = ma.fields.String(allow_none=True)
    changes = ma.fields.Raw(allow_none=True, metadata={"type": "object"})
    request_id = ma.fields.String(allow_none=True)
