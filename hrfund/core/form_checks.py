"""Every error at once: a form's own checks and its service's checks on the same submit.

A view that checked its form first and called the service only on a valid form showed the
service's errors (the date order, a rule between fields) only once the other errors were
fixed. :func:`run_with_form` runs the service inside a savepoint even when a field is wrong,
keeps nothing of it unless the whole form is valid, and puts every message next to its field.
Only for services whose effects are all in the database (no mail queued, no file written);
for the others, :func:`check_with_form` runs the service's pure checks (its ``check_*``
function) next to the form's, and the view calls the service only when both pass.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from hrfund.core.errors import FORM_REFUSALS, DomainError
from hrfund.core.forms import FlaskForm, show_errors
from hrfund.extensions import db

T = TypeVar("T")


def run_with_form(
    form: FlaskForm, action: Callable[[], T], *, rename: dict[str, str] | None = None
) -> T | None:
    """On a submit: validate ``form`` and run ``action`` (the service call); the result when
    both pass, else None with every error shown. ``rename`` maps a service's field names to the
    form's (``{"rules.language.min_score": "language_min_score"}``). A failed CSRF check runs
    nothing."""
    valid = _validated(form)
    if valid is None:
        return None
    savepoint = db.session.begin_nested()
    try:
        result = action()
    except FORM_REFUSALS as error:
        savepoint.rollback()
        _show(form, error, rename)
        return None
    if not valid:
        savepoint.rollback()
        return None
    savepoint.commit()
    return result


def check_with_form(
    form: FlaskForm, check: Callable[[], object], *, rename: dict[str, str] | None = None
) -> bool:
    """On a submit: validate ``form`` and run ``check`` (a service's pure ``check_*``, which
    changes nothing); True when both pass, else False with every error shown. A failed CSRF
    check runs nothing."""
    valid = _validated(form)
    if valid is None:
        return False
    try:
        check()
    except FORM_REFUSALS as error:
        _show(form, error, rename)
        return False
    return valid


def check_then_run(
    form: FlaskForm,
    check: Callable[[], object],
    action: Callable[[], T],
    *,
    rename: dict[str, str] | None = None,
) -> T | None:
    """For a service with effects outside the database (a notice, a stored file): its pure
    ``check`` with the form's (every error at once), then ``action`` only when both pass; what
    the service still refuses (a race, a bad file) shown on the form. The result, or None."""
    if not check_with_form(form, check, rename=rename):
        return None
    try:
        return action()
    except FORM_REFUSALS as error:
        _show(form, error, rename)
        return None


def _validated(form: FlaskForm) -> bool | None:
    """Whether a submitted ``form`` is valid; None when it was not submitted or its CSRF check
    failed, for then nothing may run."""
    if not form.is_submitted():
        return None
    valid = bool(form.validate())
    csrf = getattr(form, "csrf_token", None)
    if csrf is not None and csrf.errors:
        return None
    return valid


def page_status(form: FlaskForm) -> int:
    """The status of a form's page: 200 unsubmitted, 409 when the service refused for a
    conflict (money taken meanwhile, a duplicate), else 422."""
    if not form.is_submitted():
        return 200
    return 409 if getattr(form, "refusal_status", None) == 409 else 422


def _show(form: FlaskForm, error: DomainError, rename: dict[str, str] | None) -> None:
    form.refusal_status = error.status
    for old, new in (rename or {}).items():
        if old in error.fields:
            error.fields.setdefault(new, []).extend(error.fields.pop(old))
    _drop_repeats(form, error)
    show_errors(form, error)


def _drop_repeats(form: FlaskForm, error: DomainError) -> None:
    """A field the form already marks wrong (empty, not a date) is not told again by the
    service in other words ("This field is required." twice)."""
    for name in list(error.fields):
        field = getattr(form, name, None)
        if any(isinstance(m, str) for m in (getattr(field, "errors", None) or [])):
            error.fields[name] = []
