"""The in-app notifications (/notifications), the navigation's unread badge, and which kinds of
notice arrive by e-mail (/notifications/settings)."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from hrfund.core.pagination import paginate, parse_page_args
from hrfund.core.permissions import login_required
from hrfund.reminders import notice_prefs, notices
from hrfund.reminders import notifications as inbox
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


def unread_notifications() -> int:
    """The navigation's badge (a template global): the signed-in user's unread notifications.

    Counted once per request, when the page renders (after whatever the request changed): the
    dashboard's own figure shows the same number without a second statement."""
    if not current_user.is_authenticated:
        return 0
    if "unread_notifications" not in g:
        g.unread_notifications = inbox.unread_count(current_user)
    return g.unread_notifications


@bp.route("/notifications")
@login_required
def notifications():
    unread = request.args.get("unread") == "1"
    page = paginate(
        inbox.notifications_of(current_user, unread=unread),
        *parse_page_args(request.args, current_app.config["PAGE_SIZE"], 200),
    )
    return render_template("reminders/notifications.html", page=page, unread=unread)


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def read_notification(notification_id: int):
    notification = inbox.get_notification_or_404(notification_id, current_user)
    inbox.mark_read(current_user, notification)
    if request.form.get("open") and notification.link:
        return redirect(notification.link)
    return redirect(url_for("reminders.notifications"))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def read_all_notifications():
    inbox.mark_all_read(current_user)
    flash(_("All notifications marked as read."), "success")
    return redirect(url_for("reminders.notifications"))
