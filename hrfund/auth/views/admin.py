"""Administrator pages: accounts, roles, bindings, deactivation and password resets.

Auditors read the user list and each account (without its forms); every change stays the
administrator's."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrfund.auth import services
from hrfund.auth.blueprint import admin_bp as bp
from hrfund.auth.forms import ConfirmForm, ResetPasswordForm, UserForm
from hrfund.auth.models import Role, User
from hrfund.core.errors import Conflict, NotFound, ValidationFailed
from hrfund.core.forms import show_errors
from hrfund.core.i18n import localized_name
from hrfund.core.pagination import paginate, parse_page_args
from hrfund.core.permissions import may_open, refuse, roles_required
from hrfund.extensions import db
from hrfund.org.models import Department, PartnerCity


def get_user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    return user


def _user_form(user: User | None = None) -> UserForm:
    form = UserForm(obj=user) if user is not None and request.method == "GET" else UserForm()
    departments = db.session.scalars(sa.select(Department).order_by(Department.code)).all()
    cities = db.session.scalars(sa.select(PartnerCity).order_by(PartnerCity.code)).all()
    form.department.choices = [("", "—")] + [
        (d.code, f"{d.code} {localized_name(d)}") for d in departments
    ]
    form.manages.choices = [(d.code, f"{d.code} {localized_name(d)}") for d in departments]
    form.city.choices = [("", "—")] + [(c.code, f"{c.code} {localized_name(c)}") for c in cities]
    if user is not None and request.method == "GET":
        form.department.data = user.department.code if user.department else ""
        form.city.data = user.city.code if user.city else ""
        form.manages.data = [d.code for d in user.managed_departments]
        form.roles.data = [r.value for r in user.roles]
    return form


def _bindings(form: UserForm) -> dict:
    by_code = {d.code: d for d in db.session.scalars(sa.select(Department)).all()}
    city = (
        db.session.scalar(sa.select(PartnerCity).where(PartnerCity.code == form.city.data))
        if form.city.data
        else None
    )
    return {
        "roles": form.roles.data or [],
        "city": city,
        "department": by_code.get(form.department.data) if form.department.data else None,
        "manages": [by_code[c] for c in (form.manages.data or []) if c in by_code],
    }


def _profile(form: UserForm) -> dict:
    """The account's profile as the service takes it (its PROFILE_FIELDS), from the form."""
    values = {name: getattr(form, name).data for name in services.PROFILE_FIELDS}
    for name in services.PROFILE_FIELDS:
        if name != "joined_on":
            values[name] = (values[name] or "").strip()
    values["employee_number"] = values["employee_number"] or None
    return values


#: who reads the accounts; only administrators change them
READERS = (Role.ADMIN, Role.AUDITOR)


@bp.route("/users")
@roles_required(*READERS)
def users():
    page, per_page = parse_page_args(request.args, current_app.config["PAGE_SIZE"], 200)
    q = (request.args.get("q") or "").strip()
    locked_only = request.args.get("locked") == "1"
    stmt = services.visible_users(current_user)
    if locked_only:
        stmt = services.locked_users_filter(stmt)
    if q:
        stmt = stmt.where(services.user_search(q))
    result = paginate(
        stmt.options(sa.orm.joinedload(User.department), sa.orm.joinedload(User.city)),
        page,
        per_page,
    )
    return render_template(
        "admin/users.html",
        page=result,
        q=q,
        locked_only=locked_only,
        locked_count=services.count_locked_users(),
        can_edit=may_open("admin.new_user"),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_user():
    form = _user_form()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                current_user,
                email=form.email.data,
                password=form.password.data or None,
                **_bindings(form),
                **_profile(form),
            )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The account %(email)s is created.", email=user.email), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
        return render_template("admin/user_form.html", form=form, user=None), 422
    status = 422 if form.is_submitted() else 200
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(*READERS)
def edit_user(user_id: int):
    """The account's form for an administrator; a read-only page for an auditor."""
    if not current_user.has_role(Role.ADMIN):
        if request.method != "GET":
            refuse("only administrators change accounts")
        return render_template("admin/user_detail.html", user=get_user_or_404(user_id))
    user = get_user_or_404(user_id)
    form = _user_form(user)
    if form.validate_on_submit():
        try:
            services.update_user(current_user, user, **_bindings(form), **_profile(form))
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The account is saved."), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "admin/user_form.html",
        form=form,
        user=user,
        reset_form=ResetPasswordForm(),
        confirm_form=ConfirmForm(),
    ), status


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def deactivate_user(user_id: int):
    """Asks for confirmation on GET; deactivates on POST."""
    user = get_user_or_404(user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.set_active(current_user, user, False)
        flash(
            _("The account %(email)s is deactivated; its sessions have ended.", email=user.email),
            "success",
        )
        return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/confirm_deactivate.html", user=user, form=form)


@bp.route("/users/<int:user_id>/activate", methods=["POST"])
@roles_required(Role.ADMIN)
def activate_user(user_id: int):
    user = get_user_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        services.set_active(current_user, user, True)
        flash(_("The account %(email)s is active again.", email=user.email), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@roles_required(Role.ADMIN)
def reset_password(user_id: int):
    user = get_user_or_404(user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(current_user, user, form.new_password.data)
        except ValidationFailed as error:
            flash(" ".join([error.message, *error.fields.get("new_password", [])]), "danger")
            return redirect(url_for("admin.edit_user", user_id=user.id))
        flash(_("The password is set; the user's sessions have ended."), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@roles_required(Role.ADMIN)
def unlock_user(user_id: int):
    """Lift a login lockout and forget the failed attempts."""
    user = get_user_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.unlock_user(current_user, user)
        except Conflict as error:
            flash(error.message, "warning")
        else:
            flash(_("The account %(email)s is unlocked.", email=user.email), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))
