"""JSON API v1: bearer-token auth, JSON errors, and the domain routes nested under /api/v1."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request
from flask_login import current_user
from werkzeug.exceptions import Unauthorized

from hrfund.extensions import csrf, limiter

PUBLIC_ENDPOINTS = {"api.openapi"}


def authenticate():
    """Every API route needs a user; a cookie session also needs its CSRF token to write."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        raise Unauthorized()
    if g.get("api_token") is None and request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()
    return None


@limiter.exempt
def openapi_document():
    """The OpenAPI 3 description of this API, generated once per app from the routes' schemas."""
    from hrfund.api.openapi import build_spec

    document = current_app.extensions.get("hrfund.openapi")
    if document is None:
        document = current_app.extensions["hrfund.openapi"] = build_spec(current_app)
    return jsonify(document)


def create_api_blueprint(domain_blueprints) -> Blueprint:
    """A new /api/v1 blueprint (one per app) with each domain's API routes nested in it."""
    api_bp = Blueprint("api", __name__, url_prefix="/api/v1")
    csrf.exempt(api_bp)
    api_bp.before_request(authenticate)
    api_bp.add_url_rule("/openapi.json", "openapi", openapi_document)
    for nested in domain_blueprints:
        csrf.exempt(nested)  # Flask-WTF looks at the innermost blueprint of a request
        api_bp.register_blueprint(nested)
    return api_bp
