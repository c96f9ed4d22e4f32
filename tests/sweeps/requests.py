"""Turning a route-table row into a request: placeholders to the world's values, a body to a form
or JSON, a fresh upload each time."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from flask import url_for

from hrfund.core.fiscal import tokyo_today
from tests.sweeps.world import CSV, PDF

_DATE = re.compile(r"@today([+-]\d+)$")
_FY = re.compile(r"@fy([+-]\d+)?(-\d\d-\d\d)?$")


def resolve(value, sweep):
    """``"@key"`` → the world's id; dates, fiscal years, files and feeds likewise."""
    if isinstance(value, dict):
        return {k: resolve(v, sweep) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, sweep) for v in value]
    if not isinstance(value, str) or not value.startswith("@"):
        return value
    if m := _DATE.match(value):
        return (tokyo_today() + timedelta(days=int(m.group(1)))).isoformat()
    if m := _FY.match(value):
        year = sweep.ids["fy"] + int(m.group(1) or 0)
        return f"{year}{m.group(2)}" if m.group(2) else year
    if value == "@file":
        return (io.BytesIO(PDF), "document.pdf")
    if value == "@csv":
        return (io.BytesIO(CSV), "records.csv")
    if value == "@feed":
        return sweep.feeds["employee"]
    return sweep.ids[value[1:]]


def build_url(app, endpoint: str, args: dict, sweep) -> str:
    with app.test_request_context():
        return url_for(endpoint, **resolve(args, sweep))


def send(
    sweep, persona: str, method: str, url: str, body, *, fresh_login: bool = False, isolate=True
):
    """One request as ``persona`` (rolled back): a form to pages, JSON to the API."""
    kwargs: dict = {}
    body = resolve(body, sweep) if body is not None else None
    if url.startswith("/api/"):
        if body is not None and any(isinstance(v, tuple) for v in body.values()):
            kwargs["data"] = body  # a file upload is multipart, in the API too
        elif method != "GET":
            kwargs["json"] = body if body is not None else {}
    elif body is not None:
        kwargs["data"] = body
    if fresh_login:
        sweep._pages.pop(persona, None)
        response = sweep.request(persona, method, url, **kwargs)
        sweep._pages.pop(persona, None)
        return response
    return sweep.request(persona, method, url, isolate=isolate, **kwargs)
