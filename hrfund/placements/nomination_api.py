"""API route of the nominee's CV (on placements' API ``bp``): a multipart upload, since a CV is
a file; the answer is the nomination, with ``cv`` describing the stored file."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from hrfund.auth.models import Role
from hrfund.core.errors import ValidationFailed
from hrfund.core.permissions import roles_required
from hrfund.placements import nomination_details
from hrfund.placements import nominations as nominations_service
from hrfund.placements.api import bp, nomination_json


@bp.route("/nominations/<int:nomination_id>/cv", methods=["POST"])
@roles_required(Role.COORDINATOR)
def upload_nomination_cv(nomination_id: int):
    """Attach the nominee's CV (PDF, PNG or JPEG) while the nomination waits for Tokyo.
    ---
    post:
      summary: Upload the nominee's CV (coordinator of the nominating city)
      tags: [nominations]
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              required: [file]
              properties:
                file: {type: string, format: binary}
      responses:
        200: {description: The nomination with its CV}
        400: {description: No file, or not a PDF, PNG or JPEG}
        403: {description: Not the nominating city's coordinator}
        404: {description: No such nomination}
        409: {description: The nomination is decided}
        413: {description: The file is too large}
    """
    nomination = nominations_service.get_nomination_or_404(nomination_id, current_user)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        message = str(_l("Choose a file."))
        raise ValidationFailed(message, fields={"file": [message]})
    nomination_details.attach_cv(current_user, nomination, upload.stream, upload.filename)
    return nomination_json(nomination)
