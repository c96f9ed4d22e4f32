"""Helpers shared by every module's forms."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash

from hrfund.core.errors import DomainError


def show_errors(form, error: DomainError) -> tuple[str, int]:
    """Put a service's field errors next to the form's fields; the rest goes to a flash."""
    unplaced = []
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
