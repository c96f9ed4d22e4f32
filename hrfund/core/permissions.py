"""Role checks used by pages and the API alike."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import abort, current_app, request
from flask_login import current_user

from hrfund.extensions import login_manager

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")


def refuse(reason: str = "role") -> None:
    """Log the refusal and answer 403."""
    log.warning(
        "refused %s %s for %s (%s)",
        request.method,
        request.path,
        getattr(current_user, "email", "anonymous"),
        reason,
    )
    abort(403)


def roles_required(*roles: str) -> Callable[[Callable[P, R]], Callable[P, R | Any]]:
    """The view needs a logged-in user holding at least one of ``roles`` (none: any user)."""

    def decorator(view: Callable[P, R]) -> Callable[P, R | Any]:
        view.required_roles = tuple(str(r) for r in roles)  # type: ignore[attr-defined]  # read by the route × role test

        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R | Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and not current_user.has_role(*roles):
                refuse(f"needs one of {', '.join(str(r) for r in roles)}")
            return view(*args, **kwargs)

        return wrapped

    return decorator


login_required = roles_required()


def may_open(endpoint: str) -> bool:
    """Whether the current user passes the role check of the view at ``endpoint`` (its
    ``roles_required``): what a page asks before it links there (``can_export``), so that the
    roles are written once, on the view they guard."""
    view = current_app.view_functions[endpoint]
    roles = getattr(view, "required_roles", None)
    if roles is None:
        raise LookupError(f"{endpoint} has no roles_required")
    return bool(current_user.is_authenticated and (not roles or current_user.has_role(*roles)))


def allowed(check: Callable[..., object], *args: object) -> bool:
    """Whether a service's pure ``check_*`` passes for these arguments: what a template asks
    before it shows an action (``can_acknowledge(current_user, report)``), so that the rule is
    written once, in the service that enforces it."""
    from hrfund.core.errors import DomainError

    try:
        check(*args)
    except DomainError:
        return False
    return True
