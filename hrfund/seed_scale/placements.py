"""Placements both ways (outgoing from approved applications, incoming from nominations),
with their milestones and reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hrfund.seed_scale import names
from hrfund.seed_scale.calls import Approved
from hrfund.seed_scale.context import Context

PLACEMENT_COLUMNS = (
    "id",
    "direction",
    "status",
    "city_id",
    "person_id",
    "guest_name",
    "guest_email",
    "guest_position",
    "host_office",
    "host_supervisor",
    "host_department_id",
    "start_on",
    "end_on",
    "fiscal_year",
    "purpose",
    "application_id",
    "created_by_id",
    "confirmed_at",
    "arrived_on",
    "created_at",
    "updated_at",
)
OUTGOING_MILESTONES = (
    ("visa", -45),
    ("pre_departure_training", -30),
    ("departure", -1),
    ("arrival", 0),
    ("mid_term_report", None),
    ("final_report", 14),
    ("return", 0),
)
INCOMING_MILESTONES = (("arrival", 0), ("mid_term_report", None), ("final_report", 14))


@dataclass
class Money:
    """What the ledger needs of a placement."""

    id: int
    direction: str
    year: int
    amount: int
    committed_on: date
    status: str
    start_on: date
    end_on: date
    ended_on: date | None  # completed, cancelled or declined on


def _status(ctx: Context, start: date, end: date) -> tuple[str, date | None]:
    """The state the dates imply; the first placements of each kind take each state in turn."""
    rng, today = ctx.rng, ctx.today
    branch = "past" if end < today else "now" if start <= today else "future"
    seen = ctx.status_turns[branch] = ctx.status_turns.get(branch, 0) + 1
    r = (
        rng.random()
        if seen > 3
        else {"past": (0.0, 0.93, 0.97), "now": (0.0, 0.99, 0.0), "future": (0.1, 0.6, 0.01)}[
            branch
        ][seen - 1]
    )
    if branch == "past":
        if r < 0.92:
            return "completed", end
        return (
            ("cancelled", start + timedelta(days=20))
            if r < 0.96
            else ("declined", start - timedelta(days=40))
        )
    if branch == "now":
        return ("active", None) if r < 0.95 else ("cancelled", today - timedelta(days=1))
    if r < 0.05:
        return "declined", min(today, start - timedelta(days=1))
    return ("proposed" if r < 0.5 else "confirmed"), None


def _events(ctx, pid, actor, host, status, created: datetime, start, end, ended_on):
    ctx.audit(created, actor, "placements.create", "placements", pid, None, "proposed")
    confirmed = None
    if status == "declined":
        ctx.audit(
            ctx.at(ended_on),
            host,
            "placements.decline",
            "placements",
            pid,
            "proposed",
            "declined",
            comment="No host office this year.",
        )
        return None
    if status == "proposed":
        return None
    confirmed = min(created + timedelta(days=ctx.rng.randint(3, 30)), ctx.now)
    ctx.audit(confirmed, host, "placements.confirm", "placements", pid, "proposed", "confirmed")
    state = "confirmed"
    if start <= ctx.today and status in ("active", "completed", "cancelled"):
        ctx.audit(ctx.at(start), host, "placements.start", "placements", pid, state, "active")
        state = "active"
    if status == "completed":
        ctx.audit(ctx.at(end), ctx.hr(), "placements.complete", "placements", pid, state, status)
    if status == "cancelled":
        ctx.audit(
            ctx.at(ended_on),
            ctx.hr(),
            "placements.cancel",
            "placements",
            pid,
            state,
            status,
            comment="Cancelled for family reasons.",
        )
    return confirmed


def outgoing(ctx: Context, approved: list[Approved]) -> list[tuple]:
    rows = []
    for a in approved:
        status, ended = _status(ctx, a.start_on, a.end_on)
        host = ctx.coordinator_of.get(a.city_id) or ctx.hr()
        created = a.approved_at
        confirmed = _events(
            ctx, a.placement_id, a.approver, host, status, created, a.start_on, a.end_on, ended
        )
        arrived = a.start_on if status in ("active", "completed") else None
        rows.append(
            (
                a.placement_id,
                "outgoing",
                status,
                a.city_id,
                a.person_id,
                None,
                None,
                None,
                "International Relations Office",
                None,
                None,
                a.start_on,
                a.end_on,
                a.year,
                "Secondment for city diplomacy.",
                a.application_id,
                a.approver,
                confirmed,
                arrived,
                created,
                confirmed or created,
            )
        )
        ctx.outgoing_people.append((a.placement_id, a.person_id, a.start_on, status))
        ctx.money.append(
            Money(
                a.placement_id,
                "outgoing",
                a.year,
                a.amount,
                created.date(),
                status,
                a.start_on,
                a.end_on,
                ended,
            )
        )
    return rows


def incoming(ctx: Context, n: int) -> tuple[list[tuple], list[tuple]]:
    """``n`` hosted officials (each an accepted nomination) and some pending or rejected ones."""
    rng, writer = ctx.rng, ctx.writer
    rows, nominations = [], []
    for k in range(round(n * 1.15)):
        city_id = rng.choice(ctx.city_ids)
        year = rng.choice(ctx.years)
        start = ctx.fy_start(year) + timedelta(days=rng.randint(30, 330))
        if k < 3:  # a few still to come, whatever the size
            year, start = ctx.current_year, ctx.today + timedelta(days=rng.randint(30, 90))
        end = start + timedelta(days=rng.choice((90, 182, 365)) - 1)
        coordinator = ctx.coordinator_of[city_id]
        name = rng.choice(names.GUEST_NAMES)
        email = f"guest{k}@city.example"
        (nom_id,) = writer.ids("nominations", 1)
        made = ctx.at(start - timedelta(days=rng.randint(90, 200)))
        made = min(made, ctx.now)
        ctx.audit(made, coordinator, "nominations.create", "nominations", nom_id, None, "pending")
        state = "accepted" if k < n else rng.choice(("pending", "rejected", "rejected"))
        if state == "pending" and start <= ctx.today:
            state = "rejected"
        placement_id = decided = None
        if state != "pending":
            hr = ctx.hr()
            decided = min(made + timedelta(days=rng.randint(3, 30)), ctx.now)
            ctx.audit(
                decided,
                hr,
                f"nominations.{state[:-2] if state == 'accepted' else 'reject'}",
                "nominations",
                nom_id,
                "pending",
                state,
            )
        if state == "accepted":
            assert decided is not None  # an accepted nomination was decided
            (placement_id,) = writer.ids("placements", 1)
            status, ended = _status(ctx, start, end)
            confirmed = _events(ctx, placement_id, hr, hr, status, decided, start, end, ended)
            rows.append(
                (
                    placement_id,
                    "incoming",
                    status,
                    city_id,
                    None,
                    name,
                    email,
                    "Policy officer",
                    None,
                    "Director",
                    rng.choice(ctx.department_ids),
                    start,
                    end,
                    year,
                    "Hosted in Tokyo.",
                    None,
                    hr,
                    confirmed,
                    start if status in ("active", "completed") else None,
                    decided,
                    confirmed or decided,
                )
            )
            amount = rng.randint(30, 120) * 50_000
            ctx.money.append(
                Money(
                    placement_id,
                    "incoming",
                    year,
                    amount,
                    decided.date(),
                    status,
                    start,
                    end,
                    ended,
                )
            )
        nominations.append(
            (
                nom_id,
                city_id,
                name,
                email,
                "Policy officer",
                start,
                end,
                state,
                coordinator,
                placement_id,
                decided,
                made,
                decided or made,
            )
        )
    return rows, nominations


def write(ctx: Context, approved: list[Approved]) -> None:
    writer = ctx.writer
    rows = outgoing(ctx, approved)
    incoming_rows, nominations = incoming(
        ctx, max(ctx.sizes.placements * 2 // 5, ctx.sizes.placements - len(rows))
    )
    writer.write("placements", PLACEMENT_COLUMNS, rows + incoming_rows)
    writer.write(
        "nominations",
        (
            "id",
            "city_id",
            "name",
            "email",
            "position",
            "start_on",
            "end_on",
            "status",
            "nominated_by_id",
            "placement_id",
            "decided_at",
            "created_at",
            "updated_at",
        ),
        nominations,
    )
    ctx.flush_audit()
    milestones_and_reports(ctx, rows + incoming_rows)
    writer.report("placements", "placements", "nominations", "milestones", "placement_reports")


def milestones_and_reports(ctx: Context, placements: list[tuple]) -> None:
    rng, writer, today = ctx.rng, ctx.writer, ctx.today
    milestones, reports = [], []
    for p in placements:
        pid, direction, status, city_id, person = p[0], p[1], p[2], p[3], p[4]
        start, end = p[11], p[12]
        doer = person or ctx.coordinator_of[city_id]
        kinds = OUTGOING_MILESTONES if direction == "outgoing" else INCOMING_MILESTONES
        for kind, offset in kinds:
            if offset is None:
                due = start + (end - start) / 2
            else:
                due = (end if kind in ("final_report", "return") else start) + timedelta(
                    days=offset
                )
            done = None
            if status in ("active", "completed") and due < today and rng.random() < 0.97:
                done = min(ctx.at(due), ctx.now)
                ctx.audit(done, doer, "milestone.done", "placements", pid, changes={"kind": kind})
            milestones.append(
                (writer.ids("milestones", 1)[0], pid, kind, due, done, doer if done else None)
            )
        for kind, due in (("mid_term", start + (end - start) / 2), ("final", end)):
            if status in ("active", "completed") and due < today:
                at = min(ctx.at(due), ctx.now)
                ack = (
                    ctx.at(due + timedelta(days=rng.randint(2, 20)))
                    if rng.random() < 0.85
                    else None
                )
                ack = ack if ack and ack < ctx.now else None
                hr = ctx.hr() if ack else None
                (rid,) = writer.ids("placement_reports", 1)
                reports.append(
                    (rid, pid, kind, "Summary of the period abroad.", None, doer, at, hr, ack)
                )
                ctx.audit(at, doer, "report.submit", "placement_reports", rid)
                if ack:
                    ctx.audit(ack, hr, "report.acknowledge", "placement_reports", rid)
    writer.write(
        "milestones", ("id", "placement_id", "kind", "due_on", "done_at", "done_by_id"), milestones
    )
    writer.write(
        "placement_reports",
        (
            "id",
            "placement_id",
            "kind",
            "summary",
            "file_id",
            "submitted_by_id",
            "submitted_at",
            "acknowledged_by_id",
            "acknowledged_at",
        ),
        reports,
    )
    ctx.flush_audit()
