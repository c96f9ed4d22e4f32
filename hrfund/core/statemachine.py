"""Workflows as data: the allowed transitions (from, to, who) declared once per object type.

A module declares its machine::

    MACHINE = StateMachine("placements", [
        Transition("confirm", {Status.PROPOSED}, Status.CONFIRMED, who=is_host),
        ...
    ])

and its services call ``MACHINE.apply(obj, "confirm", actor, comment=...)``, which refuses an
action not allowed in the object's state (InvalidTransition) or to this actor (NotAllowed),
changes the state, and records the transition in the audit log — the object's history.
Templates ask ``MACHINE.can(obj, "confirm", user)`` to decide which buttons to show.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import OperationalError

from hrfund.core.audit import AuditEvent, audit_query, record_event
from hrfund.core.errors import Conflict, InvalidTransition, NotAllowed
from hrfund.extensions import db

log = logging.getLogger(__name__)

Rule = Callable[[object, object], bool]  # (actor, obj) -> allowed


def anyone(_actor, _obj) -> bool:
    return True


@dataclass(frozen=True)
class Transition:
    """``action`` moves an object from any of ``sources`` to ``target`` if ``who`` allows."""

    action: str
    sources: frozenset
    target: Enum
    who: Rule = anyone
    label: object = None
    needs_comment: bool = False

    def __init__(
        self,
        action,
        sources: Iterable,
        target,
        who: Rule = anyone,
        label=None,
        needs_comment: bool = False,
    ):
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

    def __post_init__(self):
        self._by_action = {t.action: t for t in self.transitions}

    def transition(self, action: str) -> Transition:
        return self._by_action[action]

    def state_of(self, obj):
        return getattr(obj, self.state_attr)

    def allowed_in_state(self, obj, action: str) -> bool:
        return self.state_of(obj) in self._by_action[action].sources

    def can(self, obj, action: str, actor) -> bool:
        """Whether ``actor`` may do ``action`` on ``obj`` now (for buttons and checks)."""
        t = self._by_action.get(action)
        return bool(
            t
            and self.state_of(obj) in t.sources
            and actor is not None
            and getattr(actor, "is_authenticated", True)
            and t.who(actor, obj)
        )

    def actions_for(self, obj, actor) -> list[Transition]:
        return [t for t in self.transitions if self.can(obj, t.action, actor)]

    def apply(
        self,
        obj,
        action: str,
        actor,
        *,
        comment: str | None = None,
        on_behalf_of=None,
        changes: dict | None = None,
        values: dict | None = None,
        exclusive: bool = False,
    ):
        """Perform ``action``: check state and actor, set the new state (with ``values``, the
        columns a check constraint ties to that state), write the history."""
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
        if exclusive:
            self._claim(obj, t, values or {})
        else:
            setattr(obj, self.state_attr, t.target)
            for name, value in (values or {}).items():
                setattr(obj, name, value)
            db.session.flush()
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

    def _claim(self, obj, t: Transition, values: dict) -> None:
        """A conditional UPDATE … WHERE state IN sources: of two requests racing to make the
        same transition, exactly one changes a row; the other is refused (409)."""
        model = type(obj)
        state_column = getattr(model, self.state_attr)
        try:
            result = db.session.execute(
                sa.update(model)
                .where(model.id == obj.id, state_column.in_(list(t.sources)))
                .values({self.state_attr: t.target, **values})
                .execution_options(synchronize_session=False)
            )
        except OperationalError as error:  # SQLite: another writer holds the database
            if "locked" not in str(error).lower():
                raise
            raise Conflict(
                str(_l("Someone else changed this at the same time. Reload and try again."))
            ) from None
        if result.rowcount != 1:
            db.session.refresh(obj)
            raise InvalidTransition(
                str(
                    _l(
                        "This was changed meanwhile: it is now %(state)s.",
                        state=_state_label(self.state_of(obj)),
                    )
                )
            )
        db.session.refresh(obj)

    def history(self, obj) -> list[AuditEvent]:
        """The object's transitions and other audited changes, oldest first."""
        stmt = audit_query(object_type=self.object_type, object_id=str(obj.id))
        return list(reversed(db.session.scalars(stmt).all()))


def _value(state) -> str:
    return state.value if isinstance(state, Enum) else str(state)


#: Human labels for states, filled by the modules that own them (state value → lazy string).
STATE_LABELS: dict[str, object] = {}


def _state_label(state) -> str:
    return str(STATE_LABELS.get(_value(state), _value(state)))
