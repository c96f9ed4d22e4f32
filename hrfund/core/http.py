"""What every request shares: request id, one commit, security headers, error answers."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from flask import Flask, Response, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.exc import DataError, IntegrityError
from werkzeug.exceptions import HTTPException

from hrfund.core.errors import DomainError
from hrfund.extensions import db

log = logging.getLogger(__name__)
#: A well-formed request id: 8 to 64 letters, digits, dots, dashes or underscores starting
#: with a letter or digit (a UUID, a proxy's hex id); fullmatch, so no trailing newline.
REQUEST_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,63}")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(
    status: int, code: str, message: str, fields: dict[str, list[str]] | None = None
) -> Response:
    body: dict[str, dict[str, Any]] = {
        "error": {"status": status, "code": code, "message": message}
    }
    if fields:
        body["error"]["fields"] = fields
    response = jsonify(body)
    response.status_code = status
    return response


def request_id_from(incoming: str | None) -> str:
    """The client's X-Request-ID when it is a well-formed id (so that its logs and ours can be
    joined), else a new one: the audit log never stores what a client made up freely."""
    incoming = incoming or ""
    return incoming if REQUEST_ID_RE.fullmatch(incoming) else uuid.uuid4().hex


def init_request_hooks(app: Flask) -> None:
    from hrfund.core.inputs import init_input_bounds

    @app.before_request
    def assign_request_id() -> None:
        g.request_id = request_id_from(request.headers.get("X-Request-ID"))

    init_input_bounds(app)

    @app.after_request
    def commit_or_rollback(response: Response) -> ResponseReturnValue:
        # The one commit of a request: anything but an error answer keeps what services did.
        if response.status_code >= 400:
            db.session.rollback()
            return response
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            log.warning("conflict on commit for %s %s", request.method, request.path)
            return _error_response(
                409, "conflict", _("This conflicts with a change made at the same time.")
            )
        return response

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("HSTS"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.path.startswith(("/api/",)) or response.mimetype == "text/html":
            headers.setdefault("Cache-Control", "no-store")
        headers["X-Request-ID"] = g.get("request_id", "")
        return response


def _error_response(
    status: int, code: str, message: str, fields: dict[str, list[str]] | None = None
) -> ResponseReturnValue:
    if wants_json():
        return json_error(status, code, message, fields)
    return render_template("errors/error.html", status=status, message=message), status


def init_error_handlers(app: Flask) -> None:
    codes = {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "too_large",
        429: "rate_limited",
        500: "server_error",
    }

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> ResponseReturnValue:
        db.session.rollback()
        return _error_response(error.status, error.code, error.message, error.fields)

    @app.errorhandler(DataError)
    def data_error(error: DataError) -> ResponseReturnValue:
        # The last guard: a value the database cannot hold (NUL in text, a number beyond its
        # column) that no check before it caught is the client's input, refused and not stored.
        db.session.rollback()
        log.warning("database refused a value on %s %s: %s", request.method, request.path, error)
        return _error_response(
            400, "validation_failed", _("A value is out of range or cannot be stored.")
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        status = error.code or 500
        messages = {
            400: _("The request was not understood."),
            401: _("Log in to continue."),
            403: _("You do not have permission to do this."),
            404: _("Not found."),
            405: _("This method is not allowed here."),
            413: _("The upload is too large."),
            429: _("Too many requests. Wait a moment and try again."),
        }
        message = messages.get(status, error.description or error.name)
        if status == 400 and "CSRF" in (error.description or ""):
            message = _("The form has expired. Reload the page and try again.")
        return _error_response(status, codes.get(status, "error"), message)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> ResponseReturnValue:
        db.session.rollback()
        log.exception(
            "unhandled error on %s %s (request %s)",
            request.method,
            request.path,
            g.get("request_id"),
        )
        if app.testing:
            raise error
        return _error_response(
            500,
            "server_error",
            _("Something went wrong on our side. Reference: %(id)s", id=g.get("request_id", "")),
        )
