"""``flask seed-demo``: demo departments, partner cities and one user for every role."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from hrfund.auth import services as auth_services
from hrfund.auth.models import User
from hrfund.extensions import db
from hrfund.org import services as org_services
from hrfund.org.models import Department, PartnerCity
from hrfund.seed_org import CITIES, DEPARTMENTS

DEMO_PASSWORD = "Tokyo-Diplomacy-2026"  # noqa: S105 - demo data, printed on purpose

USERS = [
    # email, roles, profile, department, manages, city
    (
        "yamada.taro@metro.tokyo.example",
        ["employee"],
        {
            "family_name": "山田",
            "given_name": "太郎",
            "family_name_kana": "ヤマダ",
            "given_name_kana": "タロウ",
            "family_name_romaji": "Yamada",
            "given_name_romaji": "Taro",
            "employee_number": "T0001001",
            "joined_on": date(2015, 4, 1),
        },
        "UD-PLN",
        [],
        None,
    ),
    (
        "tanaka.misaki@metro.tokyo.example",
        ["employee"],
        {
            "family_name": "田中",
            "given_name": "美咲",
            "family_name_kana": "タナカ",
            "given_name_kana": "ミサキ",
            "family_name_romaji": "Tanaka",
            "given_name_romaji": "Misaki",
            "employee_number": "T0001207",
            "joined_on": date(2012, 4, 1),
        },
        "UD-PLN",
        [],
        None,
    ),
    (
        "sato.hanako@metro.tokyo.example",
        ["employee", "manager"],
        {
            "family_name": "佐藤",
            "given_name": "花子",
            "family_name_kana": "サトウ",
            "given_name_kana": "ハナコ",
            "family_name_romaji": "Sato",
            "given_name_romaji": "Hanako",
            "employee_number": "T0000502",
            "joined_on": date(2001, 4, 1),
        },
        "UD-PLN",
        ["UD-PLN", "UD"],
        None,
    ),
    (
        "suzuki.ichiro@metro.tokyo.example",
        ["employee", "hr"],
        {
            "family_name": "鈴木",
            "given_name": "一郎",
            "family_name_kana": "スズキ",
            "given_name_kana": "イチロウ",
            "family_name_romaji": "Suzuki",
            "given_name_romaji": "Ichiro",
            "employee_number": "T0000301",
            "joined_on": date(2008, 4, 1),
        },
        "GA-PER",
        [],
        None,
    ),
    (
        "kim.minji@seoul.example",
        ["coordinator"],
        {"family_name_romaji": "Kim", "given_name_romaji": "Minji", "locale": "en"},
        None,
        [],
        "SEL",
    ),
    (
        "anna.schmidt@berlin.example",
        ["coordinator"],
        {"family_name_romaji": "Schmidt", "given_name_romaji": "Anna", "locale": "en"},
        None,
        [],
        "BER",
    ),
    (
        "takahashi.kenji@metro.tokyo.example",
        ["auditor"],
        {
            "family_name": "高橋",
            "given_name": "健二",
            "family_name_kana": "タカハシ",
            "given_name_kana": "ケンジ",
            "family_name_romaji": "Takahashi",
            "given_name_romaji": "Kenji",
            "employee_number": "T0000120",
        },
        "GA-AUD",
        [],
        None,
    ),
    (
        "admin@metro.tokyo.example",
        ["admin"],
        {
            "family_name": "伊藤",
            "given_name": "誠",
            "family_name_kana": "イトウ",
            "given_name_kana": "マコト",
            "family_name_romaji": "Ito",
            "given_name_romaji": "Makoto",
        },
        "GA",
        [],
        None,
    ),
]


def seed_demo() -> list[tuple[str, str]]:
    """Load the demo data into an empty database; returns (email, roles) of the demo users."""
    departments: dict[str | None, Department] = {}
    for code, name_ja, name_en, level, parent in DEPARTMENTS:
        departments[code] = org_services.create_department(
            None,
            code=code,
            name_ja=name_ja,
            name_en=name_en,
            level=level,
            parent=departments.get(parent),
        )
    cities: dict[str | None, PartnerCity] = {}
    for code, en, ja, country, tz, currency, relationship, since, areas in CITIES:
        cities[code] = org_services.create_city(
            None,
            code=code,
            name_en=en,
            name_ja=ja,
            country=country,
            timezone=tz,
            currency=currency,
            relationship=relationship,
            since=since,
            cooperation_areas=areas,
        )
    created, users = [], {}
    for email, roles, profile, department, manages, city in USERS:
        users[email] = auth_services.create_user(
            None,
            email=email,
            roles=roles,
            password=DEMO_PASSWORD,
            department=departments.get(department),
            city=cities.get(city),
            manages=[departments[c] for c in manages],
            **cast(dict[str, Any], profile),
        )
        created.append((email, ", ".join(roles)))
    from hrfund.seed_activity import seed_activity

    seed_activity(users, cities)
    return created


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has users already.")
@with_appcontext
def seed_demo_command(if_empty: bool) -> None:
    """Load demo data and demo users, and print their logins."""
    if db.session.scalar(sa.select(sa.func.count(User.id))):
        if if_empty:
            click.echo("The database has data already; demo data not loaded.")
            return
        raise click.ClickException("The database is not empty; seed-demo loads into an empty one.")
    created = seed_demo()
    db.session.commit()
    click.echo(f"Demo users (password for all: {DEMO_PASSWORD}):")
    for email, roles in created:
        click.echo(f"  {email:40} {roles}")
