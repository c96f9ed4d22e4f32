"""Test data made through the real services, with Japanese names where people have them."""

from __future__ import annotations

import itertools
from datetime import date

import sqlalchemy as sa

from hrfund.auth import services as auth_services
from hrfund.extensions import db
from hrfund.org import services as org_services
from hrfund.org.models import Department, PartnerCity

TEST_PASSWORD = "Correct-Horse-Battery-9"
_seq = itertools.count(1)

FAMILY = [
    ("山田", "ヤマダ", "Yamada"),
    ("佐藤", "サトウ", "Sato"),
    ("鈴木", "スズキ", "Suzuki"),
    ("高橋", "タカハシ", "Takahashi"),
    ("田中", "タナカ", "Tanaka"),
]
GIVEN = [
    ("太郎", "タロウ", "Taro"),
    ("花子", "ハナコ", "Hanako"),
    ("一郎", "イチロウ", "Ichiro"),
    ("美咲", "ミサキ", "Misaki"),
    ("健", "ケン", "Ken"),
]


def department(code: str | None = None, **kwargs) -> Department:
    n = next(_seq)
    code = code or f"D{n:04d}"
    existing = db.session.scalar(sa.select(Department).where(Department.code == code))
    if existing:
        return existing
    return org_services.create_department(
        None,
        code=code,
        name_ja=kwargs.pop("name_ja", f"テスト部{n}"),
        name_en=kwargs.pop("name_en", f"Test Department {n}"),
        **kwargs,
    )


def city(code: str = "SEL", **kwargs) -> PartnerCity:
    existing = db.session.scalar(sa.select(PartnerCity).where(PartnerCity.code == code))
    if existing:
        return existing
    defaults = {
        "SEL": ("Seoul", "ソウル", "KR", "Asia/Seoul", "KRW", "sister"),
        "BER": ("Berlin", "ベルリン", "DE", "Europe/Berlin", "EUR", "sister"),
        "BKK": ("Bangkok", "バンコク", "TH", "Asia/Bangkok", "THB", "memorandum"),
    }.get(code, (f"City {code}", f"都市{code}", "FR", "Europe/Paris", "EUR", "other"))
    name_en, name_ja, country, tz, currency, relationship = defaults
    values = {
        "code": code,
        "name_en": name_en,
        "name_ja": name_ja,
        "country": country,
        "timezone": tz,
        "currency": currency,
        "relationship": relationship,
    } | kwargs
    return org_services.create_city(None, **values)


def user(
    roles=("employee",),
    *,
    email: str | None = None,
    password: str = TEST_PASSWORD,
    city_code: str | None = None,
    **kwargs,
):
    n = next(_seq)
    roles = list(roles)
    family = FAMILY[n % len(FAMILY)]
    given = GIVEN[n % len(GIVEN)]
    profile = {
        "family_name": family[0],
        "family_name_kana": family[1],
        "family_name_romaji": family[2],
        "given_name": given[0],
        "given_name_kana": given[1],
        "given_name_romaji": given[2],
    }
    if "coordinator" in roles:
        kwargs.setdefault("city", city(city_code or "SEL"))
    if "manager" in roles or "employee" in roles:
        kwargs.setdefault("department", department())
    profile["locale"] = "en"  # readable assertions; Japanese has its own tests
    profile.update({k: v for k, v in kwargs.items() if k not in ("city", "department", "manages")})
    return auth_services.create_user(
        None,
        email=email or f"user{n}-{'-'.join(roles)}@metro.tokyo.example",
        password=password,
        roles=roles,
        city=kwargs.get("city"),
        department=kwargs.get("department"),
        manages=kwargs.get("manages"),
        **{k: v for k, v in profile.items()},
    )


def placement_rows(*ids: int) -> None:
    """Proposed outgoing placements with exactly these ids, for ledger tests that name a placement
    by number (the ledger's placement_id is a foreign key). On PostgreSQL the id sequence is moved
    past them, so that placements created afterwards never take one of these numbers."""
    from hrfund.placements.models import Direction, Placement, PlacementStatus

    person = user(["employee"])
    where = db.session.scalar(sa.select(PartnerCity).where(PartnerCity.code == "LDG")) or city(
        "LDG", name_en="Ledger City", name_ja="台帳市"
    )
    for placement_id in ids:
        db.session.add(
            Placement(
                id=placement_id,
                direction=Direction.OUTGOING,
                status=PlacementStatus.PROPOSED,
                city_id=where.id,
                person_id=person.id,
                start_on=date(2026, 9, 1),
                end_on=date(2027, 2, 28),
                fiscal_year=2026,
            )
        )
    db.session.flush()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            sa.text(
                "SELECT setval(pg_get_serial_sequence('placements', 'id'), "
                "GREATEST((SELECT max(id) FROM placements), nextval(pg_get_serial_sequence"
                "('placements', 'id'))))"
            )
        )
