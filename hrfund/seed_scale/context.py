"""The sizes of a generated data set and what the generator's steps share."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta

from hrfund.core.fiscal import tokyo_today
from hrfund.seed_scale.writer import Writer


@dataclass(frozen=True)
class Sizes:
    """How many of each thing; ``full`` is DESIGN.md's TMG, ``small`` about 1 % of it."""

    departments: int = 1_000
    employees: int = 200_000
    cities: int = 40
    fiscal_years: int = 8
    calls: int = 400
    applications: int = 50_000
    placements: int = 20_000
    training_records: int = 2_000_000
    language_scores: int = 300_000
    ledger_entries: int = 1_000_000
    notifications: int = 200_000
    programs: int = 150

    def scaled(self, factor: float, **floors: int) -> Sizes:
        """Every count times ``factor`` (cities and years stay), at least ``floors``."""
        values = {}
        for f in fields(self):
            full = getattr(self, f.name)
            if f.name in ("cities", "fiscal_years"):
                values[f.name] = full
            else:
                values[f.name] = max(floors.get(f.name, 1), round(full * factor))
        return Sizes(**values)


FULL = Sizes()
SIZES = {
    "full": FULL,
    "small": FULL.scaled(0.01, departments=100, calls=40, programs=40),
    "tiny": FULL.scaled(0.001, departments=20, calls=16, programs=20, ledger_entries=800),
}


@dataclass
class Context:
    """The generator's state: random source, writer, and the ids the later steps refer to."""

    sizes: Sizes
    writer: Writer
    rng: random.Random
    today: date = field(default_factory=tokyo_today)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    hr_ids: list[int] = field(default_factory=list)
    department_ids: list[int] = field(default_factory=list)
    city_ids: list[int] = field(default_factory=list)
    city_currency: dict[int, str] = field(default_factory=dict)
    coordinator_of: dict[int, int] = field(default_factory=dict)  # city → coordinator
    employee_ids: list[int] = field(default_factory=list)
    employee_department: dict[int, int] = field(default_factory=dict)
    manager_of: dict[int, int] = field(default_factory=dict)  # department → manager
    candidates: list[int] = field(default_factory=list)  # the few who go abroad, often
    program_ids: list[int] = field(default_factory=list)
    program_weights: list[float] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    current_year: int = 0
    lines: dict[tuple[int, str], int] = field(default_factory=dict)  # (year, category) → id
    email_of: dict[int, str] = field(default_factory=dict)  # actors named in the audit log
    audit_rows: list[tuple] = field(default_factory=list)
    program_language: dict[int, bool] = field(default_factory=dict)
    money: list = field(default_factory=list)  # placements.Money, for the ledger
    outgoing_people: list[tuple] = field(default_factory=list)  # (placement, person, start, status)
    closed_years: set[int] = field(default_factory=set)
    status_turns: dict[str, int] = field(default_factory=dict)
    pending_applications: list[tuple] = field(default_factory=list)
    pending_preferences: list[tuple] = field(default_factory=list)

    def at(self, day: date, hour: int | None = None) -> datetime:
        """An instant on ``day`` during Tokyo office hours (UTC 00:00-09:00)."""
        hour = self.rng.randrange(0, 9) if hour is None else hour
        return datetime.combine(day, time(hour, self.rng.randrange(60)), UTC)

    def fy_start(self, year: int) -> date:
        return date(year, 4, 1)

    def days(self, start: date, end: date) -> date:
        """A random day from ``start`` to ``end`` (both included)."""
        span = max(0, (end - start).days)
        return start + timedelta(days=self.rng.randint(0, span))

    def audit(
        self,
        at,
        actor_id,
        action,
        object_type,
        object_id,
        from_state=None,
        to_state=None,
        comment=None,
        changes=None,
    ) -> None:
        """Queue an audit event (written by ``flush_audit``, after the rows it describes)."""
        (event_id,) = self.writer.ids("audit_events", 1)
        label = self.email_of.get(actor_id, "system") if actor_id else "system"
        self.audit_rows.append(
            (
                event_id,
                at,
                actor_id,
                label,
                action,
                object_type,
                str(object_id),
                from_state,
                to_state,
                comment,
                self.writer.json(changes),
                None,
            )
        )

    def flush_audit(self) -> None:
        self.writer.write("audit_events", AUDIT_COLUMNS, self.audit_rows)
        self.audit_rows.clear()

    def hr(self) -> int:
        return self.rng.choice(self.hr_ids)


AUDIT_COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "from_state",
    "to_state",
    "comment",
    "changes",
    "request_id",
)
