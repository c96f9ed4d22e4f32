"""Bounds on raw input, in one place: ids, years, currency codes, text, JSON bodies and query
strings.

Input that no column can hold (an id above the integer range, a year of 99999, a NUL byte that
PostgreSQL refuses in text) is refused here with a clear error, before it reaches a query.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from typing import Any, NoReturn

from babel.numbers import list_currencies
from flask import Flask
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter, Map

from hrfund.core.errors import NotFound, ValidationFailed

#: Every primary key is a 32-bit ``Integer`` column (no model has a BigInteger id).
MAX_ID = 2**31 - 1
#: The widest integer any column holds (BigInteger yen amounts).
MAX_BIGINT = 2**63 - 1
#: Fiscal and calendar years the system keeps records for (the fund's range too).
MIN_YEAR, MAX_YEAR = 2000, 2199
#: How deep a JSON body may nest; no body of the API needs more than a few levels.
MAX_JSON_DEPTH = 32

#: C0 control characters but tab, newline and carriage return.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def control_message() -> str:
    return str(_l("Remove the control characters (such as NUL) from this text."))


def has_control_chars(text: str) -> bool:
    return bool(CONTROL_CHARS.search(text))


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` in every route: only 1..2³¹-1 matches, so an id no column can hold is a 404
    rather than an overflow in the database."""

    def __init__(
        self,
        map: Map,  # noqa: A002
        fixed_digits: int = 0,
        min: int = 1,  # noqa: A002
        max: int = MAX_ID,  # noqa: A002
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def parse_id(value: object) -> int | None:
    """An id from a query string or a JSON value: an int (or ASCII digits) in 1..2³¹-1, else
    None, which a lookup treats as not found."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not (value.isascii() and value.isdigit()) or len(value) > 10:
            return None
        return parse_id(int(value))
    if isinstance(value, int) and 1 <= value <= MAX_ID:
        return value
    return None


def is_id_name(name: str) -> bool:
    return name == "id" or name.endswith(("_id", "_ids"))


def parse_year(value: object, field: str = "fiscal_year", *, default: int | None = None) -> int:
    """A year from a query string, form or JSON body, within MIN_YEAR..MAX_YEAR."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is not None:
            return default
        raise _year_error(field)
    number = year_number(value)
    if number is None or not MIN_YEAR <= number <= MAX_YEAR:
        raise _year_error(field)
    return number


def year_number(value: object) -> int | None:
    """The number of a typed year, in range or not: an int, or up to four decimal digits
    (full-width ones from an IME too, not ² or ①); else None."""
    if isinstance(value, str):
        text = value.strip()
        value = int(text) if text.isdecimal() and len(text) <= 4 else None
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


@lru_cache(maxsize=1)
def currency_codes() -> frozenset[str]:
    """The ISO 4217 codes a currency may have (of cities, programs and foreign payments)."""
    return frozenset(list_currencies())


def _year_error(field: str) -> ValidationFailed:
    message = str(_l("Enter a year from %(first)d to %(last)d.", first=MIN_YEAR, last=MAX_YEAR))
    return ValidationFailed(message, fields={field: [message]})


# ------------------------------------------------------------------------- JSON bodies


class JSONTooDeep(ValueError):
    """A JSON document nested deeper than MAX_JSON_DEPTH (checked before parsing recurses)."""


def check_json_depth(raw: bytes | str, limit: int = MAX_JSON_DEPTH) -> None:
    """Count the nesting of ``raw`` without parsing it (strings skipped): json.loads recurses
    once per level and a deep enough body ends in a RecursionError."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return
    depth = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub(b'""', raw)):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                raise JSONTooDeep(f"JSON nested deeper than {limit} levels")
        else:
            depth -= 1


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON number")


def loads(raw: str | bytes, **kwargs: Any) -> Any:
    """json.loads with a bounded depth and without NaN/Infinity (not JSON, not storable)."""
    check_json_depth(raw)
    kwargs.setdefault("parse_constant", _refuse_constant)
    return json.loads(raw, **kwargs)


def check_json_values(data: object) -> None:
    """Walk a parsed body once: text with control characters is a field error, an integer
    wider than any column is a field error, and an id outside the id range is not found."""
    errors: dict[str, list[str]] = {}
    missing: list[str] = []

    def walk(value: object, path: str, key: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                name = f"{path}.{k}" if path else str(k)
                if has_control_chars(str(k)):
                    errors[name] = [control_message()]
                walk(v, name, str(k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{path}[{i}]", key)
        elif isinstance(value, str):
            if has_control_chars(value):
                errors[path] = [control_message()]
        elif isinstance(value, bool):
            return
        elif isinstance(value, int):
            if is_id_name(key):
                if parse_id(value) is None:
                    missing.append(path)
            elif abs(value) > MAX_BIGINT:
                errors[path] = [str(_l("This number is too large."))]
        elif isinstance(value, float) and not math.isfinite(value):
            errors[path] = [str(_l("This number is too large."))]

    walk(data, "", "")
    if errors:
        raise ValidationFailed(str(_l("Some fields are not valid.")), fields=errors)
    if missing:
        message = str(_l("No such record."))
        raise NotFound(message, fields={name: [message] for name in missing})


def check_query_args(args: MultiDict[str, str]) -> None:
    """Query-string names and values with control characters are refused (400)."""
    errors: dict[str, list[str]] = {}
    for name, values in args.lists():
        if has_control_chars(name) or any(has_control_chars(v) for v in values):
            errors[name] = [control_message()]
    if errors:
        raise ValidationFailed(str(_l("Some fields are not valid.")), fields=errors)


def init_input_bounds(app: Flask) -> None:
    """Register the bounded ``int`` converter and JSON parser, and the query-string check;
    before any blueprint adds its routes."""
    from flask import request
    from flask.json.provider import DefaultJSONProvider

    class BoundedJSONProvider(DefaultJSONProvider):
        def loads(self, s: str | bytes, **kwargs: Any) -> Any:
            return loads(s, **kwargs)

    app.url_map.converters["int"] = BoundedIntConverter
    app.json = BoundedJSONProvider(app)

    @app.before_request
    def refuse_control_chars_in_query() -> None:
        check_query_args(request.args)
