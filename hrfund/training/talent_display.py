"""The talent page's rows as text, made once per page in Python (issue 16).

The page lists 50 people with their scores and programs; rendered from the ORM rows, each
cell asked flask_babel for the request's language again (person's name, department, program,
date, "+N more") and built the person's link with ``url_for``: about a quarter of a
millisecond per row. Here the language is read once, the link built once and the labels of
"+N more" made once per number; the template only writes the strings (escaped as usual)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from flask_babel import ngettext

from hrfund.core.i18n import _date, current_language, in_language
from hrfund.training.labels import test_label
from hrfund.training.talent import SearchedRow

_SENTINEL = 987654321


@dataclass
class TalentLine:
    href: str
    name: str
    number: str
    department: str
    #: (test and score, verified)
    scores: list[tuple[str, bool]] = field(default_factory=list)
    #: (program, completed on)
    programs: list[tuple[str, str]] = field(default_factory=list)
    more: str = ""


def _history_link():
    """A function of a user id giving the person's training page, as ``url_for`` would."""
    pattern = url_for("training.history", user_id=_SENTINEL)
    if pattern.count(str(_SENTINEL)) != 1:  # pragma: no cover - a route without the id once
        return lambda user_id: url_for("training.history", user_id=user_id)
    head, tail = pattern.split(str(_SENTINEL))
    return lambda user_id: f"{head}{user_id}{tail}"


def page_lines(rows: list[SearchedRow]) -> list[TalentLine]:
    language = current_language()
    link = _history_link()
    more_labels: dict[tuple[int, bool], str] = {}
    lines = []
    for row in rows:
        user = row.user
        line = TalentLine(
            href=link(user.id),
            name=user.display_name(language),
            number=user.employee_number or user.email,
            department=user.department.name(language) if user.department else "",
            scores=[
                (f"{test_label(s.test, s.test_name)} {s.score}", s.verified) for s in row.scores
            ],
            programs=[
                (in_language(language, r.title_ja, r.title_en), _date(r.completed_on))
                for r in row.programs
            ],
        )
        if row.more:
            key = (row.more, bool(row.programs))
            if key not in more_labels:
                more_labels[key] = (
                    ngettext("+%(num)d more program", "+%(num)d more programs", row.more)
                    if row.programs
                    else ngettext("%(num)d program", "%(num)d programs", row.more)
                )
            line.more = more_labels[key]
        lines.append(line)
    return lines
