"""Bodies, queries and answers of the partner-city and department API."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import lazy_gettext as _l

from hrfund.core import apifields as f
from hrfund.core.apischemas import Answer, Body, PageQuery, code_of
from hrfund.org.models import DepartmentLevel, Relationship


class CityQuery(PageQuery):
    active = f.Choice(["0", "1"], metadata={"description": "1: active cities only; 0: inactive"})


class CityIn(Body):
    code = f.Text(required=True, max_length=200, metadata={"example": "SEL"})
    name_en = f.Text(required=True, max_length=200)
    name_ja = f.Text(required=True, max_length=200)
    country = f.Text(required=True, max_length=200, metadata={"example": "KR"})
    timezone = f.Text(required=True, max_length=200, metadata={"example": "Asia/Seoul"})
    currency = f.Text(required=True, max_length=200, metadata={"example": "KRW"})
    relationship = f.Choice(
        Relationship,
        required=True,
        error_messages={"one_of": _l("Choose one of the listed relationships.")},
    )
    since = f.Date()
    cooperation_areas = f.List(f.Text(max_length=100), load_default=list)
    active = f.Boolean()


class CitySchema(Answer):
    code = ma.fields.String()
    name_en = ma.fields.String()
    name_ja = ma.fields.String()
    country = ma.fields.String()
    timezone = ma.fields.String()
    currency = ma.fields.String()
    relationship = f.Choice(Relationship)
    since = f.Date()
    cooperation_areas = ma.fields.Function(
        lambda city: list(city.cooperation_areas or []),
        metadata={"type": "array", "items": {"type": "string"}},
    )
    active = ma.fields.Boolean()


class DepartmentQuery(PageQuery):
    q = f.Text(max_length=200, metadata={"description": "code or name"})


class DepartmentIn(Body):
    code = f.Text(required=True, max_length=200)
    name_en = f.Text(required=True, max_length=200)
    name_ja = f.Text(required=True, max_length=200)
    level = f.Choice(DepartmentLevel, load_default="department")
    parent = f.Text(max_length=200, metadata={"description": "code of the parent"})


class DepartmentSchema(Answer):
    code = ma.fields.String()
    name_en = ma.fields.String()
    name_ja = ma.fields.String()
    level = f.Choice(DepartmentLevel)
    parent = code_of("parent")
