"""One error type per kind of refusal; services raise them, pages and the API translate them."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every refusal a service can make."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class ValidationFailed(DomainError):
    """Input that breaks a rule; ``fields`` says which field and why."""

    status = 400
    code = "validation_failed"


class NotAllowed(DomainError):
    """The actor's role or scope does not allow this."""

    status = 403
    code = "forbidden"


class NotFound(DomainError):
    """No such object, or not visible to this actor."""

    status = 404
    code = "not_found"


class InvalidTransition(DomainError):
    """The object's current state does not allow the action."""

    status = 409
    code = "invalid_transition"


class InsufficientFunds(DomainError):
    """The fund or budget line cannot cover the amount."""

    status = 409
    code = "insufficient_funds"


class Conflict(DomainError):
    """A duplicate of something that must be unique."""

    status = 409
    code = "conflict"


#: Refusals a form page shows next to what the user typed (and rolls back): the input broke a
#: rule, clashes with what exists, or does not fit the record's state now. Not NotAllowed or
#: NotFound, which stay 403 and 404.
FORM_REFUSALS = (ValidationFailed, Conflict, InvalidTransition, InsufficientFunds)
