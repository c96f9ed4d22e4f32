"""Labels that travel with the values they name.

An enum of a module's models derives from ``LabelledEnum`` and gives each member its label::

    class PlacementStatus(LabelledEnum):
        PROPOSED = "proposed", _l("proposed")

so that pages, exports, mails and the API all say ``status.label``: one source, no second dict.
A value stored as a bare string (an audit event's from/to state, a user's roles) is named by
``state_label`` or ``role_label``, which ask the enums that their modules registered, explicitly,
with ``register_states`` and ``register_roles``: core imports no module above it.
"""

from __future__ import annotations

import enum

_STATE_ENUMS: list[type[LabelledEnum]] = []
_ROLE_ENUMS: list[type[LabelledEnum]] = []


class LabelledEnum(enum.StrEnum):
    """A string enum whose members carry a translatable label (a lazy string)."""

    def __new__(cls, value: str, label: object = None):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = value if label is None else label
        return member

    @property
    def label(self) -> str:
        """The member's name in the reader's language."""
        return str(self._label)

    @property
    def lazy_label(self) -> object:
        """The label untranslated until shown, for form choices declared at import."""
        return self._label


def _register(registry: list, enums) -> None:
    for enum_cls in enums:
        if enum_cls not in registry:
            registry.append(enum_cls)


def _lookup(registry: list, value: object) -> str:
    if isinstance(value, LabelledEnum):
        return value.label
    value = value.value if isinstance(value, enum.Enum) else str(value or "")
    for enum_cls in registry:
        member = enum_cls._value2member_map_.get(value)
        if member is not None:
            return member.label
    return value


def register_states(*enums: type[LabelledEnum]) -> None:
    """Declare the enums whose values are workflow states, for ``state_label``."""
    _register(_STATE_ENUMS, enums)


def register_roles(*enums: type[LabelledEnum]) -> None:
    """Declare the enum of the users' roles, for ``role_label``."""
    _register(_ROLE_ENUMS, enums)


def state_label(state: object) -> str:
    """The translated name of a workflow state, given as a member or as its stored value."""
    return _lookup(_STATE_ENUMS, state)


def role_label(role: object) -> str:
    """The translated name of a role, given as a member or as its value."""
    return _lookup(_ROLE_ENUMS, role)


def role_labels(roles) -> str:
    """A user's roles, named in the reader's language."""
    return ", ".join(role_label(role) for role in sorted(roles))


def enum_label(value: object) -> str:
    """The label of any ``LabelledEnum`` member (a milestone's kind, say)."""
    return value.label if isinstance(value, LabelledEnum) else str(value or "")
