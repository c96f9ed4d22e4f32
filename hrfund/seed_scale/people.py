"""Departments, partner cities and staff: employees, managers, HR officers, coordinators."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from hrfund.auth.passwords import hash_password
from hrfund.org.services import CITY_FIELDS
from hrfund.seed import DEMO_PASSWORD
from hrfund.seed_scale import names
from hrfund.seed_scale.context import Context

USER_COLUMNS = (
    "id",
    "email",
    "password_hash",
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "family_name_romaji",
    "given_name_romaji",
    "employee_number",
    "department_id",
    "city_id",
    "joined_on",
    "locale",
    "timezone",
    "active",
    "failed_logins",
    "created_at",
    "updated_at",
)
CHUNK = 50_000


def existing(ctx: Context) -> None:
    """What the demo data made already: its departments, cities and users."""
    conn = ctx.writer.connection
    ctx.department_ids = list(conn.execute(sa.text("SELECT id FROM departments")).scalars())
    for city_id, currency in conn.execute(sa.text("SELECT id, currency FROM partner_cities")):
        ctx.city_ids.append(city_id)
        ctx.city_currency[city_id] = currency
    for user_id, email in conn.execute(sa.text("SELECT id, email FROM users")):
        ctx.email_of[user_id] = email
    for user_id, role, city_id in conn.execute(
        sa.text("SELECT u.id, r.role, u.city_id FROM users u JOIN user_roles r ON r.user_id = u.id")
    ):
        if role == "hr":
            ctx.hr_ids.append(user_id)
        elif role == "coordinator" and city_id:
            ctx.coordinator_of.setdefault(city_id, user_id)


def departments(ctx: Context) -> None:
    """Bureaus, their departments and their sections, about ``sizes.departments`` in all."""
    rng = ctx.rng
    rows: list[tuple[Any, ...]] = []
    target = ctx.sizes.departments
    bureaus = names.BUREAUS[: max(3, min(len(names.BUREAUS), target // 30))]
    per_bureau = max(1, (target - len(bureaus)) // len(bureaus))
    ids = iter(ctx.writer.ids("departments", target + len(bureaus) * 8))
    leaves = []
    for code, ja, en in bureaus:
        bureau_id = next(ids)
        rows.append((bureau_id, code, ja, f"Bureau of {en}", "bureau", None))
        units = names.UNITS[: max(1, min(len(names.UNITS), per_bureau // 6))]
        per_unit = max(0, per_bureau // len(units) - 1)
        for u, (unit_ja, unit_en) in enumerate(units):
            unit_id = next(ids)
            unit_code = f"{code}-{u + 1}"
            rows.append((unit_id, unit_code, f"{ja} {unit_ja}", unit_en, "department", bureau_id))
            leaves.append(unit_id)
            for s in range(per_unit):
                sec_ja, sec_en = names.SECTIONS[s % len(names.SECTIONS)]
                n = s // len(names.SECTIONS) + 1
                rows.append(
                    (
                        next(ids),
                        f"{unit_code}-{s + 1:02d}",
                        f"{ja} {unit_ja} {sec_ja}{n if n > 1 else ''}",
                        f"{sec_en} {n}, {unit_en} ({en})",
                        "section",
                        unit_id,
                    )
                )
                leaves.append(rows[-1][0])
    now = ctx.now
    ctx.writer.write(
        "departments",
        ("id", "code", "name_ja", "name_en", "level", "parent_id", "created_at", "updated_at"),
        (r + (now, now) for r in rows),
    )
    ctx.department_ids = ctx.department_ids + leaves
    rng.shuffle(leaves)


def cities(ctx: Context) -> None:
    """Partner cities up to ``sizes.cities``, each with a coordinator."""
    conn = ctx.writer.connection
    taken = set(conn.execute(sa.text("SELECT code FROM partner_cities")).scalars())
    wanted = [c for c in names.CITIES if c[0] not in taken][: ctx.sizes.cities - len(taken)]
    ids = ctx.writer.ids("partner_cities", len(wanted))
    rows: list[tuple[Any, ...]] = []
    for city_id, (code, en, ja, country, tz, currency, relationship) in zip(
        ids, wanted, strict=True
    ):
        since = date(1960 + ctx.rng.randrange(60), 1 + ctx.rng.randrange(12), 1)
        rows.append(
            (
                city_id,
                code,
                en,
                ja,
                country,
                tz,
                currency,
                relationship,
                since,
                ctx.writer.json(["urban_development", "environment"]),
                True,
                ctx.now,
                ctx.now,
            )
        )
        ctx.city_ids.append(city_id)
        ctx.city_currency[city_id] = currency
    ctx.writer.write(
        "partner_cities",
        ("id", *CITY_FIELDS, "created_at", "updated_at"),  # the columns org's services write
        rows,
    )
    for city_id, *_ in rows:
        ctx.audit(ctx.now, None, "city.create", "partner_cities", city_id)


def staff(ctx: Context) -> None:
    """Employees (a few of them managers or HR officers) and one coordinator per new city."""
    rng, writer, sizes = ctx.rng, ctx.writer, ctx.sizes
    password = hash_password(DEMO_PASSWORD)
    ids = writer.ids("users", sizes.employees)
    roles: list[tuple[int, str]] = []
    for start in range(0, len(ids), CHUNK):
        rows = []
        for user_id in ids[start : start + CHUNK]:
            fam = rng.choice(names.FAMILY_NAMES)
            giv = rng.choice(names.GIVEN_NAMES)
            dept = rng.choice(ctx.department_ids)
            email = f"{giv[2].lower()}.{fam[2].lower()}.{user_id}@metro.tokyo.example"
            joined = date(rng.randint(1984, 2025), 4, 1)
            ctx.email_of[user_id] = email
            ctx.employee_ids.append(user_id)
            ctx.employee_department[user_id] = dept
            rows.append(
                (
                    user_id,
                    email,
                    password,
                    fam[0],
                    giv[0],
                    fam[1],
                    giv[1],
                    fam[2],
                    giv[2],
                    f"S{user_id:07d}",
                    dept,
                    None,
                    joined,
                    "ja" if rng.random() < 0.9 else "en",
                    "Asia/Tokyo",
                    rng.random() > 0.01,
                    0,
                    ctx.now,
                    ctx.now,
                )
            )
            roles.append((user_id, "employee"))
        writer.write("users", USER_COLUMNS, rows)
    # the few who go abroad: most staff never apply, a few apply again and again
    ctx.candidates = rng.sample(ctx.employee_ids, max(10, len(ctx.employee_ids) // 8))
    managers = []
    for dept in ctx.department_ids:
        staff_id = rng.choice(ctx.employee_ids)
        if staff_id not in ctx.manager_of.values():
            ctx.manager_of[dept] = staff_id
            managers.append((staff_id, dept))
    roles += [(u, "manager") for u in sorted({u for u, _ in managers})]
    hr = rng.sample(ctx.employee_ids, max(2, len(ctx.employee_ids) // 2000))
    roles += [(u, "hr") for u in hr]
    ctx.hr_ids += hr
    coordinators = []
    for city_id in ctx.city_ids:
        if city_id not in ctx.coordinator_of:
            (user_id,) = writer.ids("users", 1)
            email = f"coordinator.{user_id}@city.example"
            ctx.email_of[user_id] = email
            ctx.coordinator_of[city_id] = user_id
            coordinators.append(
                (
                    user_id,
                    email,
                    password,
                    "",
                    "",
                    "",
                    "",
                    "Coordinator",
                    str(user_id),
                    None,
                    None,
                    city_id,
                    None,
                    "en",
                    "UTC",
                    True,
                    0,
                    ctx.now,
                    ctx.now,
                )
            )
            roles.append((user_id, "coordinator"))
    writer.write("users", USER_COLUMNS, coordinators)
    writer.write("user_roles", ("user_id", "role"), roles)
    writer.write("department_managers", ("user_id", "department_id"), managers)
    admin = next((u for u, e in ctx.email_of.items() if e.startswith("admin@")), None)
    for user_id, role in roles:
        if role != "employee":
            ctx.audit(ctx.now, admin, "user.create", "users", user_id, changes={"roles": [role]})
    ctx.flush_audit()
    writer.report("staff", "departments", "partner_cities", "users", "user_roles")
