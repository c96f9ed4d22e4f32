"""Fund pages: HR runs the fund, auditors read every yen of it."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from hrfund.auth.models import named_person
from hrfund.core.errors import DomainError, ValidationFailed
from hrfund.core.fiscal import current_fiscal_year, fiscal_year_bounds, tokyo_today
from hrfund.core.form_checks import page_status, run_with_form
from hrfund.core.forms import show_errors
from hrfund.core.pagination import list_count_cap, paginate, parse_page_args
from hrfund.core.permissions import roles_required
from hrfund.core.template_globals import yen
from hrfund.extensions import db
from hrfund.fund import exports, figures, services
from hrfund.fund.amounts import parse_fiscal_year
from hrfund.fund.blueprint import bp
from hrfund.fund.forms import (
    CATEGORY_LABELS,
    KIND_LABELS,
    PURPOSE_LABELS,
    AllocationForm,
    CloseYearForm,
    ContributionForm,
    DisbursementForm,
    FxRateForm,
    ReverseForm,
)
from hrfund.fund.fx import fx_rates_query
from hrfund.fund.ledger_filters import parse_filters
from hrfund.fund.models import LedgerEntry

READERS = ("hr", "auditor")
WRITERS = ("hr",)


@bp.context_processor
def labels() -> dict:
    return {
        "category_labels": CATEGORY_LABELS,
        "kind_labels": KIND_LABELS,
        "purpose_labels": PURPOSE_LABELS,
        "can_post": current_user.has_role(*WRITERS),
    }


def _refused(form, error: DomainError):
    """A service said no: the message next to the fields, the form kept as typed."""
    if isinstance(error, ValidationFailed):
        return show_errors(form, error)
    flash(error.message, "danger")
    return error.message, error.status


@bp.route("/")
@roles_required(*READERS)
def overview():
    filters, errors = parse_filters(request.args)
    year = filters.get("fiscal_year") or current_fiscal_year()
    for message in errors:
        flash(message, "warning")
    years = sorted(set(figures.known_fiscal_years()) | {current_fiscal_year(), year}, reverse=True)
    return render_template(
        "fund/overview.html",
        summary=services.summary(year),
        years=years,
        bounds=fiscal_year_bounds(year),
    )


@bp.route("/ledger")
@roles_required(*READERS)
def ledger():
    filters, errors = parse_filters(request.args)
    for message in errors:
        flash(message, "warning")
    page, per_page = parse_page_args(request.args, current_app.config["PAGE_SIZE"], 200)
    stmt = figures.entries_query(**filters).options(named_person(LedgerEntry.created_by))
    return render_template(
        "fund/ledger.html",
        page=paginate(stmt, page, per_page, key=LedgerEntry.id, count_cap=list_count_cap()),
        filters=filters,
        years=figures.known_fiscal_years(),
        export_args={k: v for k, v in request.args.to_dict(flat=False).items() if k != "page"},
    )


@bp.route("/ledger.<any(csv, xlsx):fmt>")
@roles_required(*READERS)
def export(fmt: str):
    # strict: a filter that cannot be read must not widen the file to more of the ledger
    filters, _errors = parse_filters(request.args, strict=True)
    return exports.response(fmt, figures.entries_query(**filters))


@bp.route("/entries/<int:entry_id>")
@roles_required(*READERS)
def entry(entry_id: int):
    found = services.get_entry(entry_id)
    reversal = db.session.scalar(figures.entries_query().where(LedgerEntry.reverses_id == found.id))
    return render_template("fund/entry.html", entry=found, reversal=reversal)


@bp.route("/entries/<int:entry_id>/reverse", methods=["GET", "POST"])
@roles_required(*WRITERS)
def reverse_entry(entry_id: int):
    found = services.get_entry(entry_id)
    form = ReverseForm()
    status = 200
    if form.validate_on_submit():
        try:
            reversal = services.reverse(current_user, found.id, form.memo.data)
        except DomainError as error:
            _message, status = _refused(form, error)
        else:
            flash(
                _("Entry %(id)d is reversed by entry %(new)d.", id=found.id, new=reversal.id),
                "success",
            )
            return redirect(url_for("fund.entry", entry_id=reversal.id))
    elif form.is_submitted():
        status = 422
    return render_template("fund/reverse.html", form=form, entry=found), status


def _posting_page(form, template: str, post, success, rename: dict[str, str] | None = None):
    """GET shows the form; POST runs the service with the form's own checks, so that every
    error is said on the first submit, and redirects, or re-renders with all of them."""
    entry = run_with_form(form, lambda: post(form), rename=rename)
    if entry is not None:
        flash(success(entry), "success")
        return redirect(url_for("fund.overview", fiscal_year=entry.fiscal_year))
    return render_template(template, form=form), page_status(form)


@bp.route("/contributions/new", methods=["GET", "POST"])
@roles_required(*WRITERS)
def new_contribution():
    form = ContributionForm()
    if request.method == "GET":
        form.received_on.data = tokyo_today()
    return _posting_page(
        form,
        "fund/contribution_form.html",
        lambda f: services.contribute(
            current_user, f.amount_jpy.data, f.received_on.data, f.memo.data
        ),
        lambda e: _("%(amount)s is recorded as a contribution.", amount=yen(e.amount_jpy)),
    )


@bp.route("/allocations/new", methods=["GET", "POST"])
@roles_required(*WRITERS)
def new_allocation():
    form = AllocationForm()
    if request.method == "GET":
        form.fiscal_year.data = request.args.get("fiscal_year") or str(current_fiscal_year())
        form.category.data = request.args.get("category") or form.category.data
    return _posting_page(
        form,
        "fund/allocation_form.html",
        lambda f: services.allocate(
            current_user, f.fiscal_year.data, f.category.data, f.amount_jpy.data, f.memo.data
        ),
        lambda e: _("%(amount)s is allocated.", amount=yen(e.amount_jpy)),
        rename={"allocated_jpy": "amount_jpy"},
    )


@bp.route("/disbursements/new", methods=["GET", "POST"])
@roles_required(*WRITERS)
def new_disbursement():
    form = DisbursementForm()
    if request.method == "GET":
        form.paid_on.data = tokyo_today()
        form.placement_id.data = request.args.get("placement_id", "")
    return _posting_page(
        form,
        "fund/disbursement_form.html",
        lambda f: services.disburse(
            current_user,
            paid_on=f.paid_on.data,
            amount=f.amount.data,
            currency=f.currency.data,
            fx_rate=f.fx_rate.data,
            placement_id=f.placement_id.data,
            category=f.category.data or None,
            fiscal_year=f.fiscal_year.data,
            purpose=f.purpose.data or None,
            memo=f.memo.data,
        ),
        lambda e: _("A disbursement of %(amount)s is recorded.", amount=yen(e.amount_jpy)),
    )


@bp.route("/fx-rates")
@roles_required(*READERS)
def fx_rates():
    page, per_page = parse_page_args(request.args, current_app.config["PAGE_SIZE"], 200)
    currency = (request.args.get("currency") or "").strip().upper()[:3]
    return render_template(
        "fund/fx_rates.html",
        currency=currency,
        page=paginate(fx_rates_query(currency), page, per_page),
    )


@bp.route("/fx-rates/new", methods=["GET", "POST"])
@roles_required(*WRITERS)
def new_fx_rate():
    form = FxRateForm()
    if request.method == "GET":
        form.rate_on.data = tokyo_today()
    fx = run_with_form(  # the form's errors and the service's, on the first submit
        form,
        lambda: services.record_fx_rate(
            current_user, form.currency.data, form.rate_on.data, form.jpy_per_unit.data
        ),
        rename={"on": "rate_on"},
    )
    if fx is None:
        return render_template("fund/fx_rate_form.html", form=form), page_status(form)
    flash(
        _(
            "1 %(currency)s = %(rate)s yen on %(on)s is recorded.",
            currency=fx.currency,
            rate=fx.jpy_per_unit,
            on=fx.rate_on.isoformat(),
        ),
        "success",
    )
    return redirect(url_for("fund.fx_rates"))


def _close(form: CloseYearForm, fiscal_year: int) -> int | None:
    """Close the year as the valid form says: None when done (and said), else the status of
    the page showing the refusal."""
    try:
        posted = services.close_fiscal_year(
            current_user, fiscal_year, form.release_open_commitments.data
        )
    except DomainError as error:
        return _refused(form, error)[1]
    flash(
        _(
            "FY%(year)d is closed (%(count)d entries posted).",
            year=fiscal_year,
            count=len(posted),
        ),
        "success",
    )
    return None


@bp.route("/years/<int:fiscal_year>/close", methods=["GET", "POST"])
@roles_required(*WRITERS)
def close_year(fiscal_year: int):
    fiscal_year = parse_fiscal_year(fiscal_year) or fiscal_year  # refused when not a year
    form = CloseYearForm()
    status = 200
    if form.validate_on_submit():
        refused = _close(form, fiscal_year)
        if refused is None:
            return redirect(url_for("fund.overview", fiscal_year=fiscal_year))
        status = refused
    elif form.is_submitted():
        status = 422
    return render_template(
        "fund/close.html",
        form=form,
        summary=services.summary(fiscal_year),
        bounds=fiscal_year_bounds(fiscal_year),
    ), status
