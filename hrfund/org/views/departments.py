"""Pages of the TMG departments: the list, and the admin's editor."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrfund.core.errors import ValidationFailed
from hrfund.core.forms import show_errors
from hrfund.core.i18n import localized_name
from hrfund.core.pagination import paginate, parse_page_args
from hrfund.core.permissions import login_required, roles_required
from hrfund.extensions import db
from hrfund.org import services
from hrfund.org.blueprint import bp
from hrfund.org.forms import (
    DepartmentForm,
)
from hrfund.org.models import Department
from hrfund.org.services import DEPARTMENT_EDITORS


@bp.route("/departments")
@login_required
def departments():
    page, per_page = parse_page_args(request.args, current_app.config["PAGE_SIZE"], 200)
    q = (request.args.get("q") or "").strip()
    stmt = services.departments_query(q)
    result = paginate(stmt, page, per_page)
    return render_template(
        "org/departments.html",
        page=result,
        q=q,
        can_edit=current_user.has_role(*DEPARTMENT_EDITORS),
    )


def _department_form(department: Department | None = None) -> DepartmentForm:
    form = (
        DepartmentForm(obj=department)
        if department and request.method == "GET"
        else DepartmentForm()
    )
    others = db.session.scalars(sa.select(Department).order_by(Department.code)).all()
    form.parent.choices = [("", "—")] + [
        (d.code, f"{d.code} {localized_name(d)}")
        for d in others
        if department is None or d.id != department.id
    ]
    if department is not None and request.method == "GET":
        form.parent.data = department.parent.code if department.parent else ""
        form.level.data = department.level.value
    return form


def _department_values(form: DepartmentForm) -> dict:
    parent = services.get_department_by_code(form.parent.data) if form.parent.data else None
    return {
        "code": form.code.data,
        "name_ja": form.name_ja.data,
        "name_en": form.name_en.data,
        "level": form.level.data,
        "parent": parent,
    }


@bp.route("/departments/new", methods=["GET", "POST"])
@roles_required(*DEPARTMENT_EDITORS)
def new_department():
    form = _department_form()
    if form.validate_on_submit():
        try:
            services.create_department(current_user, **_department_values(form))
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The department is added."), "success")
            return redirect(url_for("org.departments"))
    status = 422 if form.is_submitted() else 200
    return render_template("org/department_form.html", form=form, department=None), status


@bp.route("/departments/<code>/edit", methods=["GET", "POST"])
@roles_required(*DEPARTMENT_EDITORS)
def edit_department(code: str):
    department = services.get_department_by_code(code)
    form = _department_form(department)
    if form.validate_on_submit():
        try:
            services.update_department(current_user, department, **_department_values(form))
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The department is saved."), "success")
            return redirect(url_for("org.departments"))
    status = 422 if form.is_submitted() else 200
    return render_template("org/department_form.html", form=form, department=department), status
