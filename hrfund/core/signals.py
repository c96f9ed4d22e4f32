"""Workflow events that higher modules (reminders) turn into notices.

Imports flow downwards, so a lower module never calls the module that tells people: it sends one
of these signals right after the change (inside the same transaction), and whoever cares
subscribes once at app setup. Receivers must only add to the session (never commit): a refused
or rolled-back action then leaves nothing behind.

- ``transitioned``: every :meth:`hrfund.core.statemachine.StateMachine.apply`; sender the object,
  keywords ``machine`` (object type), ``action``, ``actor``, ``from_state``, ``to_state``,
  ``comment``, ``on_behalf_of``.
- the others: sender the new or changed object, keyword ``actor`` (and ``comment`` where the
  action takes one).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

transitioned = _signals.signal("transitioned")
placement_created = _signals.signal("placement-created")
nomination_made = _signals.signal("nomination-made")
nomination_decided = _signals.signal("nomination-decided")
report_submitted = _signals.signal("report-submitted")
report_acknowledged = _signals.signal("report-acknowledged")
delegation_created = _signals.signal("delegation-created")
#: HR rejected an employee's own language score or training record (keyword ``reason``)
entry_rejected = _signals.signal("entry-rejected")
#: failed logins locked an account that was not locked (keyword ``until``); once per lock
account_locked = _signals.signal("account-locked")
