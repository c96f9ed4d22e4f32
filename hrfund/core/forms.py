"""Helpers shared by every module's forms."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm as _FlaskForm
from wtforms import DecimalField, IntegerField

from hrfund.core.errors import DomainError
from hrfund.core.inputs import MAX_BIGINT, MAX_ID, control_message, has_control_chars

#: The largest decimal a form may hold (hours, scores, minimum scores: Numeric columns).
MAX_FORM_DECIMAL = Decimal(10) ** 9


class FlaskForm(_FlaskForm):  # type: ignore[misc]  # Flask-WTF has no type information
    """The base of every form of the project: on top of each form's own validators, text with
    control characters (NUL and the like; tab and newlines are fine) and numbers no column can
    hold are field errors, so no such post reaches a service or the database."""

    def validate(self, extra_validators: Any = None) -> bool:
        valid: bool = super().validate(extra_validators)
        return self.within_bounds() and valid

    def within_bounds(self) -> bool:
        """Only the project's bounds, for a view that hands the fields to a service without
        the form's own validators; a field that breaks one gets the error."""
        valid = True
        for field in _leaf_fields(self):
            message = _bound_error(field)
            if message:
                field.errors = [*(field.errors or []), message]
                valid = False
        return valid


def _leaf_fields(form: Any) -> Iterator[Any]:
    for field in form:
        if hasattr(field, "entries"):  # FieldList
            for entry in field.entries:
                yield from (_leaf_fields(entry.form) if hasattr(entry, "form") else [entry])
        elif hasattr(field, "form") and hasattr(field.form, "_fields"):  # FormField
            yield from _leaf_fields(field.form)
        else:
            yield field


def _bound_error(field: Any) -> str | None:
    if any(isinstance(raw, str) and has_control_chars(raw) for raw in field.raw_data or ()):
        return control_message()
    data = field.data
    if isinstance(field, IntegerField) and isinstance(data, int):
        # yen amounts are BigInteger columns; every other whole number is an Integer column
        upper = MAX_BIGINT if field.name.endswith("_jpy") else MAX_ID
        if abs(data) > upper:
            return str(_l("Enter a smaller number."))
    if (
        isinstance(field, DecimalField)
        and isinstance(data, Decimal)
        and (not data.is_finite() or abs(data) >= MAX_FORM_DECIMAL)
    ):
        return str(_l("Enter a smaller number."))
    return None


def show_errors(form: Any, error: DomainError) -> tuple[str, int]:
    """Put a service's field errors next to the form's fields; the rest goes to a flash."""
    unplaced: list[str] = []
    for name, messages in error.fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors or []) + list(messages)
        else:
            unplaced.extend(messages)
    # once each: a service often repeats its message as the error of a field the form lacks
    flash(" ".join(dict.fromkeys([error.message, *unplaced])), "danger")
    return error.message, 422


def safe_next(target: str | None, default: str) -> str:
    """A local redirect target, never another site."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target:
        return default
    return target
