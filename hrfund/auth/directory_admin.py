"""The administrator's page of directory sign-in: the settings in force, and the switch for
local passwords of directory users; auditors read it (no form, a POST is refused)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrfund.auth import directory, directory_login
from hrfund.auth.forms import DirectorySettingsForm
from hrfund.auth.models import AuthSource, Role, User
from hrfund.core.permissions import refuse, roles_required
from hrfund.extensions import db

bp = Blueprint("directory_admin", __name__, url_prefix="/admin/directory")


@bp.route("", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.AUDITOR)
def settings():
    """The settings and the switch for an administrator; read only for an auditor."""
    can_edit = current_user.has_role(Role.ADMIN)
    if not can_edit and request.method != "GET":
        refuse("only administrators change the directory settings")
    form = DirectorySettingsForm()
    if can_edit and form.validate_on_submit():
        directory_login.set_local_passwords_allowed(current_user, form.local_passwords.data)
        flash(_("The directory settings are saved."), "success")
        return redirect(url_for("directory_admin.settings"))
    form.local_passwords.data = directory_login.local_passwords_allowed()
    directory_users = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(User)
        .where(User.auth_source == AuthSource.DIRECTORY.value)
    )
    return render_template(
        "admin/directory.html",
        form=form,
        configured=directory.is_configured(),
        settings=directory.describe_settings(),
        directory_users=directory_users,
        can_edit=can_edit,
    )
