"""OpenAPI 3 generated from the API routes and their docstrings (apispec)."""

from __future__ import annotations

import re

from apispec import APISpec
from apispec.yaml_utils import load_operations_from_docstring

API_PREFIX = "/api/v1"
#: A Werkzeug rule variable: ``<name>``, ``<int:name>``, ``<any(a, b):name>``.
_CONVERTER = re.compile(r"<(?:([a-z]+)(?:\(([^)]*)\))?:)?([a-z_]+)>")


def openapi_path(rule: str) -> str:
    return _CONVERTER.sub(r"{\3}", rule)


def _path_parameter(converter: str, args: str, name: str) -> dict:
    if converter == "any":
        values = [v.strip().strip("'\"") for v in args.split(",") if v.strip()]
        schema: dict = {"type": "string", "enum": values}
    elif converter == "int":
        # the app's int converter matches ids 1..2^31-1 only (hrfund.core.inputs)
        schema = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
    else:
        schema = {"type": "integer" if name.endswith("id") else "string"}
    return {"name": name, "in": "path", "required": True, "schema": schema}


def build_spec(app) -> dict:
    spec = APISpec(
        title="hrfund API",
        version="1.0.0",
        openapi_version="3.0.3",
        info={"description": "Tokyo Human Resources Fund for City Diplomacy"},
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema(
        "Error",
        {
            "type": "object",
            "properties": {
                "error": {
                    "type": "object",
                    "properties": {
                        "status": {"type": "integer"},
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "fields": {"type": "object"},
                    },
                }
            },
        },
    )
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(API_PREFIX):
            continue
        view = app.view_functions[rule.endpoint]
        operations = load_operations_from_docstring(view.__doc__ or "")
        path = openapi_path(rule.rule[len(API_PREFIX) :] or "/")
        params = _CONVERTER.findall(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operation = dict(operations.get(method.lower()) or {})
            if not operation:
                continue
            if params:
                operation.setdefault("parameters", [])
                operation["parameters"] = [_path_parameter(*p) for p in params] + list(
                    operation["parameters"]
                )
            operation.setdefault("security", [{"bearer": []}])
            operation.setdefault("responses", {"200": {"description": "OK"}})
            paths.setdefault(path, {})[method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    body = spec.to_dict()
    body["servers"] = [{"url": API_PREFIX}]
    return body
