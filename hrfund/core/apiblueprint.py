"""The blueprint of a module's API routes: flask-smorest's, with our parser.

A route declares its body or query string once, as a schema (``@bp.arguments``), and its answer
(``@bp.response``); the same declarations validate the input, shape the answer and write the
OpenAPI document. Refused input is a 400 in API.md's error format, in the reader's language,
with ``fields`` saying which field is wrong and why.

Every error at once: a body the schema refuses is also put to the route's service, with the
fields the schema could read (``None`` for the others), inside a savepoint that is rolled back.
Whatever that service says about fields the schema found no fault with (a date order, a rule
between fields, an unknown placement) is added to the one 400, so that a client learns all
that is wrong on its first request. Nothing of the trial is kept: the savepoint is rolled back
(and an error answer rolls the whole request back: no notice is mailed, no file stays), its
``session.info`` entries are dropped (a file it stored is removed) and its log lines below
WARNING are not written. What it cannot take back: a PostgreSQL sequence number it drew (an id
is skipped, as after any rollback), and the time it waited for a row lock.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import logging
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

import flask_smorest
import marshmallow as ma
from flask import Request
from flask_babel import lazy_gettext as _l
from marshmallow.error_store import SCHEMA
from sqlalchemy.exc import DataError, IntegrityError
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from hrfund.core.apiutil import json_body
from hrfund.core.errors import DomainError, ValidationFailed
from hrfund.core.files import NEW_FILES
from hrfund.core.logging import in_trial
from hrfund.extensions import db

log = logging.getLogger(__name__)

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
        messages = error.messages
        if isinstance(messages, dict) and len(messages) == 1:
            # webargs files the messages under the location ("json", "query"): names alone
            ((location, inner),) = messages.items()
            if location in self.__location_map__:
                messages = inner
        raise SchemaRefused(
            str(_l("Some fields are not valid.")),
            fields=flat_messages(messages),
            valid_data=_readable(schema, error.valid_data),
        )


def _readable(schema: ma.Schema, valid_data: object) -> dict[str, Any]:
    """Each field of the schema, as read (None where it was refused or left out)."""
    names = getattr(schema, "load_fields", None) or {}
    return {name: None for name in names} | (valid_data if isinstance(valid_data, dict) else {})


class SchemaRefused(ValidationFailed):
    """A body the schema refused; ``valid_data`` holds the fields it could read."""

    def __init__(self, message: str, fields: dict[str, list[str]], valid_data: dict[str, Any]):
        super().__init__(message, fields)
        self.valid_data = valid_data


class Partial(dict[str, Any]):
    """The fields a refused body held: a field the schema refused or that was left out reads
    as None (also through ``pop``), as a service's optional input."""

    def __missing__(self, key: str) -> None:
        return None

    def pop(self, key: str, *default: Any) -> Any:
        return super().pop(key, None)


#: What a route may raise when it runs on part of its body (None for a refused field): the
#: trial adds nothing then. Anything else (the database gone, a deadlock, a bug) is a real error
#: and is answered as such, not hidden behind the 400.
PARTIAL_BODY_ERRORS = (
    TypeError,
    ValueError,
    LookupError,
    AttributeError,
    ArithmeticError,
    HTTPException,
    ma.ValidationError,
    IntegrityError,
    DataError,
)


class _Undo(Exception):
    """Leaves the trial's savepoint by its context manager, which rolls it back in any state."""


def with_service_errors(refused: SchemaRefused, trial: Callable[[], object]) -> ValidationFailed:
    """``refused`` with the field errors ``trial`` (the route on the readable fields) raises,
    for fields the schema did not refuse. Nothing of the trial is kept: its writes (rolled back
    even after a failed flush, the session usable again), what it put in ``session.info`` (a
    notice's e-mail to send, a file to remove) and what it logged below WARNING."""
    found: dict[str, list[str]] = {}
    session = db.session()
    info = {key: copy.copy(value) for key, value in session.info.items()}  # lists it appends to
    marked = in_trial.set(True)
    try:
        with session.begin_nested():
            try:
                trial()
            except DomainError as error:
                found = error.fields
            except PARTIAL_BODY_ERRORS:
                log.debug("no service check on a refused body", exc_info=True)
            raise _Undo
    except _Undo:
        pass
    finally:
        in_trial.reset(marked)
        _forget(session.info, info)
    fields = dict(refused.fields)
    for name, messages in found.items():
        if messages and not any(_overlap(name, known) for known in refused.fields):
            fields[name] = list(messages)
    return ValidationFailed(refused.message, fields=fields)


def _forget(now: dict[Any, Any], before: dict[Any, Any]) -> None:
    """``session.info`` as it was before the trial; a file the trial stored is removed (its row
    went with the savepoint, and nothing would remove the file at the request's end)."""
    known = set(before.get(NEW_FILES, []))
    written = [path for path in now.get(NEW_FILES, []) if path not in known]
    now.clear()
    now.update(before)
    for path in written:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _overlap(one: str, other: str) -> bool:
    """Two field paths name the same field, or one a part of the other ("slots" and
    "slots[0].positions"): the schema's message is the one said (the service read None)."""
    short, long = sorted((one, other), key=len)
    return long == short or long.startswith((f"{short}.", f"{short}["))


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
        parse: Decorator = super().arguments(schema, location=location, required=required, **kwargs)
        if location != "json":
            return parse

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            parsed = parse(func)

            @functools.wraps(parsed)
            def route(*args: Any, **kw: Any) -> Any:
                try:
                    return parsed(*args, **kw)
                except SchemaRefused as refused:
                    trial = functools.partial(func, *args, Partial(refused.valid_data), **kw)
                    raise with_service_errors(refused, trial) from None

            return route

        return decorator
