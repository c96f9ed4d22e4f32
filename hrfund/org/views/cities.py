"""Pages of the partner cities (/cities): everyone reads, HR and admins edit."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrfund.core.errors import ValidationFailed
from hrfund.core.forms import show_errors
from hrfund.core.i18n import localized_name
from hrfund.core.pagination import paginate, parse_page_args
from hrfund.core.permissions import login_required, roles_required
from hrfund.org import services
from hrfund.org.blueprint import bp
from hrfund.org.forms import (
    AREA_LABELS,
    RELATIONSHIP_LABELS,
    CityForm,
)
from hrfund.org.services import CITY_EDITORS


def _labels() -> dict:
    return {
        "relationship_labels": RELATIONSHIP_LABELS,
        "area_labels": AREA_LABELS,
    }


@bp.route("/cities")
@login_required
def cities():
    page, per_page = parse_page_args(request.args, current_app.config["PAGE_SIZE"], 200)
    q = (request.args.get("q") or "").strip()
    result = paginate(services.cities_query(q=q), page, per_page)
    return render_template(
        "org/cities.html",
        page=result,
        q=q,
        concrete=services.concrete_relation_count(),
        can_edit=current_user.has_role(*CITY_EDITORS),
        **_labels(),
    )


@bp.route("/cities/<code>")
@login_required
def city(code: str):
    city = services.get_city_by_code(code)
    return render_template(
        "org/city.html", city=city, can_edit=current_user.has_role(*CITY_EDITORS), **_labels()
    )


def _city_values(form: CityForm) -> dict:
    return {name: getattr(form, name).data for name in services.CITY_FIELDS}


@bp.route("/cities/new", methods=["GET", "POST"])
@roles_required(*CITY_EDITORS)
def new_city():
    form = CityForm()
    if form.validate_on_submit():
        try:
            city = services.create_city(current_user, **_city_values(form))
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("%(name)s is added.", name=localized_name(city)), "success")
            return redirect(url_for("org.city", code=city.code))
    status = 422 if form.is_submitted() else 200
    return render_template("org/city_form.html", form=form, city=None), status


@bp.route("/cities/<code>/edit", methods=["GET", "POST"])
@roles_required(*CITY_EDITORS)
def edit_city(code: str):
    city = services.get_city_by_code(code)
    form = CityForm(obj=city) if request.method == "GET" else CityForm()
    if form.validate_on_submit():
        try:
            services.update_city(current_user, city, **_city_values(form))
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The city is saved."), "success")
            return redirect(url_for("org.city", code=city.code))
    status = 422 if form.is_submitted() else 200
    return render_template("org/city_form.html", form=form, city=city), status
