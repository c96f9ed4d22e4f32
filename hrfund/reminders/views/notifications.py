"""Page: which kinds of notice arrive by e-mail (linked from the profile and notifications)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrfund.core.permissions import login_required
from hrfund.reminders import notice_prefs, notices
from hrfund.reminders.blueprint import bp
from hrfund.reminders.notice_kinds import KINDS

# Reminders subscribes to the workflow signals once, when the app registers this blueprint.
bp.record_once(lambda state: notices.init_app(state.app))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def notice_settings():
    if request.method == "POST":
        notice_prefs.set_email_preferences(current_user, request.form.getlist("email"))
        flash(_("Your notice settings were saved."), "success")
        return redirect(url_for("reminders.notice_settings"))
    preferences = notice_prefs.email_preferences(current_user)
    labels = {kind: label for kind, (label, _title, _line) in KINDS.items()}
    return render_template("reminders/notice_settings.html", preferences=preferences, labels=labels)
