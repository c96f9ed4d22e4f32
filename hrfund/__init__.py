"""hrfund: the Tokyo Human Resources Fund for City Diplomacy."""

from __future__ import annotations

import logging
import os
from importlib.resources import files

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from hrfund.config import SMTP_WAITS_PER_SEND, check_timeouts, get_config

log = logging.getLogger(__name__)


def create_app(config_name: str | None = None, test_config: dict | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, commands, error handlers."""
    settings = get_config(config_name)
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=settings.instance_path(),
        template_folder=package_folder("hrfund.templates"),
    )
    load_config(app, settings, test_config)
    trust_proxies(app)
    configure_logging(app)
    register_extensions(app)
    register_request_hooks(app)
    register_blueprints(app)
    register_template_globals(app)
    register_commands(app)
    register_errorhandlers(app)
    return app


def package_folder(package: str) -> str:
    """The folder of hrfund.templates or hrfund.migrations: in a wheel, inside the installed
    package; in a checkout (editable install), the top-level folder that setup.py maps to it."""
    return str(files(package))


def load_config(app: Flask, settings, test_config: dict | None) -> None:
    app.config.from_object(settings)
    app.config.update(settings.from_environment())
    if test_config:
        app.config.update(test_config)
    check_timeouts(app.config)
    # not a setting: what the reminder sender bounds one send by (hrfund/reminders/sending.py)
    app.config["SMTP_WAITS_PER_SEND"] = SMTP_WAITS_PER_SEND
    try:
        os.makedirs(app.instance_path, exist_ok=True)
    except OSError as error:
        raise RuntimeError(
            f"cannot create the instance folder {app.instance_path} ({error.strerror}); "
            "set HRFUND_INSTANCE_PATH to a folder the app may write to"
        ) from None
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        path = os.path.join(app.instance_path, "hrfund.sqlite")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    if settings.ENV_NAME == "production":
        missing = [name for name in ("SECRET_KEY",) if not app.config.get(name)]
        if missing:
            raise RuntimeError(f"production needs {', '.join(missing)} in the environment")
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            log.warning("production is running on SQLite; set DATABASE_URL to PostgreSQL")


def trust_proxies(app: Flask) -> None:
    """Behind N reverse proxies, the client's address, scheme and host are the forwarded ones."""
    hops = app.config["PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )


def configure_logging(app: Flask) -> None:
    from hrfund.core.logging import configure_logging as configure

    configure(app)  # text, or JSON lines with HRFUND_LOG_FORMAT=json


def register_extensions(app: Flask) -> None:
    from hrfund.core.db import configure_engine
    from hrfund.core.i18n import init_i18n
    from hrfund.extensions import bootstrap, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine, app.config.get("DB_PING_IDLE_SECONDS"))
    migrate.init_app(app, db, directory=package_folder("hrfund.migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    bootstrap.init_app(app)
    init_i18n(app)

    from hrfund.auth.login import init_login

    init_login(app, login_manager)


def register_request_hooks(app: Flask) -> None:
    from hrfund.core.http import init_request_hooks

    init_request_hooks(app)


#: Domain modules; each has blueprint.py (``bp``, its pages in views/) and may have api.py (``bp``).
MODULES = (
    "core",
    "org",
    "auth",
    "fund",
    "placements",
    "training",
    "applications",
    "reminders",
    "reports",
)


def register_blueprints(app: Flask) -> None:
    from importlib import import_module
    from importlib.util import find_spec

    from hrfund.api import create_api_blueprint
    from hrfund.auth.blueprint import admin_bp
    from hrfund.auth.directory_admin import bp as directory_admin_bp
    from hrfund.core.health import bp as health_bp

    api_blueprints = []
    for name in MODULES:
        if find_spec(f"hrfund.{name}.blueprint"):
            import_module(f"hrfund.{name}.views")  # the views package attaches its routes to bp
            app.register_blueprint(import_module(f"hrfund.{name}.blueprint").bp)
        if find_spec(f"hrfund.{name}.api"):
            api_blueprints.append(import_module(f"hrfund.{name}.api").bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(directory_admin_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(create_api_blueprint(api_blueprints))


def register_template_globals(app: Flask) -> None:
    """Every template global and filter, in one place (hrfund/core/template_globals.py); the
    modules' own are handed in here, for core imports no module above it."""
    from hrfund.applications.delegations import can_see_delegations
    from hrfund.core.template_globals import init_template_globals
    from hrfund.fund.amounts import plain_decimal
    from hrfund.fund.memos import memo_text
    from hrfund.placements.milestones import can_acknowledge
    from hrfund.reminders.services import can_retry
    from hrfund.reminders.views.notifications import unread_notifications
    from hrfund.reports.figures import chart_figure, quantity
    from hrfund.reports.personal_data import can_export_personal_data
    from hrfund.training import access as training_access
    from hrfund.training.labels import TEMPLATE_GLOBALS as training_labels
    from hrfund.training.records import can_review
    from hrfund.training.services import can_cancel

    init_template_globals(
        app,
        module_globals={
            **training_labels,
            "unread_notifications": unread_notifications,
            "can_export_personal_data": can_export_personal_data,
            "chart_figure": chart_figure,
            "quantity": quantity,
            "memo_text": memo_text,
            "can_acknowledge": can_acknowledge,
            "can_retry": can_retry,
            "can_review": can_review,
            "can_cancel": can_cancel,
            "can_see_delegations": can_see_delegations,
            "can_see_own_history": training_access.can_see_own_history,
            "can_add_entries": training_access.can_add_entries,
            "can_enter_for_others": training_access.can_enter_for_others,
            "can_enter_verified": training_access.can_enter_verified,
        },
        module_filters={"plain_decimal": plain_decimal},
    )


def register_commands(app: Flask) -> None:
    from hrfund.auth.cli import users_cli
    from hrfund.core.ops.cli import backup_cli
    from hrfund.reminders.cli import reminders_cli, scheduler_cli
    from hrfund.reports.retention_cli import personal_data_cli, retention_cli
    from hrfund.seed import seed_demo_command
    from hrfund.seed_scale import seed_scale_command
    from hrfund.training.cli import training_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(seed_scale_command)
    app.cli.add_command(training_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(retention_cli)
    app.cli.add_command(personal_data_cli)
    app.cli.add_command(backup_cli)  # `db grant` joins Flask-Migrate's `db` group on import


def register_errorhandlers(app: Flask) -> None:
    from hrfund.core.http import init_error_handlers

    init_error_handlers(app)
