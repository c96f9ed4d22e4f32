"""Logging: plain text (the default), or JSON lines with ``HRFUND_LOG_FORMAT=json``.

In JSON mode every record is one line ``{"time", "level", "logger", "message", ...}``; a record
logged while a request is served also carries its ``request_id``, ``user_id``, ``method`` and
``path``, and the app writes one access line per request (logger ``hrfund.access``) with the
``status`` and ``duration_ms`` too. gunicorn's own access log is then off (deploy/gunicorn.conf.py):
it cannot know the user. Standard library only.
"""

from __future__ import annotations

import json
import logging
import os
import time
from contextvars import ContextVar
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
ACCESS_LOGGER = "hrfund.access"
#: Attributes of a record that become fields of its JSON line, in this order.
CONTEXT_FIELDS = ("request_id", "user_id", "method", "path", "status", "duration_ms")

access_log = logging.getLogger(ACCESS_LOGGER)


#: True while an API route runs on a refused body's readable fields (core.apiblueprint's trial,
#: always rolled back): what it says below WARNING ("fund contribution #12 …") never happened.
in_trial: ContextVar[bool] = ContextVar("hrfund_in_trial", default=False)


class TrialFilter(logging.Filter):
    """Drops the records below WARNING of a trial that is rolled back (see ``in_trial``); per
    request (a context variable), so that other threads' records are kept."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or not in_trial.get()


def _user_id() -> int | None:
    # Flask-Login keeps the loaded user in g; reading it here never loads one (no query).
    return getattr(g.get("_login_user"), "id", None)


class RequestContextFilter(logging.Filter):
    """Adds the current request's id, user, method and path to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            for name, value in (
                ("request_id", g.get("request_id")),
                ("user_id", _user_id()),
                ("method", request.method),
                ("path", request.path),
            ):
                if not hasattr(record, name):
                    setattr(record, name, value)
        return True


class JSONFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, context."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def log_format(app: Flask) -> str:
    """``LOG_FORMAT`` of the settings, else ``HRFUND_LOG_FORMAT``, else text; loud if unknown."""
    value = (app.config.get("LOG_FORMAT") or os.environ.get("HRFUND_LOG_FORMAT") or "text").lower()
    if value not in FORMATS:
        raise RuntimeError(f"HRFUND_LOG_FORMAT must be one of {', '.join(FORMATS)}, not {value!r}")
    return value


def configure_logging(app: Flask) -> None:
    """Set up the root logger's output in the chosen format (once per process)."""
    root = logging.getLogger()
    if log_format(app) == "text":
        if not root.handlers:
            logging.basicConfig(level=logging.INFO, format=TEXT_FORMAT)
        _add_filter(root, TrialFilter)
        return
    # the plain stream handlers (basicConfig's, or one of ours), never a test harness's handler
    handlers = _stream_handlers(root)
    if not handlers:
        handlers = [logging.StreamHandler()]
        root.addHandler(handlers[0])
    for handler in handlers:
        handler.setFormatter(JSONFormatter())
    _add_filter(root, RequestContextFilter)
    _add_filter(root, TrialFilter)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    _log_requests(app)


def _stream_handlers(root: logging.Logger) -> list[logging.Handler]:
    return [h for h in root.handlers if type(h) is logging.StreamHandler]


def _add_filter(root: logging.Logger, kind: type[logging.Filter]) -> None:
    for handler in _stream_handlers(root):
        if not any(isinstance(f, kind) for f in handler.filters):
            handler.addFilter(kind())


def _log_requests(app: Flask) -> None:
    """One access line per request. Registered before the other hooks: its before_request runs
    first and its after_request last, so it sees the final status (a 409 from the commit too)."""

    @app.before_request
    def start_clock() -> None:
        g.log_started = time.perf_counter()

    @app.after_request
    def log_access(response: Response) -> Response:
        started = g.get("log_started")
        duration = None if started is None else round((time.perf_counter() - started) * 1000, 1)
        access_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={"status": response.status_code, "duration_ms": duration},
        )
        return response
