"""Text that is too long is refused with a message, never cut: one check for every service."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


def too_long_message(max_length: int) -> str:
    return str(_l("Use at most %(n)d characters.", n=max_length))


def check_length(
    errors: dict[str, list[str]], field: str, text: str | None, max_length: int
) -> str:
    """``text`` stripped; if it has more than ``max_length`` characters, ``errors[field]`` says
    so (with how many were typed) and the text is returned whole, for the form to show again."""
    text = (text or "").strip()
    if len(text) > max_length:
        errors.setdefault(field, []).append(
            str(
                _l(
                    "Use at most %(n)d characters (this has %(typed)d).",
                    n=max_length,
                    typed=len(text),
                )
            )
        )
    return text
