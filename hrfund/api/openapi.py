"""The OpenAPI 3 document, generated from the schemas the API routes declare (flask-smorest).

The routes live in each module's API blueprint, nested in /api/v1; flask-smorest documents them
from their ``@bp.arguments`` and ``@bp.response`` declarations. Every refusal answers with the
``Error`` component.
"""

from __future__ import annotations

import flask_smorest
from flask_smorest.spec.plugins import FlaskPlugin
from flask_smorest.utils import PrefixedMappingProxy

from hrfund.core.apischemas import ErrorSchema

API_PREFIX = "/api/v1"

#: ``/calls/<int:call_id>/<any(open, close):action>`` → ``/calls/{call_id}/{action}``
openapi_path = FlaskPlugin.flaskpath2openapi


class DocumentedApi(flask_smorest.Api):
    """flask-smorest's Api for its document alone: the routes are registered by
    hrfund.api.create_api_blueprint, nested in /api/v1, and errors are answered by
    hrfund.core.http (so neither its blueprint registration nor its error handler is used)."""

    ERROR_SCHEMA = ErrorSchema

    def __init__(self, app):
        super().__init__()
        self._app = app
        self.config = PrefixedMappingProxy(app.config, "")
        self._init_spec(
            title="hrfund API",
            version="1.0.0",
            openapi_version="3.0.3",
            info={"description": "Tokyo Human Resources Fund for City Diplomacy"},
            security=[{"bearer": []}],
        )
        self.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})


def build_spec(app) -> dict:
    api = DocumentedApi(app)
    parent = app.blueprints["api"]
    for nested, _options in parent._blueprints:
        name = f"{parent.name}.{nested.name}"
        nested.register_views_in_doc(api, app, api.spec, name=name, parameters=None)
        api.spec.tag({"name": name, "description": nested.description})
    api.spec.path(
        rule=next(app.url_map.iter_rules("api.openapi")),
        operations={
            "get": {
                "summary": "This OpenAPI 3 document",
                "security": [],
                "tags": ["api"],
                "responses": {
                    "200": {
                        "description": "The OpenAPI document",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    )
    refusals = {code: api.spec.components.get_ref("response", name) for code, name in REFUSALS}
    body = api.spec.to_dict()
    body["paths"] = {
        path.removeprefix(API_PREFIX) or "/": _with_path_parameters(operations)
        for path, operations in sorted(body.get("paths", {}).items())
    }
    _document_refusals(app, body["paths"], refusals)
    body["servers"] = [{"url": API_PREFIX}]
    return body


#: The refusals of API.md each operation may answer, as the lazily registered Error responses.
REFUSALS = (
    ("401", "UNAUTHORIZED"),
    ("403", "FORBIDDEN"),
    ("404", "NOT_FOUND"),
    ("409", "CONFLICT"),
)


def _document_refusals(app, paths: dict, refusals: dict) -> None:
    """401 for every route but the document; 403 where a role or scope may refuse; 404 for an
    object named in the path; 409 for a write (a state, the funds, or a duplicate)."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX) or rule.endpoint == "api.openapi":
            continue
        path = openapi_path(rule.rule.removeprefix(API_PREFIX))
        roles = getattr(app.view_functions[rule.endpoint], "required_roles", ())
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            responses = paths[path][method.lower()]["responses"]
            codes = ["401"]
            if roles or method != "GET":
                codes.append("403")
            if "{" in path:
                codes.append("404")
            if method != "GET":
                codes.append("409")
            for code in codes:
                responses.setdefault(code, refusals[code])


def _with_path_parameters(operations: dict) -> dict:
    """The path's parameters in each of its operations (a client reading one operation sees
    them all)."""
    shared = operations.pop("parameters", [])
    for operation in operations.values():
        names = {(p["in"], p["name"]) for p in operation.get("parameters", [])}
        extra = [p for p in shared if (p["in"], p["name"]) not in names]
        if extra:
            operation["parameters"] = extra + operation.get("parameters", [])
    return operations
