"""Liveness and readiness for load balancers: /healthz (the process answers) and /readyz
(this instance can serve: database, migrations, templates, compiled catalogs, Redis).

The answers name what failed but carry no internals (no URLs, hosts or paths): the endpoints are
public, and the full error goes to the log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, current_app, jsonify
from flask.blueprints import BlueprintSetupState
from flask.sansio.app import App
from flask.typing import ResponseReturnValue

from hrfund.extensions import db

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)

#: The messages are written in English: every other language needs its compiled catalog.
SOURCE_LANGUAGE = "en"
#: Templates without which no page renders.
REQUIRED_TEMPLATES = ("base.html", "errors/error.html")
REDIS_SCHEMES = ("redis", "rediss", "redis+sentinel", "redis+cluster")


class NotReady(Exception):
    """A readiness check failed; the message is safe to show to anyone."""


@bp.route("/healthz")
def healthz() -> ResponseReturnValue:
    """Alive: answers as long as the process does, whatever the database's state."""
    return jsonify(status="ok")


@bp.route("/readyz")
def readyz() -> ResponseReturnValue:
    checks: dict[str, dict[str, object]] = {}
    for name, check in CHECKS.items():
        try:
            checks[name] = {"ok": True, "detail": check(current_app) or "ok"}
        except NotReady as error:
            checks[name] = {"ok": False, "detail": str(error)}
        except Exception as error:  # any failure is an answer here, never a 500
            log.warning("readiness check %s failed: %r", name, error)
            checks[name] = {"ok": False, "detail": type(error).__name__}
    failed = [name for name, result in checks.items() if not result["ok"]]
    if failed:
        log.warning("not ready: %s", ", ".join(failed))
        return jsonify(ok=False, failed=failed, checks=checks), 503
    return jsonify(ok=True, checks=checks)


def check_database(app: Flask) -> None:
    try:
        db.session.execute(sa.text("SELECT 1"))
    finally:
        db.session.rollback()


def _script_heads(app: Flask) -> set[str]:
    """The heads of the migration scripts shipped with this release (read once per process)."""
    cache = app.extensions.setdefault("hrfund_health", {})
    if "heads" not in cache:
        config = app.extensions["migrate"].migrate.get_config()
        cache["heads"] = set(ScriptDirectory.from_config(config).get_heads())
    heads: set[str] = cache["heads"]
    return heads


def check_migrations(app: Flask) -> str:
    heads = _script_heads(app)
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    if current != heads:
        raise NotReady(
            f"database at {', '.join(sorted(current)) or 'no revision'}, "
            f"release needs {', '.join(sorted(heads))}: run `flask db upgrade`"
        )
    return ", ".join(sorted(heads))


def check_templates(app: Flask) -> None:
    folder = Path(app.root_path, app.template_folder or "templates")
    missing = [name for name in REQUIRED_TEMPLATES if not (folder / name).is_file()]
    if missing:
        raise NotReady(f"templates missing: {', '.join(missing)}")


def missing_catalogs(app: App) -> list[str]:
    """Compiled catalogs (.mo) that a translation directory lacks, relative to the package."""
    languages = [lang for lang in app.config["LANGUAGES"] if lang != SOURCE_LANGUAGE]
    domain = app.extensions["babel"].default_domain
    missing = []
    for directory in app.extensions["babel"].translation_directories:
        for lang in languages:
            mo = Path(directory, lang, "LC_MESSAGES", f"{domain}.mo")
            if not mo.is_file():
                try:
                    missing.append(str(mo.relative_to(app.root_path)))
                except ValueError:
                    missing.append(f"{Path(directory).name}/{lang}")
    return missing


def check_catalogs(app: Flask) -> None:
    missing = missing_catalogs(app)
    if missing:
        raise NotReady(f"compiled catalogs missing: {', '.join(missing)}")


def check_redis(app: Flask) -> str:
    uri = app.config.get("RATELIMIT_STORAGE_URI") or ""
    if uri.split("://", 1)[0] not in REDIS_SCHEMES:
        return "not configured"
    cache = app.extensions.setdefault("hrfund_health", {})
    if "redis" not in cache:
        from limits.storage import storage_from_string

        options = {"socket_connect_timeout": 2, "socket_timeout": 2}
        options.update(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {})
        cache["redis"] = storage_from_string(uri, **options)
    if not cache["redis"].check():
        raise NotReady("Redis did not answer")
    return "ok"


CHECKS: dict[str, Callable[[Flask], str | None]] = {
    "database": check_database,
    "migrations": check_migrations,
    "templates": check_templates,
    "catalogs": check_catalogs,
    "redis": check_redis,
}


@bp.record_once
def _warn_without_catalogs(state: BlueprintSetupState) -> None:
    # Without its .mo, a language silently shows English: say so at start-up, not only in /readyz.
    missing = missing_catalogs(state.app)
    if missing:
        log.warning(
            "compiled message catalogs missing (pages fall back to English): %s; "
            "run `make translations` or reinstall",
            ", ".join(missing),
        )
