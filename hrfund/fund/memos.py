"""The memos the system writes itself on ledger entries, shown in the reader's language.

The ledger is append-only and read by people of both languages, so a memo the system writes is
stored as a fixed English sentence with its numbers (``placement 12 declined``) and put into
the reader's language when it is shown (``memo_text``), on pages and in exports alike. A memo a
person typed is shown as they typed it.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from hrfund.core.labels import COMMENT_TEXTS

#: code → (the stored sentence, with ``{name}`` for its numbers; its label, with %(name)s)
SYSTEM_MEMOS: dict[str, tuple[str, object]] = {
    "commitment": ("placement {placement}", _l("Commitment for placement #%(placement)s")),
    "commitment_for": (
        "placement {placement} (for {email})",
        _l("Commitment for placement #%(placement)s (for %(email)s)"),
    ),
    "incoming_commitment": (
        "incoming placement {placement}",
        _l("Commitment for incoming placement #%(placement)s"),
    ),
    "declined": (
        "placement {placement} declined",
        _l("Released: placement #%(placement)s declined"),
    ),
    "completed": (
        "placement {placement} completed",
        _l("Released: placement #%(placement)s completed"),
    ),
    "cancelled": (
        "placement {placement} cancelled",
        _l("Released: placement #%(placement)s cancelled"),
    ),
    "year_end_release": (
        "Released at the close of FY{year}",
        _l("Released at the close of FY%(year)s"),
    ),
    "year_end_return": (
        "Unused money of a closed fiscal year returned to the fund",
        _l("Unused money of a closed fiscal year returned to the fund"),
    ),
}


def _pattern(sentence: str) -> re.Pattern:
    parts = re.split(r"\{(\w+)\}", sentence)
    regex = "".join(
        re.escape(p) if i % 2 == 0 else rf"(?P<{p}>[^\s()]+)" for i, p in enumerate(parts)
    )
    return re.compile(rf"^{regex}$")


_PATTERNS = [(code, _pattern(sentence)) for code, (sentence, _label) in SYSTEM_MEMOS.items()]


def system_memo(code: str, **params) -> str:
    """The memo to store for a system posting of ``code``."""
    return SYSTEM_MEMOS[code][0].format(**params)


def memo_text(memo: str | None) -> str:
    """A memo in the reader's language: a system memo translated, any other as it was typed."""
    if not memo:
        return ""
    for code, pattern in _PATTERNS:
        match = pattern.match(memo)
        if match:
            return str(SYSTEM_MEMOS[code][1]) % match.groupdict()
    return memo


COMMENT_TEXTS["fund"] = memo_text
