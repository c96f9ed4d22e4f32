"""Rules for departments and partner cities."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

import sqlalchemy as sa
import sqlalchemy.orm as so
from babel import Locale
from flask_babel import lazy_gettext as _l

from hrfund.core.actor import Actor
from hrfund.core.audit import record_event
from hrfund.core.errors import NotFound, ValidationFailed
from hrfund.core.inputs import currency_codes
from hrfund.extensions import db
from hrfund.org.models import (
    CooperationArea,
    Department,
    DepartmentLevel,
    PartnerCity,
    Relationship,
)

#: Who edits partner cities and departments. Role names as strings: org sits below auth, so it
#: may not import ``auth.models.Role`` (a StrEnum whose values these are).
CITY_EDITORS = ("hr", "admin")
DEPARTMENT_EDITORS = ("admin",)

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,31}$")
CITY_CODE_RE = re.compile(r"^[A-Z]{2,8}$")
CITY_FIELDS = (
    "code",
    "name_en",
    "name_ja",
    "country",
    "timezone",
    "currency",
    "relationship",
    "since",
    "cooperation_areas",
    "active",
)


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    return frozenset(
        c for c in Locale("en").territories if isinstance(c, str) and len(c) == 2 and c.isalpha()
    )


def _required(values: dict[str, Any], errors: dict[str, Any], *names: str) -> None:
    for name in names:
        if not str(values.get(name) or "").strip():
            errors.setdefault(name, []).append(str(_l("This field is required.")))


def _check_code(
    code: str,
    errors: dict[str, list[str]],
    owner: tuple[type[PartnerCity], PartnerCity | None]
    | tuple[type[Department], Department | None],
    pattern: re.Pattern[str],
    messages: tuple[Any, Any],
) -> None:
    """A city's or a department's code: of ``pattern``'s form, and no other one's of its kind
    (``owner``: the model and the row being changed, None for a new one)."""
    model, own = owner
    if code and not pattern.match(code):
        errors["code"] = [str(messages[0])]
    elif code and db.session.scalar(
        sa.select(model.id).where(model.code == code, model.id != (own.id if own else -1))
    ):
        errors["code"] = [str(messages[1])]


def _check_city(values: dict[str, Any], city: PartnerCity | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    _required(
        values,
        errors,
        "code",
        "name_en",
        "name_ja",
        "country",
        "timezone",
        "currency",
        "relationship",
    )
    _check_code(
        values.get("code") or "",
        errors,
        (PartnerCity, city),
        CITY_CODE_RE,
        (_l("Use 2 to 8 capital letters, for example SEL."), _l("Another city has this code.")),
    )
    if values.get("country") and values["country"] not in country_codes():
        errors["country"] = [str(_l("Use an ISO 3166 country code, for example KR."))]
    if values.get("timezone") and values["timezone"] not in available_timezones():
        errors["timezone"] = [str(_l("Use an IANA time zone, for example Asia/Seoul."))]
    if values.get("currency") and values["currency"] not in currency_codes():
        errors["currency"] = [str(_l("Use an ISO 4217 currency code, for example KRW."))]
    if values.get("relationship") and values["relationship"] not in {r.value for r in Relationship}:
        errors["relationship"] = [str(_l("Choose one of the listed relationships."))]
    since = values.get("since")
    if since is not None and not isinstance(since, date):
        errors["since"] = [str(_l("Enter a date as YYYY-MM-DD."))]
    areas = values.get("cooperation_areas") or []
    if not isinstance(areas, list) or any(
        a not in {c.value for c in CooperationArea} for a in areas
    ):
        errors["cooperation_areas"] = [str(_l("Choose from the listed cooperation areas."))]
    for name in ("name_en", "name_ja"):
        if len(values.get(name) or "") > 200:
            errors[name] = [str(_l("Use at most 200 characters."))]
    return errors


def _normalize_city(values: dict[str, Any]) -> dict[str, Any]:
    values = dict(values)
    for name in ("code", "country", "currency"):
        if isinstance(values.get(name), str):
            values[name] = values[name].strip().upper()
    for name in ("name_en", "name_ja", "timezone"):
        if isinstance(values.get(name), str):
            values[name] = values[name].strip()
    return values


def create_city(actor: Actor | None, **values: Any) -> PartnerCity:
    """Add a partner city."""
    values = _normalize_city(values)
    if errors := _check_city(values, None):
        raise ValidationFailed(str(_l("The city could not be saved.")), fields=errors)
    city = PartnerCity(**{k: v for k, v in values.items() if k in CITY_FIELDS})
    city.relationship = Relationship(values["relationship"])
    db.session.add(city)
    db.session.flush()
    record_event(
        actor, "city.create", city, changes={k: values.get(k) for k in CITY_FIELDS if k in values}
    )
    return city


def update_city(actor: Actor, city: PartnerCity, **values: Any) -> PartnerCity:
    """Change a partner city's details."""
    merged = {k: getattr(city, k) for k in CITY_FIELDS} | _normalize_city(values)
    if errors := _check_city(merged, city):
        raise ValidationFailed(str(_l("The city could not be saved.")), fields=errors)
    merged["relationship"] = Relationship(merged["relationship"])
    changes = {
        k: [getattr(city, k), merged[k]] for k in CITY_FIELDS if getattr(city, k) != merged[k]
    }
    for key in CITY_FIELDS:
        setattr(city, key, merged[key])
    if changes:
        record_event(actor, "city.update", city, changes=changes)
    return city


