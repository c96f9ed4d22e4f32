"""Does an employee meet a call's rules? And if not, exactly why.

Only **verified** language scores and training records count: an employee's own entry counts once
HR has seen the certificate and verified it. A score counts when it was taken on or before the
date and has not expired by then (an expiry date is the last valid day).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from hrfund.auth.models import User
from hrfund.core.errors import ValidationFailed
from hrfund.core.fiscal import tokyo_today
from hrfund.core.yen import plain_decimal_text
from hrfund.extensions import db
from hrfund.training.labels import test_label
from hrfund.training.models import (
    LanguageScore,
    LanguageTest,
    RecordStatus,
    TrainingProgram,
    TrainingRecord,
)
from hrfund.training.services import SCORE_RULES, test_label_plain


@dataclass(frozen=True)
class UnmetRule:
    """One rule the employee does not meet. ``message`` is a lazy string: str() it in the
    language of whoever reads it."""

    rule: str  # "min_years_of_service" | "language" | "required_programs"
    message: Any
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"rule": self.rule, "message": str(self.message), "details": self.details}


@dataclass(frozen=True)
class EligibilityResult:
    """``eligible`` is True when ``unmet`` is empty; ``unmet`` has one entry per unmet rule."""

    eligible: bool
    unmet: tuple[UnmetRule, ...] = ()
    on: date | None = None

    def __bool__(self) -> bool:
        return self.eligible

    @property
    def reasons(self) -> list[str]:
        return [str(u.message) for u in self.unmet]

    def as_dict(self) -> dict:
        return {
            "eligible": self.eligible,
            "on": self.on.isoformat() if self.on else None,
            "unmet": [u.as_dict() for u in self.unmet],
        }


def full_years_between(start: date, end: date) -> int:
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return max(0, years)


def check_language_rule(
    language, errors: dict[str, list[str]], *, strict: bool = True
) -> dict | None:
    """A language rule names a listed test and a minimum score inside that test's range
    (IELTS 0–9, TOEIC 10–990, …); each missing or wrong part is its own error."""
    if not isinstance(language, dict):
        errors["language"] = [str(_l("Name a listed test and a minimum score."))]
        return None
    test, raw = language.get("test"), language.get("min_score")
    if isinstance(test, str):
        test = test.strip().lower()
    if test in (None, ""):
        errors["language.test"] = [str(_l("Choose the language test the minimum score is of."))]
    elif test not in {t.value for t in LanguageTest}:
        errors["language.test"] = [str(_l("Choose one of the listed tests."))]
        test = None
    score = None
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        errors["language.min_score"] = [str(_l("Enter the minimum score of the test."))]
    else:
        text = plain_decimal_text(raw) if isinstance(raw, str) else str(raw)
        try:
            score = Decimal(text) if text and not isinstance(raw, bool) else None
        except ArithmeticError:
            score = None
        if score is None or not score.is_finite():
            errors["language.min_score"] = [str(_l("Enter a number, for example 6.5."))]
            score = None
    if strict and test and score is not None and LanguageTest(test) in SCORE_RULES:
        low, high, _step = SCORE_RULES[LanguageTest(test)]
        if not low <= score <= high:
            errors["language.min_score"] = [
                str(
                    _l(
                        "The minimum %(test)s score lies between %(low)s and %(high)s.",
                        test=test_label_plain(LanguageTest(test)),
                        low=low,
                        high=high,
                    )
                )
            ]
    elif strict and test and score is not None and score < 0:
        errors["language.min_score"] = [str(_l("The score cannot be negative."))]
    if errors.get("language.test") or errors.get("language.min_score"):
        return None
    return {"test": test, "min_score": score}


def check_rules(rules: dict | None, *, strict: bool = False) -> dict:
    """Normalise a call's rules, or ValidationFailed. ``strict`` (when HR saves them) also
    holds a language score to its test's range; rules already stored are read as they are."""
    rules = dict(rules or {})
    errors: dict[str, list[str]] = {}
    years = rules.get("min_years_of_service")
    if years is not None and (not isinstance(years, int) or isinstance(years, bool) or years < 0):
        errors["min_years_of_service"] = [str(_l("Enter a whole number of years."))]
    language = rules.get("language")
    if language is not None:
        checked = check_language_rule(language, errors, strict=strict)
        if checked:
            rules["language"] = checked
    programs = rules.get("required_programs")
    if programs is not None and (
        not isinstance(programs, list)
        or not all(isinstance(p, int) and not isinstance(p, bool) for p in programs)
    ):
        errors["required_programs"] = [str(_l("List program ids."))]
    if errors:
        raise ValidationFailed(str(_l("The eligibility rules are not valid.")), fields=errors)
    return rules


def eligibility(user: User, rules: dict | None, on: date | None = None) -> EligibilityResult:
    """Whether ``user`` meets ``rules`` on ``on`` (default today); one reason per unmet rule.

    ``rules``: ``{"min_years_of_service": 3, "language": {"test": "ielts", "min_score": "6.5"},
    "required_programs": [12, 15]}`` — every key optional.
    """
    rules = check_rules(rules)
    on = on or tokyo_today()
    unmet: list[UnmetRule] = []

    years = rules.get("min_years_of_service")
    if years:
        if user.joined_on is None:
            unmet.append(
                UnmetRule(
                    "min_years_of_service",
                    _l(
                        "At least %(years)d years of service are required, and no start date is "
                        "recorded for you.",
                        years=years,
                    ),
                    {"required": years, "actual": None},
                )
            )
        else:
            actual = full_years_between(user.joined_on, on)
            if actual < years:
                unmet.append(
                    UnmetRule(
                        "min_years_of_service",
                        _l(
                            "At least %(years)d years of service are required; you have %(actual)d.",  # noqa: E501
                            years=years,
                            actual=actual,
                        ),
                        {"required": years, "actual": actual},
                    )
                )

    language = rules.get("language")
    if language:
        unmet.extend(_language_rule(user, language["test"], language["min_score"], on))

    required = list(dict.fromkeys(rules.get("required_programs") or []))
    if required:
        unmet.extend(_programs_rule(user, required, on))

    return EligibilityResult(eligible=not unmet, unmet=tuple(unmet), on=on)


