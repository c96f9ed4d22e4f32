"""Calls for applications: creation, slots and rules, the window, and their states."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hrfund.applications.models import Call, CallSlot, CallStatus
from hrfund.auth.models import Role
from hrfund.core.audit import record_event
from hrfund.core.db import utcnow
from hrfund.core.errors import NotAllowed, ValidationFailed
from hrfund.core.fiscal import current_fiscal_year
from hrfund.core.inputs import MAX_BIGINT, MAX_ID
from hrfund.core.lookup import visible_or_404
from hrfund.core.statemachine import StateMachine, Transition
from hrfund.core.yen import read_yen
from hrfund.extensions import db
from hrfund.org.models import PartnerCity
from hrfund.training.eligibility import check_rules
from hrfund.training.models import TrainingProgram

TOKYO = ZoneInfo("Asia/Tokyo")
C = CallStatus


def _is_hr(actor, _call=None) -> bool:
    return actor.has_role(Role.HR)


CALL_MACHINE = StateMachine(
    "calls",
    [
        Transition("open", {C.DRAFT}, C.OPEN, who=_is_hr, label=_l("Open the call")),
        Transition("close", {C.OPEN}, C.CLOSED, who=_is_hr, label=_l("Close the call")),
        Transition("decide", {C.CLOSED}, C.DECIDED, who=_is_hr, label=_l("Mark as decided")),
    ],
)


def opens_at(call: Call) -> datetime:
    """The window opens at 00:00 Asia/Tokyo on the opening day."""
    return datetime.combine(call.opens_on, time.min, TOKYO)


def closes_at(call: Call) -> datetime:
    """The window closes after 23:59:59 Asia/Tokyo on the closing day."""
    return datetime.combine(call.closes_on + timedelta(days=1), time.min, TOKYO)


def deadline(call: Call) -> datetime:
    """The last second of the window, as people read it: 23:59:59 Tokyo time."""
    return closes_at(call) - timedelta(seconds=1)


def window_is_open(call: Call, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return call.status == C.OPEN and opens_at(call) <= now < closes_at(call)


def visible_calls(user, *, status: str | None = None) -> sa.Select:
    """HR and auditors see every call; everyone else the calls that are or were open.
    ``status``, if given, must be one of the states."""
    stmt = sa.select(Call).order_by(Call.closes_on.desc(), Call.id.desc())
    if status:
        if status not in {s.value for s in C}:
            raise ValidationFailed(str(_l("Unknown status.")), fields={"status": ["unknown"]})
        stmt = stmt.where(Call.status == status)
    if user.has_role(Role.HR, Role.AUDITOR):
        return stmt
    return stmt.where(Call.status != C.DRAFT)


def get_call_or_404(call_id, user) -> Call:
    return visible_or_404(visible_calls(user), Call.id, call_id, _l("No such call."))


def _check_slots(slots: list[dict]) -> tuple[list[CallSlot], list[str]]:
    problems, made, seen = [], [], set()
    for n, slot in enumerate(slots or [], start=1):
        code = str(slot.get("city") or "").upper()
        city = db.session.scalar(sa.select(PartnerCity).where(PartnerCity.code == code))
        numbers = {}
        try:
            numbers["estimated_cost_jpy"] = read_yen(
                slot.get("estimated_cost_jpy"), "estimated_cost_jpy", minimum=0
            )
        except ValidationFailed as error:
            problems.append(str(_l("Slot %(n)d: %(message)s", n=n, message=error.message)))
        for name in ("positions", "months"):
            value = slot.get(name)
            if isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) < 19:
                value = int(value)
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or value < (0 if name == "estimated_cost_jpy" else 1)
                or value > (MAX_BIGINT if name == "estimated_cost_jpy" else MAX_ID)
            ):
                problems.append(
                    str(
                        _l(
                            "Slot %(n)d: %(field)s must be a whole number%(min)s.",
                            n=n,
                            field=name,
                            min="" if name == "estimated_cost_jpy" else " ≥ 1",
                        )
                    )
                )
            numbers[name] = value
        if city is None or not city.active:
            problems.append(
                str(_l("Slot %(n)d: no active partner city %(code)s.", n=n, code=code or "?"))
            )
        elif code in seen:
            problems.append(str(_l("Slot %(n)d: %(code)s is listed twice.", n=n, code=code)))
        seen.add(code)
        if city is not None and not problems:
            made.append(CallSlot(city=city, **numbers))
    return made, problems


def _check_call(values: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    titles = {k: (values.get(k) or "").strip() for k in ("title", "title_ja", "title_en")}
    if not any(titles.values()):
        message = str(_l("Give the title in Japanese or in English."))
        errors["title"] = errors["title_ja"] = errors["title_en"] = [message]
    for name, title in titles.items():
        if len(title) > 200:
            errors[name] = [str(_l("Use at most 200 characters."))]
    fy = values.get("fiscal_year")
    if isinstance(fy, bool) or not isinstance(fy, int) or not 2000 <= fy <= 2199:
        errors["fiscal_year"] = [str(_l("Enter a fiscal year such as 2026."))]
    elif fy < current_fiscal_year():
        errors["fiscal_year"] = [
            str(
                _l(
                    "FY%(year)d is over: a call is for this fiscal year (FY%(now)d) or later.",
                    year=fy,
                    now=current_fiscal_year(),
                )
            )
        ]
    for name in ("opens_on", "closes_on"):
        if not isinstance(values.get(name), date):
            errors[name] = [str(_l("Enter a date as YYYY-MM-DD."))]
    if (
        "opens_on" not in errors
        and "closes_on" not in errors
        and values["closes_on"] < values["opens_on"]
    ):
        errors["closes_on"] = [str(_l("The call cannot close before it opens."))]
    return errors


def create_call(
    actor,
    *,
    title: str = "",
    title_ja: str = "",
    title_en: str = "",
    fiscal_year: int,
    opens_on: date,
    closes_on: date,
    slots: list[dict],
    rules: dict | None = None,
    description: str = "",
) -> Call:
    """HR drafts a call: its window, slots and eligibility rules."""
    if not actor.has_role(Role.HR):
        raise NotAllowed(str(_l("Only HR creates calls.")))
    values = {
        "title": title,
        "title_ja": title_ja,
        "title_en": title_en,
        "fiscal_year": fiscal_year,
        "opens_on": opens_on,
        "closes_on": closes_on,
    }
    errors = _check_call(values)
    made, slot_problems = _check_slots(slots)
    if slot_problems:
        errors["slots"] = slot_problems
    try:
        rules = check_rules(rules or {}, strict=True)
        if rules.get("language"):  # JSON keeps the score as text: "6.5", never a float
            rules["language"] = {
                **rules["language"],
                "min_score": str(rules["language"]["min_score"]),
            }
    except ValidationFailed as error:
        errors["rules"] = [error.message, *[m for ms in error.fields.values() for m in ms]]
        errors |= {f"rules.{name}": messages for name, messages in error.fields.items()}
    if errors:
        raise ValidationFailed(str(_l("The call could not be saved.")), fields=errors)
    call = Call(
        # ``title`` is the title as first given: the API's, else the English, else the Japanese
        title=((title or "").strip() or (title_en or "").strip() or (title_ja or "").strip()),
        title_ja=(title_ja or "").strip(),
        title_en=(title_en or "").strip(),
        fiscal_year=fiscal_year,
        opens_on=opens_on,
        closes_on=closes_on,
        rules=rules,
        description=(description or "").strip(),
        created_by_id=actor.id,
        slots=made,
    )
    db.session.add(call)
    db.session.flush()
    record_event(
        actor,
        "calls.create",
        call,
        to_state="draft",
        changes={
            "title": call.title,
            "title_ja": call.title_ja,
            "title_en": call.title_en,
            "fiscal_year": fiscal_year,
            "opens_on": opens_on,
            "closes_on": closes_on,
            "rules": rules,
            "slots": [s.city.code for s in made],
        },
    )
    return call


def open_call(actor, call: Call) -> Call:
    if not call.slots:
        raise ValidationFailed(str(_l("A call needs at least one slot before it opens.")))
    CALL_MACHINE.apply(call, "open", actor)
    return call


def close_call(actor, call: Call) -> Call:
    CALL_MACHINE.apply(call, "close", actor)
    return call


def decide_call(actor, call: Call) -> Call:
    CALL_MACHINE.apply(call, "decide", actor)
    return call


CALL_ACTIONS = {"open": open_call, "close": close_call, "decide": decide_call}


def required_programs(call: Call) -> dict[int, TrainingProgram]:
    """The programs the call's rules require, by id (for its page)."""
    wanted = call.rules.get("required_programs") or []
    programs = db.session.scalars(sa.select(TrainingProgram).where(TrainingProgram.id.in_(wanted)))
    return {p.id: p for p in programs}
