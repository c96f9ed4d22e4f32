"""The user's iCalendar feeds: the page, making and revoking a feed, and the feed itself."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from hrfund.core.inputs import parse_id
from hrfund.core.permissions import login_required
from hrfund.extensions import db
from hrfund.org.models import PartnerCity
from hrfund.reminders import calendar
from hrfund.reminders.blueprint import bp


@bp.route("/calendar")
@login_required
def calendar_feeds():
    cities: Sequence[PartnerCity] = []
    if current_user.has_role("hr"):
        cities = db.session.scalars(
            sa.select(PartnerCity).where(PartnerCity.active.is_(True)).order_by(PartnerCity.code)
        ).all()
    return render_template(
        "reminders/calendar.html", tokens=calendar.tokens_of(current_user), cities=cities
    )


@bp.route("/calendar/feeds", methods=["POST"])
@login_required
def create_feed():
    city = None
    if request.form.get("city_id"):
        city_id = parse_id(request.form.get("city_id"))
        city = db.session.get(PartnerCity, city_id) if city_id else None
    _token, plain = calendar.create_calendar_token(current_user, city)
    url = url_for("reminders.feed", token=plain, _external=True)
    flash(_("Your private feed address (shown once; keep it secret): %(url)s", url=url), "success")
    return redirect(url_for("reminders.calendar_feeds"))


@bp.route("/calendar/feeds/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_feed(token_id: int):
    token = calendar.get_token_or_404(token_id, current_user)
    calendar.revoke_calendar_token(current_user, token)
    flash(_("The feed address no longer works."), "success")
    return redirect(url_for("reminders.calendar_feeds"))


@bp.route("/calendar/<token>.ics")
def feed(token: str):
    """Public by design: the token in the URL is the credential (calendar apps send no login)."""
    body = calendar.build_feed(calendar.feed_token(token))
    return current_app.response_class(
        body, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=300"}
    )