def get_city_by_code(code: str) -> PartnerCity:
    city = db.session.scalar(sa.select(PartnerCity).where(PartnerCity.code == (code or "").upper()))
    if city is None:
        raise NotFound(str(_l("No partner city with code %(code)s.", code=code)))
    return city


def _named(model: type[PartnerCity] | type[Department], q: str) -> sa.ColumnElement[bool]:
    """The search of the city and department lists: a part of the code or of either name."""
    like = f"%{q.strip()}%"
    return sa.or_(model.name_en.ilike(like), model.name_ja.like(like), model.code.ilike(like))


def cities_query(*, active: bool | None = None, q: str | None = None) -> sa.Select[PartnerCity]:
    stmt = sa.select(PartnerCity).order_by(PartnerCity.code)
    if active is not None:
        stmt = stmt.where(PartnerCity.active.is_(active))
    return stmt.where(_named(PartnerCity, q)) if q else stmt


def concrete_relation_count() -> int:
    """Active cities with a concrete relation, counted toward the target of 30."""
    from hrfund.org.models import CONCRETE_RELATIONSHIPS

    return (
        db.session.scalar(
            sa.select(sa.func.count(PartnerCity.id)).where(
                PartnerCity.active.is_(True),
                PartnerCity.relationship.in_([r.value for r in CONCRETE_RELATIONSHIPS]),
            )
        )
        or 0
    )


# ---------------------------------------------------------------- departments

DEPARTMENT_FIELDS = ("code", "name_en", "name_ja", "level", "parent")


def _check_department(
    values: dict[str, Any], department: Department | None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    _required(values, errors, "code", "name_en", "name_ja")
    _check_code(
        values.get("code") or "",
        errors,
        (Department, department),
        CODE_RE,
        (
            _l("Use capital letters, digits, - and _, for example GA-INT."),
            _l("Another department has this code."),
        ),
    )
    level = values.get("level")
    if level is not None and level not in {lv.value for lv in DepartmentLevel}:
        errors["level"] = [str(_l("Choose bureau, department or section."))]
    parent = values.get("parent")
    if parent is not None and department is not None:
        node = parent
        while node is not None:
            if node.id == department.id:
                errors["parent"] = [str(_l("A department cannot sit under itself."))]
                break
            node = node.parent
    return errors


def create_department(actor: Actor | None, **values: Any) -> Department:
    """Add a bureau, department or section."""
    values = {
        k: (v.strip().upper() if k == "code" and isinstance(v, str) else v)
        for k, v in values.items()
    }
    if errors := _check_department(values, None):
        raise ValidationFailed(str(_l("The department could not be saved.")), fields=errors)
    department = Department(
        code=values["code"],
        name_en=values["name_en"].strip(),
        name_ja=values["name_ja"].strip(),
        parent=values.get("parent"),
        level=DepartmentLevel(values.get("level") or "department"),
    )
    db.session.add(department)
    db.session.flush()
    record_event(
        actor,
        "department.create",
        department,
        changes={
            "code": department.code,
            "name_en": department.name_en,
            "name_ja": department.name_ja,
            "parent": department.parent.code if department.parent else None,
        },
    )
    return department


def update_department(actor: Actor, department: Department, **values: Any) -> Department:
    """Rename or move a department."""
    merged = {
        "code": department.code,
        "name_en": department.name_en,
        "name_ja": department.name_ja,
        "level": department.level.value,
        "parent": department.parent,
    } | values
    if isinstance(merged["code"], str):
        merged["code"] = merged["code"].strip().upper()
    if errors := _check_department(merged, department):
        raise ValidationFailed(str(_l("The department could not be saved.")), fields=errors)
    merged["level"] = DepartmentLevel(merged["level"])
    changes = {}
    for key in DEPARTMENT_FIELDS:
        old, new = getattr(department, key), merged[key]
        if old != new:
            changes[key] = [getattr(old, "code", old), getattr(new, "code", new)]
            setattr(department, key, new)
    if changes:
        record_event(actor, "department.update", department, changes=changes)
    return department


def get_department_by_code(code: str) -> Department:
    department = db.session.scalar(sa.select(Department).where(Department.code == code))
    if department is None:
        raise NotFound(str(_l("No department with code %(code)s.", code=code)))
    return department


def departments_query(q: str | None = None) -> sa.Select[Department]:
    # the parent is shown on each row, on the page and in the API
    stmt = sa.select(Department).options(so.joinedload(Department.parent)).order_by(Department.code)
    return stmt.where(_named(Department, q)) if q else stmt
