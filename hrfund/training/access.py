"""Who may add and read training records and scores: the roles the pages require, and the
``can_*`` helpers their templates ask, each answering as the server then decides."""

from __future__ import annotations

from hrfund.auth.models import User
from hrfund.core.actor import Actor
from hrfund.core.errors import DomainError
from hrfund.core.permissions import allowed
from hrfund.training.services import RECORD_ROLES as RECORD_ROLES  # the services' own
from hrfund.training.services import acting_for, can_see_development_of

#: Who adds a training or a language score: employees their own, HR anyone's.
ENTRY_ROLES = ("employee", "hr")


def can_see_own_history(actor: User) -> bool:
    """Whether /training/me leads ``actor`` to a development record they may read."""
    return actor.has_role(*RECORD_ROLES) and can_see_development_of(actor, actor)


def can_add_entries(actor: User) -> bool:
    """Whether ``actor`` may add a training or a score of their own (the entry pages)."""
    return actor.has_role(*ENTRY_ROLES) and allowed(acting_for, actor, actor)


def can_enter_for_others(actor: Actor) -> bool:
    """Whether ``actor`` may name another person on an entry form: HR only, as
    ``entry_subject`` refuses anyone else naming someone."""
    return allowed(acting_for, actor, None)


def can_enter_verified(actor: User) -> bool:
    """Whether ``actor``'s own entries count as verified at once (HR's), as they are stored."""
    try:
        return acting_for(actor, actor)
    except DomainError:
        return False


def can_add_for(actor: User, person: User) -> bool:
    """Whether ``person``'s development page offers ``actor`` the entry forms: on their own page,
    as ``can_add_entries``; on anyone's, HR (who names the person on the form)."""
    return can_enter_for_others(actor) or (actor.id == person.id and can_add_entries(actor))
