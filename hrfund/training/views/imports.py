"""Pages of the bulk import: upload, check with a progress bar, preview errors, import."""

from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrfund.core.errors import ValidationFailed
from hrfund.core.forms import show_errors
from hrfund.core.pagination import paginate, parse_page_args
from hrfund.core.permissions import may_open, roles_required
from hrfund.training import imports
from hrfund.training.blueprint import bp
from hrfund.training.forms import ActionForm, ImportForm
from hrfund.training.labels import IMPORT_STATUS_LABELS


@bp.route("/training/imports")
@roles_required("hr", "auditor")
def import_list():
    page, per_page = parse_page_args(request.args, current_app.config["PAGE_SIZE"], 200)
    return render_template(
        "training/imports.html",
        page=paginate(imports.batches_query(), page, per_page),
        import_status_labels=IMPORT_STATUS_LABELS,
        can_edit=may_open("training.new_import"),
    )


@bp.route("/training/imports/new", methods=["GET", "POST"])
@roles_required("hr")
def new_import():
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            batch = imports.create_batch(
                current_user,
                upload.stream if upload else None,
                getattr(upload, "filename", "") or "",
                max_bytes=current_app.config["IMPORT_MAX_BYTES"],
            )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            return redirect(url_for("training.import_detail", batch_id=batch.id))
    status = 422 if form.is_submitted() else 200
    return render_template("training/import_form.html", form=form, columns=imports.COLUMNS), status


@bp.route("/training/imports/<int:batch_id>")
@roles_required("hr", "auditor")
def import_detail(batch_id: int):
    batch = imports.get_batch_or_404(batch_id)
    page, per_page = parse_page_args(request.args, 50, 200)
    errors = paginate(imports.error_rows_query(batch), page, per_page)
    return render_template(
        "training/import.html",
        batch=batch,
        errors=errors,
        action=ActionForm(),
        progress=imports.progress(batch),
        import_status_labels=IMPORT_STATUS_LABELS,
        can_edit=may_open("training.import_step"),
        can_import=imports.can_import(current_user, batch),
    )


@bp.route("/training/imports/<int:batch_id>/step", methods=["POST"])
@roles_required("hr")
def import_step(batch_id: int):
    """Check the next rows; the progress bar's script calls this until ``done``."""
    batch = imports.get_batch_or_404(batch_id, lock=True)
    imports.advance_batch(current_user, batch)
    if request.accept_mimetypes.best == "application/json" or request.is_json:
        return jsonify(imports.progress(batch))
    return redirect(url_for("training.import_detail", batch_id=batch.id))  # without JavaScript


@bp.route("/training/imports/<int:batch_id>/import", methods=["POST"])
@roles_required("hr")
def import_commit(batch_id: int):
    batch = imports.get_batch_or_404(batch_id)
    if ActionForm().validate_on_submit():
        imports.import_batch(current_user, batch)
        flash(
            _(
                "%(created)d training records imported; %(skipped)d were already recorded.",
                created=batch.created_rows,
                skipped=batch.processed_rows - batch.created_rows,
            ),
            "success",
        )
    return redirect(url_for("training.import_detail", batch_id=batch.id))
