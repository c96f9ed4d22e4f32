"""API routes of accounts: who am I."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user

from hrfund.auth.models import User
from hrfund.core.permissions import login_required

bp = Blueprint("auth_api", __name__)


def user_json(user: User) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.display_name("en"),
        "name_ja": user.display_name("ja"),
        "roles": sorted(r.value for r in user.roles),
        "city": user.city.code if user.city else None,
        "department": user.department.code if user.department else None,
        "departments": [d.code for d in user.managed_departments],
        "locale": user.locale,
        "timezone": user.timezone,
    }


@bp.route("/me")
@login_required
def me():
    """The user behind the token.
    ---
    get:
      summary: The current user
      tags: [users]
      responses:
        200: {description: "{id, email, name, roles, city, departments}"}
        401: {description: No or bad token}
    """
    return jsonify(user_json(current_user))
