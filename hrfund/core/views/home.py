"""The home page (each role's dashboard) and the favicon."""

from __future__ import annotations

from typing import cast

from flask import current_app, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from hrfund.core.blueprint import bp
from hrfund.core.permissions import login_required


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    """Home: the dashboard of the user's roles, when the reports module is installed (called by
    name: core does not import the modules above it)."""
    dashboard = current_app.view_functions.get("reports.dashboard")
    if dashboard is not None:
        return cast("ResponseReturnValue", dashboard())  # a view function, looked up by name
    return render_template("core/index.html", user=current_user)


@bp.route("/favicon.ico")
def favicon() -> ResponseReturnValue:
    """Browsers ask for /favicon.ico whatever the page links: answer with the app's icon."""
    return current_app.send_static_file("img/favicon.svg")
