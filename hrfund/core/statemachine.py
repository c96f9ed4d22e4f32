"""Workflows as data: the allowed transitions (from, to, who) declared once per object type.

A module declares its machine::

    MACHINE = StateMachine("placements", [
        Transition("confirm", {Status.PROPOSED}, Status.CONFIRMED, who=is_host),
        ...
    ])

and its services call ``MACHINE.apply(obj, "confirm", actor, comment=...)``, which refuses an
action not allowed in the object's state (InvalidTransition) or to this actor (NotAllowed),
changes the state, and records the transition in the audit log — the object's history.
The state changes through a conditional UPDATE on the expected state (``_claim``), never in
Python alone, so that of two conflicting actions on one object exactly one succeeds.
Templates ask ``MACHINE.can(obj, "confirm", user)`` to decide which buttons to show.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import OperationalError

from hrfund.core.actor import Actor
from hrfund.core.audit import AuditEvent, audit_query, record_event
from hrfund.core.db import rows_changed
from hrfund.core.errors import Conflict, InvalidTransition, NotAllowed
from hrfund.core.labels import state_label as _state_label
from hrfund.extensions import db

log = logging.getLogger(__name__)

# (actor, obj) -> allowed; each machine's rules take its own object type, hence Any there.
Rule = Callable[[Actor, Any], bool]


def anyone(_actor: Actor, _obj: object) -> bool:
    return True


@dataclass(frozen=True)
class Transition:
    """``action`` moves an object from any of ``sources`` to ``target`` if ``who`` allows."""

    action: str
    sources: frozenset[Enum]
    target: Enum
    who: Rule = anyone
    label: object = None
    needs_comment: bool = False

    def __init__(
        self,
        action: str,
        sources: Iterable[Enum],
        target: Enum,
        who: Rule = anyone,
        label: object = None,
        needs_comment: bool = False,
    ) -> None:
        object.__setattr__(self, "action", action)
        object.__setattr__(self, "sources", frozenset(sources))
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "who", who)
        object.__setattr__(self, "label", label or action)
        object.__setattr__(self, "needs_comment", needs_comment)


@dataclass
class StateMachine:
    """The transitions of one object type, and the one place that performs them."""

    object_type: str
    transitions: list[Transition]
    state_attr: str = "status"
    _by_action: dict[str, Transition] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_action = {t.action: t for t in self.transitions}

    def transition(self, action: str) -> Transition:
        return self._by_action[action]

    def state_of(self, obj: object) -> Enum:
        state: Enum = getattr(obj, self.state_attr)
        return state

    def allowed_in_state(self, obj: object, action: str) -> bool:
        return self.state_of(obj) in self._by_action[action].sources

    def can(self, obj: object, action: str, actor: Actor | None) -> bool:
        """Whether ``actor`` may do ``action`` on ``obj`` now (for buttons and checks)."""
        t = self._by_action.get(action)
        return bool(
            t
            and self.state_of(obj) in t.sources
            and actor is not None
            and getattr(actor, "is_authenticated", True)
            and t.who(actor, obj)
        )

    def actions_for(self, obj: object, actor: Actor | None) -> list[Transition]:
        return [t for t in self.transitions if self.can(obj, t.action, actor)]

    def apply(
        self,
        obj: Any,
        action: str,
        actor: Actor,
        *,
        comment: str | None = None,
        on_behalf_of: Actor | None = None,
        changes: dict[str, Any] | None = None,
        values: dict[str, Any] | None = None,
        exclusive: bool = True,
    ) -> tuple[Enum, Enum]:
        """Perform ``action``: check state and actor, claim the row in its expected state and
        set the new one (with ``values``, the columns a check constraint ties to that state),
        write the history.

        Every transition claims its row (``_claim``): of two requests racing on one object,
        exactly one moves it; the other is refused with 409 before it writes its history.
        ``exclusive`` is kept for callers that still pass it; it changes nothing.
        """
        t = self._by_action[action]
        current = self.state_of(obj)
        if current not in t.sources:
            raise InvalidTransition(
                str(_l("This cannot be done now: it is %(state)s.", state=_state_label(current)))
            )
        if not t.who(actor, obj):
            raise NotAllowed(str(_l("You may not do this.")))
        comment = (comment or "").strip() or None
        if t.needs_comment and not comment:
            from hrfund.core.errors import ValidationFailed

            message = str(_l("Give a reason."))
            raise ValidationFailed(message, fields={"comment": [message]})
        self._claim(obj, t, current, values or {})
        if on_behalf_of is not None:
            changes = dict(changes or {}) | {"on_behalf_of": getattr(on_behalf_of, "email", None)}
        record_event(
            actor,
            f"{self.object_type}.{action}",
            obj,
            object_type=self.object_type,
            from_state=_value(current),
            to_state=_value(t.target),
            comment=comment,
            changes=changes,
        )
        log.info(
            "%s %s: %s → %s by %s",
            self.object_type,
            obj.id,
            _value(current),
            _value(t.target),
            getattr(actor, "email", actor),
        )
        from hrfund.core.signals import transitioned

        transitioned.send(
            obj,
            machine=self.object_type,
            action=action,
            actor=actor,
            from_state=current,
            to_state=t.target,
            comment=comment,
            on_behalf_of=on_behalf_of,
        )
        return current, t.target

    def _claim(self, obj: object, t: Transition, current: Enum, values: dict[str, Any]) -> None:
        """A conditional UPDATE … WHERE state = the state the actor saw (one of ``t``'s
        sources): of two requests racing on one object, exactly one changes the row; the other
        is refused (409), even where its action would still be allowed in the winner's state
        (a cancel after a confirm): it was decided on a state that no longer holds. The history
        names the state the row really left.

        What the caller set on ``obj`` before is flushed first, for the refresh that follows the
        UPDATE would otherwise discard it; a refused caller's request is rolled back whole."""
        state_column = getattr(type(obj), self.state_attr)

        def refusal() -> Exception:
            return InvalidTransition(
                str(
                    _l(
                        "This was changed meanwhile: it is now %(state)s.",
                        state=_state_label(self.state_of(obj)),
                    )
                )
            )

        claim_row(obj, state_column == current, {self.state_attr: t.target, **values}, refusal)

    def history(self, obj: Any) -> list[AuditEvent]:
        """The object's transitions and other audited changes, oldest first."""
        stmt = audit_query(object_type=self.object_type, object_id=str(obj.id))
        return list(reversed(db.session.scalars(stmt).all()))


