"""The blueprint of a module's API routes: flask-smorest's, with our parser.

A route declares its body or query string once, as a schema (``@bp.arguments``), and its answer
(``@bp.response``); the same declarations validate the input, shape the answer and write the
OpenAPI document. Refused input is a 400 in API.md's error format, in the reader's language,
with ``fields`` saying which field is wrong and why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NoReturn

import flask_smorest
import marshmallow as ma
from flask import Request
from flask_babel import lazy_gettext as _l
from marshmallow.error_store import SCHEMA
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import MultiDict

from hrfund.core.apiutil import json_body

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def flat_messages(messages: object, path: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as API.md's ``fields``: ``{"budget.travel_jpy": [...],
    "slots[0].city": [...]}`` (the paths check_json_values uses too)."""
    if isinstance(messages, dict):
        found: dict[str, list[str]] = {}
        for key, value in messages.items():
            if isinstance(key, int):
                name = f"{path}[{key}]"
            elif key == SCHEMA:  # a rule over several fields: named by the object
                name = path or SCHEMA
            else:
                name = f"{path}.{key}" if path else str(key)
            for field, field_texts in flat_messages(value, name).items():
                found.setdefault(field, []).extend(field_texts)
        return found
    if isinstance(messages, list | tuple):
        texts: list[str] = []
        nested: dict[str, list[str]] = {}
        for item in messages:
            if isinstance(item, dict | list):
                nested |= flat_messages(item, path)
            else:
                texts.append(str(item))
        return ({path: texts} if texts else {}) | nested
    return {path: [str(messages)]}


class ApiParser(FlaskParser):
    """webargs' parser with the bounds of hrfund.core.inputs on every JSON body (depth, control
    characters, ids in range) and API.md's 400 for refused fields."""

    DEFAULT_VALIDATION_STATUS = 400

    def load_json(self, req: Request, schema: ma.Schema) -> Any:
        if getattr(schema, "body_required", True) or req.content_length:
            return json_body()
        return {}

    def load_querystring(self, req: Request, schema: ma.Schema) -> Any:
        """Query arguments; an empty one (``?fiscal_year=&kind=``) is left out."""
        args = MultiDict([(k, v) for k, v in req.args.items(multi=True) if v.strip()])
        return self._makeproxy(args, schema)

    def handle_error(
        self,
        error: ma.ValidationError,
        req: Request,
        schema: ma.Schema,
        *,
        error_status_code: int | None,
        error_headers: Mapping[str, str] | None,
    ) -> NoReturn:
        from hrfund.core.errors import ValidationFailed

        messages = error.messages
        if isinstance(messages, dict) and len(messages) == 1:
            # webargs files the messages under the location ("json", "query"): names alone
            ((location, inner),) = messages.items()
            if location in self.__location_map__:
                messages = inner
        raise ValidationFailed(
            str(_l("Some fields are not valid.")), fields=flat_messages(messages)
        )


class ApiBlueprint(flask_smorest.Blueprint):  # type: ignore[misc]  # flask-smorest: no type information
    """A module's API blueprint (nested in /api/v1 by hrfund.api)."""

    ARGUMENTS_PARSER = ApiParser()

    # flask-smorest's decorators, typed: each keeps a view a function of any arguments.
    def route(self, rule: str, **options: Any) -> Decorator:
        decorator: Decorator = super().route(rule, **options)
        return decorator

    def response(self, status_code: int, schema: Any = None, **kwargs: Any) -> Decorator:
        decorator: Decorator = super().response(status_code, schema, **kwargs)
        return decorator

    def arguments(
        self,
        schema: type[ma.Schema] | ma.Schema,
        *,
        location: str = "json",
        required: bool | None = None,
        **kwargs: Any,
    ) -> Decorator:
        """As flask-smorest's; a body is documented as required unless its schema says it
        may be left out (``body_required = False``)."""
        if required is None:
            required = getattr(schema, "body_required", True)
        decorator: Decorator = super().arguments(
            schema, location=location, required=required, **kwargs
        )
        return decorator
