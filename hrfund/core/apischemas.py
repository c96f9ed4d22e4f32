"""Schemas every module's API shares: request bodies and query strings, pages, the error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask import current_app

from hrfund.core import apifields as f
from hrfund.core.pagination import MAX_PAGE


class Body(ma.Schema):
    """A JSON request body. Unknown fields are ignored (a newer client may send more)."""

    #: False where the body may be left out (an action without a comment)
    body_required = True

    class Meta:
        unknown = ma.EXCLUDE


class OptionalBody(Body):
    body_required = False


class Query(ma.Schema):
    """Query-string arguments; unknown ones are ignored."""

    class Meta:
        unknown = ma.EXCLUDE


class PageQuery(Query):
    """``?page=1&per_page=50`` (per_page at most 200)."""

    page = f.WholeNumber(minimum=1, maximum=MAX_PAGE)
    per_page = f.WholeNumber(minimum=1, maximum=200)


class Comment(OptionalBody):
    comment = f.Text(max_length=2000, load_default="")


class Answer(ma.Schema):
    """An answer object: dumped from a model or a dict; extra fields are welcome."""

    class Meta:
        ordered = True


class Page(Answer):
    """``{"items": […], "page": 1, "per_page": 50, "total": 1234}``."""

    page = ma.fields.Integer()
    per_page = ma.fields.Integer()
    total = ma.fields.Integer()


_PAGES: dict[type, type] = {}


def page_of(item: type[ma.Schema]) -> type[Page]:
    """The page schema of ``item`` (one class per item schema, named after it)."""
    if item not in _PAGES:
        name = item.__name__.removesuffix("Schema") + "PageSchema"
        _PAGES[item] = type(name, (Page,), {"items": ma.fields.List(ma.fields.Nested(item))})
    return _PAGES[item]


def page_args() -> tuple[int, int]:
    """The API's defaults for a list without ?per_page."""
    cfg = current_app.config
    return cfg["API_PER_PAGE_DEFAULT"], cfg["API_PER_PAGE_MAX"]


class ErrorBodySchema(Answer):
    status = ma.fields.Integer(required=True, metadata={"example": 409})
    code = ma.fields.String(required=True, metadata={"example": "invalid_transition"})
    message = ma.fields.String(required=True, metadata={"description": "in the user's language"})
    fields_ = ma.fields.Dict(
        data_key="fields",
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={"description": "which fields are wrong, and why"},
    )


class ErrorSchema(Answer):
    """Every refusal: ``{"error": {status, code, message, fields?}}``."""

    error = ma.fields.Nested(ErrorBodySchema, required=True)


def computed(
    func: Callable[[Any], object], kind: str = "string", **metadata: object
) -> ma.fields.Function:
    """An answer field worked out from the object (typed for the OpenAPI document)."""
    return ma.fields.Function(func, metadata={"type": kind, **metadata})


def code_of(name: str) -> ma.fields.Function:
    """The ``code`` of a related object, or None: a city or department in an answer."""

    def code(obj: object) -> str | None:
        related = getattr(obj, name)
        return None if related is None else str(related.code)

    return computed(code, nullable=True)
