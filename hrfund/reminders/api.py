"""API routes of a user's own in-app notifications."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from hrfund.core.apiblueprint import ApiBlueprint
from hrfund.core.apiutil import paged
from hrfund.core.permissions import login_required
from hrfund.reminders import notice_prefs, notifications
from hrfund.reminders.schemas import (
    NoticeSettingsIn,
    NoticeSettingsSchema,
    NotificationPageSchema,
    NotificationQuery,
    NotificationSchema,
)

bp = ApiBlueprint("reminders_api", __name__, description="The caller's in-app notifications")


@bp.route("/notifications")
@login_required
@bp.arguments(NotificationQuery, location="query")
@bp.response(200, NotificationPageSchema)
def list_notifications(args):
    """My notifications, newest first, with the unread count"""
    unread = args.get("unread") in ("1", "true")
    page = paged(notifications.notifications_of(current_user, unread=unread))
    return page | {"unread": notifications.unread_count(current_user)}


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
@bp.response(200, NotificationSchema)
def read_notification(notification_id: int):
    """Mark one of my notifications read (again: no change; 404: not mine)"""
    notification = notifications.get_notification_or_404(notification_id, current_user)
    notifications.mark_read(current_user, notification)
    return notification


@bp.route("/notifications/settings", endpoint="notice_settings")
class NoticeSettings(MethodView):
    """Which kinds of notice reach the caller by e-mail (in the app they always arrive)."""

    decorators = [login_required]

    @bp.response(200, NoticeSettingsSchema)
    def get(self):
        """My notice e-mail settings"""
        return {"email": notice_prefs.email_preferences(current_user)}

    @bp.arguments(NoticeSettingsIn)
    @bp.response(200, NoticeSettingsSchema)
    def put(self, values):
        """Choose the kinds of notice sent by e-mail (400: an unknown kind)"""
        wanted = values["email"]
        current = notice_prefs.email_preferences(current_user)
        chosen = {kind for kind, on in (current | wanted).items() if on}
        unknown = set(wanted) - set(current)
        notice_prefs.set_email_preferences(current_user, chosen | unknown)
        return {"email": notice_prefs.email_preferences(current_user)}
