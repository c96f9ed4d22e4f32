"""API routes of HR's rejection of a language score or training record (on training's ``bp``)."""

from __future__ import annotations

from flask_login import current_user

from hrfund.core.apiutil import json_body, parse_str
from hrfund.core.permissions import roles_required
from hrfund.training import rejections, services
from hrfund.training.api import bp, record_json, score_json


def _reason() -> str:
    return parse_str(json_body(), "reason", max_length=rejections.MAX_REASON)


@bp.route("/training/records/<int:record_id>/reject", methods=["POST"])
@roles_required("hr")
def reject_record(record_id: int):
    """Reject an employee's own training record, with a reason they are told.
    ---
    post:
      summary: Reject a training record (HR)
      tags: [training]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [reason]
              properties:
                reason: {type: string, maxLength: 2000}
      responses:
        200: {description: The rejected record}
        400: {description: No reason}
        404: {description: No such record}
        409: {description: Already verified or rejected}
    """
    record = services.get_record_or_404(record_id, current_user)
    return record_json(rejections.reject_record(current_user, record, _reason()))


@bp.route("/language-scores/<int:score_id>/reject", methods=["POST"])
@roles_required("hr")
def reject_score(score_id: int):
    """Reject an employee's own language score, with a reason they are told.
    ---
    post:
      summary: Reject a language score (HR)
      tags: [training]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [reason]
              properties:
                reason: {type: string, maxLength: 2000}
      responses:
        200: {description: The rejected score}
        400: {description: No reason}
        404: {description: No such score}
        409: {description: Already verified or rejected}
    """
    score = services.get_score_or_404(score_id, current_user)
    return score_json(rejections.reject_score(current_user, score, _reason()))
