"""What the fund must know of a placement's state, told by the placements module.

The fund knows nothing of who spends it (imports flow one way: placements → fund), yet two
ledger rules depend on where a placement stands:

- a payment to a declined or cancelled placement is refused;
- a placement that is closed (completed, declined or cancelled) holds no open commitment: a
  reversal that would reopen one (a payment's reversal gives back what the payment consumed)
  returns that money to the line at once.

So the fund offers ``tell_placement_standing(reader)``; the placements module registers a
reader that locks the placement's row (``SELECT … FOR UPDATE``) and says how it stands. The
lock is taken before the fund's and the line's, the order in which a transition (cancel,
complete) takes them too, so a payment and a cancellation of one placement run one after the
other and never wait on each other in a circle.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from flask_babel import lazy_gettext as _l

from hrfund.core.errors import InvalidTransition, ValidationFailed


class Standing(Enum):
    """How a placement stands, as far as its money goes."""

    OPEN = "open"  # proposed, confirmed or active: commitments stay open, payments consume them
    COMPLETED = "completed"  # closed: late payments are taken, no commitment stays open
    ENDED = "ended"  # declined or cancelled: closed, and nothing more is paid

    @property
    def closed(self) -> bool:
        return self is not Standing.OPEN


Reader = Callable[[int], Standing | None]
_reader: Reader | None = None


def tell_placement_standing(reader: Reader) -> None:
    """Register the function that locks a placement's row and returns its standing (or None
    when there is no such placement)."""
    global _reader
    _reader = reader


def placement_standing(placement_id: int | None) -> Standing | None:
    """The placement's standing, its row locked to the end of the transaction; None for no
    placement (or before the placements module has registered its reader)."""
    if placement_id is None or _reader is None:
        return None
    return _reader(placement_id)


def refuse_payment_if_ended(placement_id: int | None) -> None:
    """A payment for a declined or cancelled placement is refused (409), nothing written."""
    if placement_standing(placement_id) is Standing.ENDED:
        raise InvalidTransition(
            str(
                _l(
                    "Placement %(id)d is declined or cancelled: nothing more can be paid for it.",
                    id=placement_id,
                )
            )
        )


def refuse_unknown_placement(placement_id: int) -> None:
    """A payment naming a placement that neither exists nor has money in the ledger is
    refused as such (400 on ``placement_id``), not as a missing budget line."""
    if _reader is not None and placement_standing(placement_id) is None:
        message = str(_l("There is no placement %(id)d.", id=placement_id))
        raise ValidationFailed(message, fields={"placement_id": [message]})


def refuse_commitment_if_closed(placement_id: int | None) -> None:
    """A closed placement (completed, declined, cancelled) holds no commitment: none is made."""
    standing = placement_standing(placement_id)
    if standing is not None and standing.closed:
        raise InvalidTransition(
            str(
                _l(
                    "Placement %(id)d is closed: no money can be committed for it.",
                    id=placement_id,
                )
            )
        )


def reopened_memo(placement_id: int) -> str:
    return str(
        _l(
            "Placement %(id)d is closed: what the reversal reopened returns to the line",
            id=placement_id,
        )
    )
