"""Labels that travel with the values they name.

An enum of a module's models derives from ``LabelledEnum`` and gives each member its label::

    class PlacementStatus(LabelledEnum):
        PROPOSED = "proposed", _l("proposed")

so that pages, exports, mails and the API all say ``status.label``: one source, no second dict.
A value stored as a bare string (an audit event's from/to state, a user's roles) is named by
``state_label`` or ``role_label``, which ask the enums that their modules registered, explicitly,
with ``register_states`` and ``register_roles``: core imports no module above it.

The audit log stores codes (``placements.confirm``, ``milestone.done``) and state values
(``proposed``); pages, exports and the API name them through ``action_label``,
``object_type_label`` and ``state_label``, in the reader's language; ``fiscal_year_label``
writes a fiscal year the one way (FY2027, 2027年度).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

_STATE_ENUMS: list[type[LabelledEnum]] = []
_ROLE_ENUMS: list[type[LabelledEnum]] = []


class LabelledEnum(enum.StrEnum):
    """A string enum whose members carry a translatable label (a lazy string)."""

    _label: object

    def __new__(cls, value: str, label: object = None) -> LabelledEnum:
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


def _register(registry: list[type[LabelledEnum]], enums: Iterable[type[LabelledEnum]]) -> None:
    for enum_cls in enums:
        if enum_cls not in registry:
            registry.append(enum_cls)


def _lookup(registry: list[type[LabelledEnum]], value: object) -> str:
    if isinstance(value, LabelledEnum):
        return value.label
    key = value.value if isinstance(value, enum.Enum) else str(value or "")
    for enum_cls in registry:
        member = enum_cls._value2member_map_.get(key)
        if isinstance(member, LabelledEnum):
            return member.label
    return str(key)


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


def role_labels(roles: Iterable[str]) -> str:
    """A user's roles, named in the reader's language."""
    return ", ".join(role_label(role) for role in sorted(roles))


def enum_label(value: object) -> str:
    """The label of any ``LabelledEnum`` member (a milestone's kind, say)."""
    return value.label if isinstance(value, LabelledEnum) else str(value or "")


#: Every action code the audit log records (``<object>.<action>``) → its label.
ACTION_LABELS: dict[str, object] = {
    "agreements.create": _l("Agreement recorded"),
    "api_token.create": _l("API token created"),
    "api_token.revoke": _l("API token revoked"),
    "api_token.revoke_all": _l("All API tokens revoked"),
    "applications.create": _l("Application created"),
    "applications.update": _l("Application changed"),
    "applications.attach": _l("File attached"),
    "applications.submit": _l("Application submitted"),
    "applications.endorse": _l("Application endorsed"),
    "applications.decline": _l("Application declined by the manager"),
    "applications.return": _l("Application returned"),
    "applications.approve": _l("Application approved"),
    "applications.reject": _l("Application rejected"),
    "applications.withdraw": _l("Application withdrawn"),
    "calendar_token.create": _l("Calendar link created"),
    "calendar_token.revoke": _l("Calendar link revoked"),
    "calls.create": _l("Call created"),
    "calls.update": _l("Call changed"),
    "calls.open": _l("Call opened"),
    "calls.close": _l("Call closed"),
    "calls.decide": _l("Call decided"),
    "city.create": _l("Partner city added"),
    "city.update": _l("Partner city changed"),
    "delegations.create": _l("Deputy named"),
    "delegations.end": _l("Delegation ended"),
    "department.create": _l("Department added"),
    "department.update": _l("Department changed"),
    "fund.contribution": _l("Contribution received"),
    "fund.allocation": _l("Allocation made"),
    "fund.commitment": _l("Funds committed"),
    "fund.release": _l("Commitment released"),
    "fund.disbursement": _l("Payment made"),
    "fund.reversal": _l("Entry reversed"),
    "fund.fx_rate": _l("Exchange rate recorded"),
    "fund.open_fiscal_year": _l("Fiscal year reopened"),
    "fund.close_fiscal_year": _l("Fiscal year closed"),
    "language_score.create": _l("Language score added"),
    "language_score.verify": _l("Language score verified"),
    "language_score.reject": _l("Language score rejected"),
    "login.failed": _l("Failed sign-in"),
    "milestone.adjust": _l("Milestone date changed"),
    "milestone.done": _l("Milestone done"),
    "nominations.create": _l("Nomination made"),
    "nominations.accept": _l("Nomination accepted"),
    "nominations.reject": _l("Nomination rejected"),
    "notice_preferences.update": _l("Notice settings changed"),
    "notification.read": _l("Notification read"),
    "notification.read_all": _l("All notifications read"),
    "placements.create": _l("Placement created"),
    "placements.confirm": _l("Placement confirmed"),
    "placements.decline": _l("Placement declined"),
    "placements.start": _l("Placement started"),
    "placements.complete": _l("Placement completed"),
    "placements.cancel": _l("Placement cancelled"),
    "reminder.retry": _l("Delivery retried"),
    "reminder_rule.update": _l("Reminder rule changed"),
    "report.submit": _l("Report submitted"),
    "report.acknowledge": _l("Report acknowledged"),
    "session.login": _l("Signed in"),
    "session.logout": _l("Signed out"),
    "session.refused": _l("Sign-in refused"),
    "training_import.check": _l("Import checked"),
    "training_import.import": _l("Import loaded"),
    "training_import.upload": _l("Import file uploaded"),
    "training_program.create": _l("Training program added"),
    "training_program.update": _l("Training program changed"),
    "training_record.create": _l("Training record added"),
    "training_record.enrol": _l("Enrolled in a session"),
    "training_record.status": _l("Training status changed"),
    "training_record.update": _l("Training record changed"),
    "training_record.verify": _l("Training record verified"),
    "training_record.reject": _l("Training record rejected"),
    "training_session.create": _l("Training session added"),
    "user.activate": _l("Account reactivated"),
    "user.create": _l("Account created"),
    "user.deactivate": _l("Account deactivated"),
    "user.locale": _l("Language changed"),
    "user.locked": _l("Account locked"),
    "user.password": _l("Password changed"),
    "user.settings": _l("Settings changed"),
    "user.unlock": _l("Account unlocked"),
    "user.update": _l("Account changed"),
}

#: Object types of the audit log → their label.
OBJECT_TYPE_LABELS: dict[str, object] = {
    "api_tokens": _l("API token"),
    "application_attachments": _l("Attachment"),
    "applications": _l("Application"),
    "calendar_tokens": _l("Calendar link"),
    "calls": _l("Call"),
    "delegations": _l("Delegation"),
    "departments": _l("Department"),
    "exchange_agreements": _l("Agreement"),
    "fund_budget_lines": _l("Budget line"),
    "fund_entries": _l("Ledger entry"),
    "fund_fiscal_years": _l("Fiscal year"),
    "fund_fx_rates": _l("Exchange rate"),
    "language_scores": _l("Language score"),
    "milestones": _l("Milestone"),
    "nominations": _l("Nomination"),
    "notice_preferences": _l("Notice settings"),
    "notifications": _l("Notification"),
    "partner_cities": _l("Partner city"),
    "placement_reports": _l("Report"),
    "placements": _l("Placement"),
    "reminder_deliveries": _l("Delivery"),
    "reminder_rules": _l("Reminder rule"),
    "training_import_batches": _l("Training import"),
    "training_programs": _l("Training program"),
    "training_records": _l("Training record"),
    "training_sessions": _l("Training session"),
    "user_sessions": _l("Session"),
    "users": _l("User"),
}

#: Where a word is both a verb and a state: the state, by its own context.
OPEN_STATE = lazy_pgettext("state", "Open")


#: How a module shows the comments it writes itself, by the first part of the action code
#: ("fund" → the ledger's system memos), so that the audit log shows them in the reader's language.
COMMENT_TEXTS: dict[str, Callable[[str], str]] = {}


def comment_text(action: str | None, comment: str | None) -> str:
    """An audit event's comment, through its module's renderer if it has one."""
    if not comment:
        return ""
    render = COMMENT_TEXTS.get((action or "").split(".", 1)[0])
    return render(comment) if render is not None else comment


def action_label(code: str | None) -> str:
    """The label of an audit action code; the code itself for one nobody registered."""
    if not code:
        return ""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


def object_type_label(object_type: str | None) -> str:
    if not object_type:
        return ""
    label = OBJECT_TYPE_LABELS.get(object_type)
    return str(label) if label is not None else object_type


def fiscal_year_label(fiscal_year: int | str | None) -> str:
    """ "FY2027" in English, "2027年度" in Japanese: the one way to write a fiscal year."""
    if fiscal_year is None or fiscal_year == "":
        return ""
    try:
        year = int(fiscal_year)
    except (TypeError, ValueError):
        return str(fiscal_year)
    return str(_("FY%(year)d", year=year))
