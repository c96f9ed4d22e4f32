"""Answers of the accounts API."""

from __future__ import annotations

import marshmallow as ma

from hrfund.core.apischemas import Answer, code_of, computed


class UserSchema(Answer):
    """The user behind the token: ``{id, email, name, roles, city, departments}``."""

    id = ma.fields.Integer()
    email = ma.fields.String()
    name = computed(lambda user: user.display_name("en"))
    name_ja = computed(lambda user: user.display_name("ja"))
    roles = computed(
        lambda user: sorted(r.value for r in user.roles), "array", items={"type": "string"}
    )
    city = code_of("city")
    department = code_of("department")
    departments = computed(
        lambda user: [d.code for d in user.managed_departments], "array", items={"type": "string"}
    )
    locale = ma.fields.String(allow_none=True)
    timezone = ma.fields.String(allow_none=True)
