"""API routes of partner cities and departments."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user

from hrfund.core.apiblueprint import ApiBlueprint
from hrfund.core.apischemas import page_of
from hrfund.core.apiutil import paged
from hrfund.core.errors import NotFound, ValidationFailed
from hrfund.core.permissions import login_required, roles_required
from hrfund.org import services
from hrfund.org.schemas import (
    CityIn,
    CityQuery,
    CitySchema,
    DepartmentIn,
    DepartmentQuery,
    DepartmentSchema,
)

bp = ApiBlueprint("org_api", __name__, description="Partner cities and TMG departments")


@bp.route("/cities")
@login_required
@bp.arguments(CityQuery, location="query")
@bp.response(200, page_of(CitySchema))
def list_cities(args):
    """Partner cities"""
    active = args.get("active")
    return paged(services.cities_query(active=None if active is None else active == "1"))


@bp.route("/cities/<code>")
@login_required
@bp.response(200, CitySchema)
def get_city(code: str):
    """A partner city by its code (404: no such city)"""
    return services.get_city_by_code(code)


@bp.route("/cities", methods=["POST"])
@roles_required("hr", "admin")
@bp.arguments(CityIn)
@bp.response(201, CitySchema)
def create_city(values):
    """Add a partner city (HR and admins)"""
    return services.create_city(current_user, **values)


@bp.route("/departments")
@login_required
@bp.arguments(DepartmentQuery, location="query")
@bp.response(200, page_of(DepartmentSchema))
def list_departments(args):
    """TMG departments"""
    return paged(services.departments_query(args.get("q")))


@bp.route("/departments", methods=["POST"])
@roles_required("admin")
@bp.arguments(DepartmentIn)
@bp.response(201, DepartmentSchema)
def create_department(values):
    """Add a department (admins)"""
    parent_code = values.pop("parent", "")
    if parent_code:
        try:
            values["parent"] = services.get_department_by_code(parent_code)
        except NotFound:
            raise ValidationFailed(
                str(_l("Unknown parent department.")),
                fields={"parent": [str(_l("No department has this code."))]},
            ) from None
    return services.create_department(current_user, **values)
