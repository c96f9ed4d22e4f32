"""API routes of a user's own in-app notifications."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from hrfund.core.apiutil import iso_instant, json_body, page_response
from hrfund.core.errors import ValidationFailed
from hrfund.core.i18n import current_language
from hrfund.core.permissions import login_required
from hrfund.reminders import notice_prefs, notifications
from hrfund.reminders.models import Notification

bp = Blueprint("reminders_api", __name__)


def notification_json(notification: Notification) -> dict:
    title, body = notification.text(current_language())
    return {
        "id": notification.id,
        "title": title,
        "body": body,
        "link": notification.link,
        "created_at": iso_instant(notification.created_at),
        "read_at": iso_instant(notification.read_at),
        "read": notification.read_at is not None,
    }


@bp.route("/notifications")
@login_required
def list_notifications():
    """The caller's in-app notifications, newest first, with the unread count.
    ---
    get:
      summary: List my notifications
      tags: [notifications]
      parameters:
        - name: unread
          in: query
          description: 1 for unread notifications only
          schema: {type: string, enum: ["0", "1"]}
        - {name: page, in: query, schema: {type: integer, minimum: 1}}
        - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 200}}
      responses:
        200:
          description: "{items: [{id, title, body, link, created_at, read_at, read}], page,
            per_page, total, unread}"
        401: {description: Not logged in}
    """
    unread = request.args.get("unread") in ("1", "true")
    response = page_response(
        notifications.notifications_of(current_user, unread=unread), notification_json
    )
    body = response.get_json()
    body["unread"] = notifications.unread_count(current_user)
    return jsonify(body)


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def read_notification(notification_id: int):
    """Mark one of the caller's notifications read (again: no change).
    ---
    post:
      summary: Mark a notification read
      tags: [notifications]
      responses:
        200: {description: The notification}
        401: {description: Not logged in}
        404: {description: No such notification of the caller}
    """
    notification = notifications.get_notification_or_404(notification_id, current_user)
    notifications.mark_read(current_user, notification)
    return jsonify(notification_json(notification))


@bp.route("/notifications/settings", methods=["GET", "PUT"])
@login_required
def notice_settings():
    """Which kinds of notice reach the caller by e-mail (in the app they always arrive).
    ---
    get:
      summary: My notice e-mail settings
      tags: [notifications]
      responses:
        200: {description: "{email: {kind: true|false}} for the kinds the caller can receive"}
        401: {description: Not logged in}
    put:
      summary: Choose the kinds of notice sent by e-mail
      tags: [notifications]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [email]
              properties:
                email: {type: object, additionalProperties: {type: boolean}}
      responses:
        200: {description: "{email: {kind: true|false}}"}
        400: {description: Not an object of booleans, or an unknown kind}
        401: {description: Not logged in}
    """
    if request.method == "PUT":
        wanted = json_body().get("email")
        if not isinstance(wanted, dict) or not all(isinstance(v, bool) for v in wanted.values()):
            message = str(_l("Give each kind of notice true or false."))
            raise ValidationFailed(message, fields={"email": [message]})
        current = notice_prefs.email_preferences(current_user)
        chosen = {kind for kind, on in (current | wanted).items() if on}
        unknown = set(wanted) - set(current)
        notice_prefs.set_email_preferences(current_user, chosen | unknown)
    return jsonify({"email": notice_prefs.email_preferences(current_user)})
