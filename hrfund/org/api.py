"""API routes of partner cities and departments."""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from hrfund.core.apiutil import created, iso_date, json_body, page_response, parse_date, parse_str
from hrfund.core.errors import NotFound, ValidationFailed
from hrfund.core.permissions import login_required, roles_required
from hrfund.org import services
from hrfund.org.models import Department, PartnerCity

bp = Blueprint("org_api", __name__)


def city_json(city: PartnerCity) -> dict:
    return {
        "code": city.code,
        "name_en": city.name_en,
        "name_ja": city.name_ja,
        "country": city.country,
        "timezone": city.timezone,
        "currency": city.currency,
        "relationship": city.relationship.value,
        "since": iso_date(city.since),
        "cooperation_areas": list(city.cooperation_areas or []),
        "active": city.active,
    }


def department_json(department: Department) -> dict:
    return {
        "code": department.code,
        "name_en": department.name_en,
        "name_ja": department.name_ja,
        "level": department.level.value,
        "parent": department.parent.code if department.parent else None,
    }


@bp.route("/cities")
@login_required
def list_cities():
    """Partner cities.
    ---
    get:
      summary: List partner cities
      tags: [cities]
      parameters:
        - {name: active, in: query, schema: {type: integer, enum: [0, 1]}}
        - {name: page, in: query, schema: {type: integer}}
        - {name: per_page, in: query, schema: {type: integer, maximum: 200}}
      responses:
        200: {description: A page of cities}
    """
    active = request.args.get("active")
    stmt = services.cities_query(active=None if active in (None, "") else active == "1")
    return page_response(stmt, city_json)


@bp.route("/cities/<code>")
@login_required
def get_city(code: str):
    """One partner city.
    ---
    get:
      summary: A partner city by code
      tags: [cities]
      responses:
        200: {description: The city}
        404: {description: No such city}
    """
    return city_json(services.get_city_by_code(code))


@bp.route("/cities", methods=["POST"])
@roles_required("hr", "admin")
def create_city():
    """Add a partner city.
    ---
    post:
      summary: Create a partner city
      tags: [cities]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [code, name_en, name_ja, country, timezone, currency, relationship]
              properties:
                code: {type: string, example: SEL}
                name_en: {type: string}
                name_ja: {type: string}
                country: {type: string, example: KR}
                timezone: {type: string, example: Asia/Seoul}
                currency: {type: string, example: KRW}
                relationship:
                  type: string
                  enum: [sister, friendship, policy_cooperation, memorandum, other]
                since: {type: string, format: date}
                cooperation_areas: {type: array, items: {type: string}}
      responses:
        201: {description: The new city}
        400: {description: Invalid fields}
        403: {description: Only HR and admins}
    """
    data = json_body()
    values = {
        name: parse_str(data, name)
        for name in (
            "code",
            "name_en",
            "name_ja",
            "country",
            "timezone",
            "currency",
            "relationship",
        )
    }
    values["since"] = parse_date(data, "since")
    areas = data.get("cooperation_areas", [])
    if not isinstance(areas, list):
        raise ValidationFailed(
            str(_l("cooperation_areas must be a list.")),
            fields={"cooperation_areas": [str(_l("must be a list"))]},
        )
    values["cooperation_areas"] = areas
    if "active" in data:
        if not isinstance(data["active"], bool):
            raise ValidationFailed(
                str(_l("active must be true or false.")),
                fields={"active": [str(_l("must be true or false"))]},
            )
        values["active"] = data["active"]
    return created(city_json(services.create_city(current_user, **values)))


@bp.route("/departments")
@login_required
def list_departments():
    """TMG departments.
    ---
    get:
      summary: List departments
      tags: [departments]
      parameters:
        - {name: q, in: query, schema: {type: string}}
        - {name: page, in: query, schema: {type: integer}}
        - {name: per_page, in: query, schema: {type: integer, maximum: 200}}
      responses:
        200: {description: A page of departments}
    """
    return page_response(services.departments_query(request.args.get("q")), department_json)


@bp.route("/departments", methods=["POST"])
@roles_required("admin")
def create_department():
    """Add a department.
    ---
    post:
      summary: Create a department
      tags: [departments]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [code, name_en, name_ja]
              properties:
                code: {type: string}
                name_en: {type: string}
                name_ja: {type: string}
                level: {type: string, enum: [bureau, department, section]}
                parent: {type: string, description: code of the parent}
      responses:
        201: {description: The new department}
        400: {description: Invalid fields}
        403: {description: Only admins}
    """
    data = json_body()
    values = {
        name: parse_str(data, name, max_length=200) for name in ("code", "name_en", "name_ja")
    }
    values["level"] = parse_str(data, "level") or "department"
    parent_code = parse_str(data, "parent")
    if parent_code:
        try:
            values["parent"] = services.get_department_by_code(parent_code)
        except NotFound:
            raise ValidationFailed(
                str(_l("Unknown parent department.")),
                fields={"parent": [str(_l("No department has this code."))]},
            ) from None
    return created(department_json(services.create_department(current_user, **values)))
