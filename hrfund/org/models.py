"""Departments of the TMG hierarchy and the overseas partner cities."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from hrfund.core.db import TimestampMixin, str_enum
from hrfund.core.labels import LabelledEnum
from hrfund.extensions import Model


class DepartmentLevel(LabelledEnum):
    BUREAU = "bureau", _l("Bureau")
    DEPARTMENT = "department", _l("Department")
    SECTION = "section", _l("Section")


class Relationship(LabelledEnum):
    SISTER = "sister", _l("Sister city")
    FRIENDSHIP = "friendship", _l("Friendship city")
    POLICY_COOPERATION = "policy_cooperation", _l("Policy cooperation agreement")
    MEMORANDUM = "memorandum", _l("Memorandum")
    OTHER = "other", _l("Other")


#: Relationships that count as a concrete relation toward the target of 30 cities.
CONCRETE_RELATIONSHIPS = frozenset(
    {
        Relationship.SISTER,
        Relationship.FRIENDSHIP,
        Relationship.POLICY_COOPERATION,
        Relationship.MEMORANDUM,
    }
)


class CooperationArea(LabelledEnum):
    WATERWORKS = "waterworks", _l("Waterworks and sewerage")
    URBAN_DEVELOPMENT = "urban_development", _l("Urban development")
    CRISIS_MANAGEMENT = "crisis_management", _l("Crisis management")
    INFECTIOUS_DISEASES = "infectious_diseases", _l("Infectious diseases")
    ENVIRONMENT = "environment", _l("Environment")
    ARTS_CULTURE = "arts_culture", _l("Arts and culture")
    TOURISM = "tourism", _l("Tourism")
    FINANCE = "finance", _l("Finance")


class Department(TimestampMixin, Model):
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


class PartnerCity(TimestampMixin, Model):
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
