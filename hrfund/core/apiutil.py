"""Small helpers for JSON API routes: reading bodies, fields, dates, pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app, jsonify, request
from flask_babel import lazy_gettext as _l

from hrfund.core.errors import ValidationFailed
from hrfund.core.inputs import (
    MAX_JSON_DEPTH,
    JSONTooDeep,
    check_json_depth,
    check_json_values,
)
from hrfund.core.pagination import paginate, parse_page_args


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 400 that says what is wrong with it. Nesting is bounded
    before parsing; text with control characters and ids out of range are refused once here."""
    if request.is_json:
        try:
            check_json_depth(request.get_data(cache=True))
        except JSONTooDeep:
            raise ValidationFailed(
                str(
                    _l(
                        "The JSON body nests too deeply (at most %(n)d levels).",
                        n=MAX_JSON_DEPTH,
                    )
                )
            ) from None
    data = request.get_json(silent=True)
    if data is None:
        raise ValidationFailed("The body must be a JSON object (Content-Type: application/json).")
    if not isinstance(data, dict):
        raise ValidationFailed("The body must be a JSON object.")
    check_json_values(data)
    return data


def require(data: dict, *names: str) -> None:
    missing = {n: ["is required"] for n in names if data.get(n) in (None, "")}
    if missing:
        raise ValidationFailed("Required fields are missing.", fields=missing)


def parse_date(data: dict, name: str, *, required: bool = False) -> date | None:
    value = data.get(name)
    if value in (None, ""):
        if required:
            raise ValidationFailed(f"{name} is required.", fields={name: ["is required"]})
        return None
    if not isinstance(value, str):
        raise ValidationFailed(f"{name} must be a date.", fields={name: ["must be YYYY-MM-DD"]})
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            f"{name} must be a date.", fields={name: ["must be YYYY-MM-DD"]}
        ) from None


def parse_str(data: dict, name: str, *, required: bool = False, max_length: int = 10_000) -> str:
    value = data.get(name)
    if value is None:
        if required:
            raise ValidationFailed(f"{name} is required.", fields={name: ["is required"]})
        return ""
    if not isinstance(value, str):
        raise ValidationFailed(f"{name} must be a string.", fields={name: ["must be a string"]})
    if len(value) > max_length:
        raise ValidationFailed(
            f"{name} is too long.", fields={name: [f"must be at most {max_length} characters"]}
        )
    return value


def iso_date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def iso_instant(value) -> str | None:
    return value.isoformat() if value else None


def page_response(stmt, serialize, *, scalars: bool = True):
    """A paginated list answer: {items, page, per_page, total}."""
    cfg = current_app.config
    page, per_page = parse_page_args(
        request.args, cfg["API_PER_PAGE_DEFAULT"], cfg["API_PER_PAGE_MAX"]
    )
    result = paginate(stmt, page, per_page, scalars=scalars)
    return jsonify(
        items=[serialize(item) for item in result.items],
        page=result.page,
        per_page=result.per_page,
        total=result.total,
    )


def created(body: dict):
    response = jsonify(body)
    response.status_code = 201
    return response
