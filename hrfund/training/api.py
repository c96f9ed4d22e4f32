"""API routes of training programs, training records, language scores and the talent pool."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import request
from flask_login import current_user

from hrfund.core.apiblueprint import ApiBlueprint
from hrfund.core.apischemas import page_of
from hrfund.core.apiutil import paged
from hrfund.core.errors import NotFound, ValidationFailed
from hrfund.core.inputs import parse_id
from hrfund.core.permissions import login_required, roles_required
from hrfund.training import records, rejections, services, talent
from hrfund.training.eligibility import eligibility
from hrfund.training.models import LanguageScore, TrainingProgram, TrainingRecord
from hrfund.training.schemas import (
    EligibilityQuery,
    EligibilitySchema,
    OwnEntryQuery,
    ProgramDetailSchema,
    ProgramIn,
    ProgramQuery,
    ProgramSchema,
    RecordIn,
    RecordSchema,
    RejectIn,
    ScoreIn,
    ScoreSchema,
    TalentArgs,
    TalentSchema,
)

bp = ApiBlueprint("training_api", __name__, description="Training, language scores, talent")


def _names_caller(value) -> bool:
    return records.names_actor(current_user, value)


def _subject(value):
    """The subject of a new entry: ``user`` (email or id), the caller when absent."""
    return records.entry_subject(current_user, value, "user")


def _user_value(raw: str):
    # an id out of range stays text: it names no one, as an unknown e-mail address does
    return parse_id(raw) if parse_id(raw) is not None else raw


def _narrowed_to_user(stmt, column, raw: str | None):
    """``?user=`` narrows a list: a reader of every record names anyone; anyone else sees
    their own entries if they name themselves, else nothing (no lookup, no leak)."""
    if not raw:
        return stmt
    value = _user_value(raw)
    if services.sees_all_records(current_user):
        return stmt.where(column == records.find_employee(value, "user").id)
    return stmt.where(column == current_user.id if _names_caller(value) else sa.false())


def _program(program_id: int) -> TrainingProgram:
    try:
        return services.get_program_or_404(program_id)
    except NotFound as error:
        raise ValidationFailed(error.message, fields={"program_id": [error.message]}) from None


@bp.route("/training/programs")
@login_required
@bp.arguments(ProgramQuery, location="query")
@bp.response(200, page_of(ProgramSchema))
def list_programs(args):
    """The training catalogue"""
    stmt = services.programs_query(q=args.get("q"), category=args.get("category"), active=None)
    return paged(stmt)


@bp.route("/training/programs", methods=["POST"])
@roles_required("hr")
@bp.arguments(ProgramIn)
@bp.response(201, ProgramSchema)
def create_program(values):
    """Add a program to the catalogue (HR); ``title`` names it in both languages by default"""
    title = values.pop("title")
    values["title_en"] = values["title_en"] or title
    values["title_ja"] = values["title_ja"] or title
    return services.create_program(current_user, **values)


@bp.route("/training/programs/<int:program_id>")
@login_required
@bp.response(200, ProgramDetailSchema)
def get_program(program_id: int):
    """A training program with its sessions"""
    return services.get_program_or_404(program_id)


@bp.route("/training/records")
@login_required
@bp.arguments(OwnEntryQuery, location="query")
@bp.response(200, page_of(RecordSchema))
def list_records(args):
    """Training records the caller may see (own; HR and auditors all)"""
    stmt = services.records_visible_to(current_user).order_by(TrainingRecord.id.desc())
    stmt = _narrowed_to_user(stmt, TrainingRecord.user_id, args.get("user"))
    return paged(stmt.options(so.joinedload(TrainingRecord.user)))


@bp.route("/training/records", methods=["POST"])
@roles_required("employee", "hr")
@bp.arguments(RecordIn)
@bp.response(201, RecordSchema)
def create_record(values):
    """Record a training (HR for anyone, verified; an employee for self, unverified)"""
    user, program = _subject(values.pop("user", None)), _program(values.pop("program_id"))
    return records.record_training(current_user, user, program, **values)


@bp.route("/training/records/<int:record_id>/verify", methods=["POST"])
@roles_required("hr")
@bp.response(200, RecordSchema)
def verify_record(record_id: int):
    """Verify an employee's own training record (409: verified already)"""
    record = services.get_record_or_404(record_id, current_user)
    return records.verify_record(current_user, record)


@bp.route("/language-scores")
@login_required
@bp.arguments(OwnEntryQuery, location="query")
@bp.response(200, page_of(ScoreSchema))
def list_scores(args):
    """Language scores the caller may see (own; HR and auditors all)"""
    stmt = services.scores_visible_to(current_user).order_by(LanguageScore.id.desc())
    stmt = _narrowed_to_user(stmt, LanguageScore.user_id, args.get("user"))
    return paged(stmt.options(so.joinedload(LanguageScore.user)))


@bp.route("/language-scores", methods=["POST"])
@roles_required("employee", "hr")
@bp.arguments(ScoreIn)
@bp.response(201, ScoreSchema)
def create_score(values):
    """Record a language test result (HR for anyone, verified; an employee for self)"""
    user = _subject(values.pop("user", None))
    return records.add_language_score(current_user, user, **values)


@bp.route("/language-scores/<int:score_id>/verify", methods=["POST"])
@roles_required("hr")
@bp.response(200, ScoreSchema)
def verify_score(score_id: int):
    """Verify an employee's own language score (409: verified already)"""
    score = services.get_score_or_404(score_id, current_user)
    return records.verify_score(current_user, score)


@bp.route("/training/records/<int:record_id>/reject", methods=["POST"])
@roles_required("hr")
@bp.arguments(RejectIn)
@bp.response(200, RecordSchema)
def reject_record(values, record_id: int):
    """Reject an employee's own training record, with a reason they are told (409: decided)"""
    record = services.get_record_or_404(record_id, current_user)
    return rejections.reject_record(current_user, record, values["reason"])


@bp.route("/language-scores/<int:score_id>/reject", methods=["POST"])
@roles_required("hr")
@bp.arguments(RejectIn)
@bp.response(200, ScoreSchema)
def reject_score(values, score_id: int):
    """Reject an employee's own language score, with a reason they are told (409: decided)"""
    score = services.get_score_or_404(score_id, current_user)
    return rejections.reject_score(current_user, score, values["reason"])


@bp.route("/talent")
@roles_required("hr", "auditor")
@bp.arguments(TalentArgs, location="query")
@bp.response(200, page_of(TalentSchema))
def talent_search(_args):
    """Employees matching language, program, hours and department filters (HR, auditors)"""
    query = talent.parse_talent_args(request.args)  # the talent page's rule, once
    page = paged(talent.talent_select(query))
    return page | {"items": talent.attach_matches(page["items"], query)}


@bp.route("/eligibility")
@login_required
@bp.arguments(EligibilityQuery, location="query")
@bp.response(200, EligibilitySchema)
def check_eligibility(args):
    """Whether the caller (or, for HR, ``user``) meets a set of rules"""
    user = current_user
    if args.get("user") and current_user.has_role("hr"):
        user = records.find_employee(_user_value(args["user"]), "user")
    rules: dict = {}
    if "min_years_of_service" in args:
        rules["min_years_of_service"] = args["min_years_of_service"]
    if args.get("language_test"):
        rules["language"] = {
            "test": args["language_test"],
            "min_score": args.get("min_score") or "0",
        }
    if args.get("program_id"):
        rules["required_programs"] = args["program_id"]
    return eligibility(user, rules).as_dict()