def _language_rule(user: User, test: str, min_score: Decimal, on: date) -> list[UnmetRule]:
    rows = db.session.execute(
        sa.select(
            LanguageScore.score,
            LanguageScore.verified,
            LanguageScore.expires_on,
            LanguageScore.taken_on,
        ).where(
            LanguageScore.user_id == user.id,
            LanguageScore.test == test,
            LanguageScore.rejected_at.is_(None),  # a rejected score counts for nothing
        )
    ).all()
    valid = [r for r in rows if r.taken_on <= on and (r.expires_on is None or r.expires_on >= on)]
    best = max((r.score for r in valid if r.verified), default=None)
    if best is not None and best >= min_score:
        return []
    label = test_label(test)
    details = {
        "test": test,
        "min_score": str(min_score),
        "best_verified": None if best is None else str(best),
    }
    if best is not None:
        message = _l(
            "%(test)s %(min)s or more is required; your best valid verified score is %(best)s.",
            test=label,
            min=_num(min_score),
            best=_num(best),
        )
    elif any(not r.verified and r.score >= min_score for r in valid):
        message = _l(
            "%(test)s %(min)s or more is required; your score is not verified yet. Ask "
            "HR to verify it.",
            test=label,
            min=_num(min_score),
        )
    elif rows and not valid:
        message = _l(
            "%(test)s %(min)s or more is required; your %(test)s score has expired.",
            test=label,
            min=_num(min_score),
        )
    else:
        message = _l(
            "%(test)s %(min)s or more is required; no valid verified %(test)s score is "
            "recorded for you.",
            test=label,
            min=_num(min_score),
        )
    return [UnmetRule("language", message, details)]


def _programs_rule(user: User, required: list[int], on: date) -> list[UnmetRule]:
    done = set(
        db.session.scalars(
            sa.select(TrainingRecord.program_id).where(
                TrainingRecord.user_id == user.id,
                TrainingRecord.program_id.in_(required),
                TrainingRecord.status == RecordStatus.COMPLETED,
                TrainingRecord.verified.is_(True),
                TrainingRecord.completed_on <= on,
                sa.or_(TrainingRecord.expires_on.is_(None), TrainingRecord.expires_on >= on),
            )
        )
    )
    missing = [p for p in required if p not in done]
    if not missing:
        return []
    programs = {
        p.id: p
        for p in db.session.scalars(
            sa.select(TrainingProgram).where(TrainingProgram.id.in_(missing))
        )
    }
    return [
        UnmetRule(
            "required_programs",
            _l(
                "The program %(title)s must be completed (and verified).",
                title=_ProgramTitle(programs.get(pid), pid),
            ),
            {"program_id": pid},
        )
        for pid in missing
    ]


class _ProgramTitle:
    """A program's title in the language of whoever turns the message into text."""

    def __init__(self, program: TrainingProgram | None, program_id: int):
        self.program, self.program_id = program, program_id

    def __str__(self) -> str:
        if self.program is None:
            return f"#{self.program_id}"
        from hrfund.core.i18n import current_language

        try:
            return self.program.name(current_language())
        except RuntimeError:  # outside a request
            return self.program.title_en


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


# ---------------------------------------------------------------- the same rules in SQL


def latest_start_for(years: int, on: date) -> date:
    """The last joining date that gives ``years`` full years of service on ``on``."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February → 28 February of a common year
        return on.replace(year=on.year - years, day=28)


def eligible_condition(user_id, rules: dict | None, on: date) -> sa.ColumnElement[bool]:
    """A SQL condition on ``user_id`` (a column) that holds exactly when :func:`eligibility`
    would say yes on ``on``, for filtering lists without loading anyone. The two are kept equal
    by a test that compares them person by person."""
    rules = check_rules(rules)
    conditions: list = []
    years = rules.get("min_years_of_service")
    if years:
        person = so.aliased(User)  # never correlated with a users table outside
        conditions.append(
            sa.exists()
            .select_from(person)
            .where(
                person.id == user_id,
                person.joined_on.is_not(None),
                person.joined_on <= latest_start_for(years, on),
            )
            .correlate_except(person)
        )
    language = rules.get("language")
    if language:
        conditions.append(
            sa.exists().where(
                LanguageScore.user_id == user_id,
                LanguageScore.test == language["test"],
                LanguageScore.verified.is_(True),
                LanguageScore.score >= language["min_score"],
                LanguageScore.taken_on <= on,
                sa.or_(LanguageScore.expires_on.is_(None), LanguageScore.expires_on >= on),
            )
        )
    for program_id in dict.fromkeys(rules.get("required_programs") or []):
        conditions.append(
            sa.exists().where(
                TrainingRecord.user_id == user_id,
                TrainingRecord.program_id == program_id,
                TrainingRecord.status == RecordStatus.COMPLETED,
                TrainingRecord.verified.is_(True),
                TrainingRecord.completed_on <= on,
                sa.or_(TrainingRecord.expires_on.is_(None), TrainingRecord.expires_on >= on),
            )
        )
    return sa.and_(sa.true(), *conditions)
