"""The talent pool page and its exports (HR; auditors read them)."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_babel import gettext as _

from hrfund.core.errors import ValidationFailed
from hrfund.core.exports import export_response
from hrfund.core.i18n import current_language
from hrfund.core.pagination import parse_page_args
from hrfund.core.permissions import roles_required
from hrfund.training import talent, talent_display, talent_exports
from hrfund.training.blueprint import bp

#: The query arguments that make a search (without any, the page shows the form alone).
SEARCH_ARGS = (
    "language_test",
    "min_score",
    "program_id",
    "category",
    "min_hours",
    "department",
    "q",
    "has_exchange",
)


@bp.route("/talent")
@roles_required("hr", "auditor")
def talent_pool():
    errors: dict = {}
    try:
        query = talent.parse_talent_args(request.args)
    except ValidationFailed as error:
        errors, query = error.fields, talent.TalentQuery()
    searched = any(request.args.get(k) for k in SEARCH_ARGS)
    page = None
    if searched and not errors:
        page_no, per_page = parse_page_args(request.args, current_app.config["PAGE_SIZE"], 200)
        page = talent.talent_page(query, page_no, per_page)
        page.items = talent_display.page_lines(talent.attach_searched(page.items, query))
    status = 422 if errors else 200
    return render_template(
        "training/talent.html",
        page=page,
        query=query,
        errors=errors,
        args=request.args,
        programs=talent.program_options(current_language()),
    ), status


@bp.route("/talent/export.<any(csv, xlsx):fmt>")
@roles_required("hr", "auditor")
def talent_export(fmt: str):
    query = talent.parse_talent_args(request.args)
    rows = talent_exports.export_rows(query, current_language())
    return export_response(
        fmt, "talent-pool", _("Talent pool"), talent_exports.export_header(), rows
    )
