"""API routes of training programs, training records, language scores and the talent pool."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, request
from flask_login import current_user

from hrfund.core.apiutil import created, iso_date, json_body, page_response, parse_date, parse_str
from hrfund.core.errors import NotFound, ValidationFailed
from hrfund.core.inputs import parse_id
from hrfund.core.pagination import paginate, parse_page_args
from hrfund.core.permissions import login_required, roles_required
from hrfund.training import records, services, talent
from hrfund.training.eligibility import eligibility
from hrfund.training.models import LanguageScore, TrainingProgram, TrainingRecord

bp = Blueprint("training_api", __name__)


def _num(value) -> str | None:
    return None if value is None else str(value)


def program_json(program: TrainingProgram) -> dict:
    return {
        "id": program.id,
        "code": program.code,
        "title": program.title_en,
        "title_en": program.title_en,
        "title_ja": program.title_ja,
        "category": program.category.value,
        "provider": program.provider,
        "hours": _num(program.hours),
        "language": program.language,
        "active": program.active,
    }


def record_json(record: TrainingRecord) -> dict:
    return {
        "id": record.id,
        "user": {"id": record.user_id, "email": record.user.email},
        "program_id": record.program_id,
        "session_id": record.session_id,
        "status": record.status.value,
        "completed_on": iso_date(record.completed_on),
        "hours": _num(record.hours),
        "score": _num(record.score),
        "expires_on": iso_date(record.expires_on),
        "verified": record.verified,
        "source": record.source.value,
        "has_certificate": record.certificate_id is not None,
    }


def score_json(score: LanguageScore) -> dict:
    return {
        "id": score.id,
        "user": {"id": score.user_id, "email": score.user.email},
        "test": score.test.value,
        "test_name": score.test_name,
        "score": _num(score.score),
        "level": score.level,
        "taken_on": iso_date(score.taken_on),
        "expires_on": iso_date(score.expires_on),
        "verified": score.verified,
        "has_certificate": score.certificate_id is not None,
    }


def _names_caller(value) -> bool:
    return records.names_actor(current_user, value)


def _user_arg(data: dict):
    """The subject of a new entry: ``user`` (email or id), the caller when absent."""
    return records.entry_subject(current_user, data.get("user"), "user")


def _narrowed_to_user(stmt, column):
    """``?user=`` narrows a list: a reader of every record names anyone; anyone else sees
    their own entries if they name themselves, else nothing (no lookup, no leak)."""
    raw = request.args.get("user")
    if not raw:
        return stmt
    value = _maybe_int(raw)
    if services.sees_all_records(current_user):
        return stmt.where(column == records.find_employee(value, "user").id)
    return stmt.where(column == current_user.id if _names_caller(value) else sa.false())


def _program_arg(data: dict) -> TrainingProgram:
    program_id = data.get("program_id")
    if not isinstance(program_id, int) or isinstance(program_id, bool):
        raise ValidationFailed(
            "program_id is required.", fields={"program_id": ["must be a program id"]}
        )
    try:
        return services.get_program_or_404(program_id)
    except NotFound:
        raise ValidationFailed(
            "Unknown program.", fields={"program_id": ["no program with this id"]}
        ) from None


@bp.route("/training/programs")
@login_required
def list_programs():
    """The training catalogue.
    ---
    get:
      summary: List training programs
      tags: [training]
      parameters:
        - name: category
          in: query
          schema: {type: string, enum: [language, overseas_training, seminar, e_learning,
                                        cross_cultural]}
        - {name: q, in: query, schema: {type: string}}
        - {name: page, in: query, schema: {type: integer}}
        - {name: per_page, in: query, schema: {type: integer, maximum: 200}}
      responses:
        200: {description: A page of programs}
    """
    stmt = services.programs_query(
        q=request.args.get("q"), category=request.args.get("category") or None, active=None
    )
    return page_response(stmt, program_json)


@bp.route("/training/programs", methods=["POST"])
@roles_required("hr")
def create_program():
    """Add a program to the catalogue.
    ---
    post:
      summary: Create a training program
      tags: [training]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [title, category, hours]
              properties:
                title: {type: string, description: both languages unless title_ja/title_en}
                title_ja: {type: string}
                title_en: {type: string}
                category:
                  type: string
                  enum: [language, overseas_training, seminar, e_learning, cross_cultural]
                hours: {type: string, example: "12.5"}
                provider: {type: string}
                code: {type: string}
                language: {type: string}
      responses:
        201: {description: The new program}
        400: {description: Invalid fields}
        403: {description: Only HR}
    """
    data = json_body()
    title = parse_str(data, "title", max_length=200)
    values = {
        "title_en": parse_str(data, "title_en", max_length=200) or title,
        "title_ja": parse_str(data, "title_ja", max_length=200) or title,
        "category": parse_str(data, "category"),
        "hours": data.get("hours"),
        "provider": parse_str(data, "provider", max_length=200),
        "code": parse_str(data, "code", max_length=32),
        "language": parse_str(data, "language", max_length=8),
    }
    return created(program_json(services.create_program(current_user, **values)))


@bp.route("/training/programs/<int:program_id>")
@login_required
def get_program(program_id: int):
    """One training program.
    ---
    get:
      summary: A training program with its sessions
      tags: [training]
      responses:
        200: {description: The program}
        404: {description: No such program}
    """
    program = services.get_program_or_404(program_id)
    body = program_json(program)
    body["sessions"] = [
        {
            "id": s.id,
            "starts_on": iso_date(s.starts_on),
            "ends_on": iso_date(s.ends_on),
            "place": s.place,
            "capacity": s.capacity,
            "seats_left": s.seats_left,
        }
        for s in program.sessions
    ]
    return body


@bp.route("/training/records")
@login_required
def list_records():
    """Training records the caller may see.
    ---
    get:
      summary: List training records (own; HR and auditors all)
      tags: [training]
      parameters:
        - {name: user, in: query, schema: {type: string}, description: e-mail or id}
        - {name: page, in: query, schema: {type: integer}}
        - {name: per_page, in: query, schema: {type: integer, maximum: 200}}
      responses:
        200: {description: A page of records}
    """
    stmt = services.records_visible_to(current_user).order_by(TrainingRecord.id.desc())
    stmt = _narrowed_to_user(stmt, TrainingRecord.user_id)
    return page_response(stmt.options(_load_user(TrainingRecord)), record_json)


@bp.route("/training/records", methods=["POST"])
@roles_required("employee", "hr")
def create_record():
    """Record a training.
    ---
    post:
      summary: Create a training record (HR for anyone, verified; an employee for self, unverified)
      tags: [training]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [program_id, status]
              properties:
                user: {type: string, description: e-mail or id; the caller when absent}
                program_id: {type: integer}
                status: {type: string, enum: [enrolled, completed, failed, cancelled]}
                completed_on: {type: string, format: date}
                hours: {type: string, example: "7.5"}
                score: {type: string}
                expires_on: {type: string, format: date}
      responses:
        201: {description: The new record}
        400: {description: Invalid fields}
        403: {description: An employee recording for someone else}
        409: {description: Already recorded for that date}
    """
    data = json_body()
    user, program = _user_arg(data), _program_arg(data)
    record = records.record_training(
        current_user,
        user,
        program,
        status=parse_str(data, "status"),
        completed_on=parse_date(data, "completed_on"),
        hours=data.get("hours"),
        score=data.get("score"),
        expires_on=parse_date(data, "expires_on"),
        note=parse_str(data, "note", max_length=2000),
    )
    return created(record_json(record))


@bp.route("/training/records/<int:record_id>/verify", methods=["POST"])
@roles_required("hr")
def verify_record(record_id: int):
    """Verify an employee's own training record.
    ---
    post:
      summary: Verify a training record
      tags: [training]
      responses:
        200: {description: The verified record}
        404: {description: No such record}
        409: {description: Already verified}
    """
    record = services.get_record_or_404(record_id, current_user)
    return record_json(records.verify_record(current_user, record))


@bp.route("/language-scores")
@login_required
def list_scores():
    """Language scores the caller may see.
    ---
    get:
      summary: List language scores (own; HR and auditors all)
      tags: [training]
      parameters:
        - {name: user, in: query, schema: {type: string}}
        - {name: page, in: query, schema: {type: integer}}
        - {name: per_page, in: query, schema: {type: integer, maximum: 200}}
      responses:
        200: {description: A page of scores}
    """
    stmt = services.scores_visible_to(current_user).order_by(LanguageScore.id.desc())
    stmt = _narrowed_to_user(stmt, LanguageScore.user_id)
    return page_response(stmt.options(_load_user(LanguageScore)), score_json)


@bp.route("/language-scores", methods=["POST"])
@roles_required("employee", "hr")
def create_score():
    """Record a language test result.
    ---
    post:
      summary: Create a language score (HR for anyone, verified; an employee for self, unverified)
      tags: [training]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [test, score, taken_on]
              properties:
                user: {type: string, description: e-mail or id; the caller when absent}
                test:
                  type: string
                  enum: [toeic, ielts, toefl_ibt, hsk, topik, delf_dalf, goethe, other]
                test_name: {type: string, description: required for other}
                score: {type: string, example: "6.5"}
                level: {type: string}
                taken_on: {type: string, format: date}
                expires_on: {type: string, format: date}
      responses:
        201: {description: The new score}
        400: {description: Invalid fields}
        403: {description: An employee recording for someone else}
        409: {description: Already recorded}
    """
    data = json_body()
    user = _user_arg(data)
    score = records.add_language_score(
        current_user,
        user,
        test=parse_str(data, "test"),
        score=data.get("score"),
        taken_on=parse_date(data, "taken_on", required=True),
        expires_on=parse_date(data, "expires_on"),
        test_name=parse_str(data, "test_name", max_length=100),
        level=parse_str(data, "level", max_length=20),
    )
    return created(score_json(score))


@bp.route("/language-scores/<int:score_id>/verify", methods=["POST"])
@roles_required("hr")
def verify_score(score_id: int):
    """Verify an employee's own language score.
    ---
    post:
      summary: Verify a language score
      tags: [training]
      responses:
        200: {description: The verified score}
        404: {description: No such score}
        409: {description: Already verified}
    """
    score = services.get_score_or_404(score_id, current_user)
    return score_json(records.verify_score(current_user, score))


@bp.route("/talent")
@roles_required("hr")
def talent_search():
    """Search the talent pool.
    ---
    get:
      summary: Employees matching language, program, hours and department filters
      tags: [training]
      parameters:
        - {name: language_test, in: query, schema: {type: string}}
        - {name: min_score, in: query, schema: {type: string}}
        - {name: program_id, in: query, schema: {type: integer}, description: repeatable; all}
        - {name: category, in: query, schema: {type: string}}
        - {name: min_hours, in: query, schema: {type: string}, description: hours in category}
        - {name: department, in: query, schema: {type: string}, description: code, with subunits}
        - {name: unverified, in: query, schema: {type: integer, enum: [0, 1]}}
        - {name: page, in: query, schema: {type: integer}}
        - {name: per_page, in: query, schema: {type: integer, maximum: 200}}
      responses:
        200: {description: A page of employees with their matching scores and programs}
        403: {description: Only HR}
    """
    query = talent.parse_talent_args(request.args)
    from flask import current_app, jsonify

    cfg = current_app.config
    page_no, per_page = parse_page_args(
        request.args, cfg["API_PER_PAGE_DEFAULT"], cfg["API_PER_PAGE_MAX"]
    )
    page = paginate(talent.talent_select(query), page_no, per_page)
    rows = talent.attach_matches(page.items, query)
    return jsonify(
        items=[_talent_json(row) for row in rows],
        page=page.page,
        per_page=page.per_page,
        total=page.total,
    )


@bp.route("/eligibility")
@login_required
def check_eligibility():
    """Whether the caller (or, for HR, ``user``) meets a set of rules.
    ---
    get:
      summary: Check eligibility against rules
      tags: [training]
      parameters:
        - {name: user, in: query, schema: {type: string}, description: HR only}
        - {name: min_years_of_service, in: query, schema: {type: integer}}
        - {name: language_test, in: query, schema: {type: string}}
        - {name: min_score, in: query, schema: {type: string}}
        - {name: program_id, in: query, schema: {type: integer}, description: repeatable}
      responses:
        200: {description: "{eligible, on, unmet: [{rule, message, details}]}"}
    """
    user = current_user
    if request.args.get("user") and current_user.has_role("hr"):
        user = records.find_employee(_maybe_int(request.args["user"]), "user")
    rules: dict = {}
    if request.args.get("min_years_of_service"):
        rules["min_years_of_service"] = _maybe_int(request.args["min_years_of_service"])
    if request.args.get("language_test"):
        rules["language"] = {
            "test": request.args["language_test"],
            "min_score": request.args.get("min_score") or "0",
        }
    if request.args.getlist("program_id"):
        rules["required_programs"] = [_maybe_int(p) for p in request.args.getlist("program_id")]
    return eligibility(user, rules).as_dict()


def _talent_json(row: talent.TalentRow) -> dict:
    user = row.user
    return {
        "id": user.id,
        "email": user.email,
        "name": user.display_name("en"),
        "name_ja": user.display_name("ja"),
        "employee_number": user.employee_number,
        "department": user.department.code if user.department else None,
        "scores": [
            {
                "test": s.test.value,
                "test_name": s.test_name,
                "score": _num(s.score),
                "taken_on": iso_date(s.taken_on),
                "expires_on": iso_date(s.expires_on),
                "verified": s.verified,
            }
            for s in row.scores
        ],
        "programs": [
            {
                "program_id": r.program_id,
                "title_en": r.program.title_en,
                "title_ja": r.program.title_ja,
                "category": r.program.category.value,
                "completed_on": iso_date(r.completed_on),
                "verified": r.verified,
            }
            for r in row.programs
        ],
    }


def _maybe_int(value: str):
    # an id out of range stays text: it names no one, as an unknown e-mail address does
    return parse_id(value) if parse_id(value) is not None else value


def _load_user(model):
    import sqlalchemy as sa

    return sa.orm.joinedload(model.user)