def claim_row(
    obj: Any,
    condition: sa.ColumnElement[bool],
    values: dict[str, Any],
    refusal: Callable[[], Exception],
) -> None:
    """Set ``values`` on ``obj``'s row only if ``condition`` still holds there, in one
    conditional UPDATE; else raise ``refusal()`` (built after the row is reloaded, so that it
    can say what the row is now). For changes of state outside a machine (an acknowledgement,
    a verification): of two requests making it at once, exactly one does.

    What the caller set on ``obj`` is flushed first: the refresh after the UPDATE would
    otherwise discard it. On PostgreSQL the loser waits for the winner's commit and then finds
    the condition false; on SQLite a writer that finds the database locked gets a Conflict."""
    model = type(obj)
    try:
        db.session.flush()
        result = db.session.execute(
            sa.update(model)
            .where(model.id == obj.id, condition)
            .values(values)
            .execution_options(synchronize_session=False)
        )
    except OperationalError as error:  # SQLite: another writer holds the database
        if "locked" not in str(error).lower():
            raise
        raise Conflict(
            str(_l("Someone else changed this at the same time. Reload and try again."))
        ) from None
    db.session.refresh(obj)
    if rows_changed(result) != 1:
        raise refusal()


def _value(state: object) -> str:
    return state.value if isinstance(state, Enum) else str(state)
