"""API routes of accounts: who am I."""

from __future__ import annotations

from flask_login import current_user

from hrfund.auth.schemas import UserSchema
from hrfund.core.apiblueprint import ApiBlueprint
from hrfund.core.permissions import login_required

bp = ApiBlueprint("auth_api", __name__, description="The user behind the token")


@bp.route("/me")
@login_required
@bp.response(200, UserSchema)
def me():
    """The current user"""
    return current_user
