"""Departments of the TMG hierarchy and the overseas partner cities."""

from __future__ import annotations

import enum
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.orm import Mapped, mapped_column

from hrfund.core.db import TimestampMixin, str_enum
from hrfund.extensions import db


class DepartmentLevel(enum.StrEnum):
    BUREAU = "bureau"
    DEPARTMENT = "department"
    SECTION = "section"


class Relationship(enum.StrEnum):
    SISTER = "sister"
    FRIENDSHIP = "friendship"
    POLICY_COOPERATION = "policy_cooperation"
    MEMORANDUM = "memorandum"
    OTHER = "other"


#: Relationships that count as a concrete relation toward the target of 30 cities.
CONCRETE_RELATIONSHIPS = frozenset(
    {
        Relationship.SISTER,
        Relationship.FRIENDSHIP,
        Relationship.POLICY_COOPERATION,
        Relationship.MEMORANDUM,
    }
)


class CooperationArea(enum.StrEnum):
    WATERWORKS = "waterworks"
    URBAN_DEVELOPMENT = "urban_development"
    CRISIS_MANAGEMENT = "crisis_management"
    INFECTIOUS_DISEASES = "infectious_diseases"
    ENVIRONMENT = "environment"
    ARTS_CULTURE = "arts_culture"
    TOURISM = "tourism"
    FINANCE = "finance"


class Department(TimestampMixin, db.Model):
    """A bureau, department or section of the TMG."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name_ja: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200))
    level: Mapped[DepartmentLevel] = mapped_column(
        str_enum(DepartmentLevel, "department_level"), default=DepartmentLevel.DEPARTMENT
    )
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id"), index=True)

    parent: Mapped[Department | None] = so.relationship(remote_side=[id])

    def name(self, locale: str) -> str:
        return self.name_ja if locale == "ja" else self.name_en

    def __repr__(self) -> str:
        return f"<Department {self.code}>"


class PartnerCity(TimestampMixin, db.Model):
    """An overseas city the TMG has (or seeks) a concrete relation with."""

    __tablename__ = "partner_cities"
    __table_args__ = (
        sa.CheckConstraint("length(code) between 2 and 8", name="code_length"),
        sa.CheckConstraint("length(country) = 2", name="country_alpha2"),
        sa.CheckConstraint("length(currency) = 3", name="currency_alpha3"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(8), unique=True)
    name_en: Mapped[str] = mapped_column(sa.String(200))
    name_ja: Mapped[str] = mapped_column(sa.String(200))
    country: Mapped[str] = mapped_column(sa.String(2))
    timezone: Mapped[str] = mapped_column(sa.String(64))
    currency: Mapped[str] = mapped_column(sa.String(3))
    relationship: Mapped[Relationship] = mapped_column(str_enum(Relationship, "relationship"))
    since: Mapped[date | None]
    cooperation_areas: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    def name(self, locale: str) -> str:
        return self.name_ja if locale == "ja" else self.name_en

    @property
    def has_concrete_relation(self) -> bool:
        return self.active and self.relationship in CONCRETE_RELATIONSHIPS

    def __repr__(self) -> str:
        return f"<PartnerCity {self.code}>"
