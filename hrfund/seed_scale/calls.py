"""Calls with slots, and applications in every state (most of them just before the deadline)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from hrfund.seed_scale.context import Context

# status → (application status, weight), by the call's status
MIX = {
    "open": [
        ("draft", 30),
        ("submitted", 30),
        ("endorsed", 20),
        ("returned", 5),
        ("declined_by_manager", 5),
        ("withdrawn", 10),
    ],
    "closed": [
        ("draft", 5),
        ("submitted", 15),
        ("endorsed", 50),
        ("returned", 5),
        ("declined_by_manager", 10),
        ("withdrawn", 15),
    ],
}
APP_COLUMNS = (
    "id",
    "call_id",
    "applicant_id",
    "status",
    "statement",
    "start_on",
    "end_on",
    "travel_jpy",
    "stipend_jpy",
    "housing_jpy",
    "submitted_at",
    "decided_at",
    "placement_id",
    "created_at",
    "updated_at",
)


@dataclass
class CallInfo:
    id: int
    year: int
    status: str
    opens_on: date
    closes_on: date
    slots: list[tuple[int, int]]  # (city, months)


@dataclass
class Approved:
    """An approved application: the placement it made and what it committed."""

    application_id: int
    placement_id: int
    person_id: int
    city_id: int
    year: int
    start_on: date
    end_on: date
    amount: int
    approved_at: datetime
    approver: int


def _window(ctx: Context, year: int, status: str) -> tuple[date, date]:
    rng, today = ctx.rng, ctx.today
    if status == "decided" and year < ctx.current_year:
        opens = ctx.fy_start(year) - timedelta(days=rng.randint(120, 300))
        return opens, opens + timedelta(days=rng.randint(21, 60))
    closes = {
        "decided": today - timedelta(days=rng.randint(60, 200)),
        "closed": today - timedelta(days=rng.randint(1, 30)),
        "open": today + timedelta(days=rng.randint(2, 40)),
        "draft": today + timedelta(days=rng.randint(60, 120)),
    }[status]
    opens = closes - timedelta(days=rng.randint(21, 60))
    if status == "open":
        opens = min(opens, today - timedelta(days=1))
    return opens, closes


def calls(ctx: Context) -> list[CallInfo]:
    rng, writer, sizes = ctx.rng, ctx.writer, ctx.sizes
    per_year = max(4, sizes.calls // len(ctx.years))
    infos, rows, slot_rows = [], [], []
    for year in ctx.years:
        for i in range(per_year):
            if year < ctx.current_year:
                status = "decided"
            else:  # this year's calls: every state, the first four one of each
                status = (
                    ("decided", "closed", "open", "draft")[i % 4]
                    if i < 8
                    else rng.choices(("decided", "closed", "open", "draft"), (40, 15, 30, 15))[0]
                )
            opens, closes = _window(ctx, year, status)
            (call_id,) = writer.ids("calls", 1)
            cities = rng.sample(ctx.city_ids, rng.randint(2, min(6, len(ctx.city_ids))))
            slots = [(c, rng.choice((3, 6, 6, 12))) for c in cities]
            rules: dict[str, object] = {}
            if i % 3 == 0:
                rules["min_years_of_service"] = rng.choice((2, 3, 5))
            if i % 4 == 1:
                rules["language"] = {"test": "ielts", "min_score": rng.choice(("5.5", "6.0"))}
            created = ctx.at(opens - timedelta(days=14))
            hr = ctx.hr()
            rows.append(
                (
                    call_id,
                    f"FY{year} city diplomacy secondments #{i + 1}",
                    "Secondments to partner cities.",
                    year,
                    opens,
                    closes,
                    status,
                    writer.json(rules),
                    hr,
                    created,
                    ctx.at(min(closes, ctx.today)),
                )
            )
            for city_id, months in slots:
                slot_rows.append(
                    (
                        writer.ids("call_slots", 1)[0],
                        call_id,
                        city_id,
                        rng.randint(1, 4),
                        months,
                        months * rng.randint(600, 1200) * 1000,
                    )
                )
            infos.append(CallInfo(call_id, year, status, opens, closes, slots))
            ctx.audit(created, hr, "calls.create", "calls", call_id, None, "draft")
            steps = ("draft", "open", "closed", "decided")
            when = {"open": opens, "closed": closes, "decided": closes + timedelta(days=45)}
            for before, after in zip(steps, steps[1 : steps.index(status) + 1], strict=False):
                action = {"open": "open", "closed": "close", "decided": "decide"}[after]
                ctx.audit(
                    ctx.at(min(when[after], ctx.today)),
                    hr,
                    f"calls.{action}",
                    "calls",
                    call_id,
                    before,
                    after,
                )
    writer.write(
        "calls",
        (
            "id",
            "title",
            "description",
            "fiscal_year",
            "opens_on",
            "closes_on",
            "status",
            "rules",
            "created_by_id",
            "created_at",
            "updated_at",
        ),
        rows,
    )
    writer.write(
        "call_slots",
        ("id", "call_id", "city_id", "positions", "months", "estimated_cost_jpy"),
        slot_rows,
    )
    ctx.flush_audit()
    return infos


def _submitted(ctx: Context, call: CallInfo):
    """Most applications come in during the last days before the deadline."""
    last = min(call.closes_on, ctx.today)
    back = min(int(ctx.rng.expovariate(1 / 3)), (last - call.opens_on).days)
    return ctx.at(last - timedelta(days=back))


def applications(ctx: Context, infos: list[CallInfo], outgoing: int) -> list[Approved]:
    """Applications over the calls that received any; returns the approved ones."""
    rng, writer = ctx.rng, ctx.writer
    receiving = [c for c in infos if c.status != "draft"]
    weights = [rng.uniform(0.5, 1.5) for _ in receiving]
    scale = ctx.sizes.applications / sum(weights)
    counts = [max(6, round(w * scale)) for w in weights]
    decided = sum(n for c, n in zip(receiving, counts, strict=True) if c.status == "decided")
    p_approve = min(0.6, outgoing / max(1, decided))
    rows: list[tuple[Any, ...]] = []
    prefs: list[tuple[Any, ...]] = []
    approved: list[Approved] = []
    for call, n in zip(receiving, counts, strict=True):
        live: set[int] = set()
        for k in range(n):
            applicant = rng.choice(ctx.candidates if rng.random() < 0.7 else ctx.employee_ids)
            if applicant in live:
                continue
            if call.status == "decided":
                r = rng.random()
                status = (
                    ("approved", "rejected", "declined_by_manager", "withdrawn")[k]
                    if k < 4
                    else "approved"
                    if r < p_approve
                    else rng.choice(("rejected", "rejected", "declined_by_manager", "withdrawn"))
                )
            else:
                status = (
                    MIX[call.status][k][0]
                    if k < 6
                    else rng.choices(
                        [s for s, _ in MIX[call.status]], [w for _, w in MIX[call.status]]
                    )[0]
                )
            if status != "withdrawn":
                live.add(applicant)
            rows.append(_application(ctx, call, applicant, status, prefs, approved))
    writer.ids("placements", 0)
    ctx.pending_applications = rows  # written after the placements they name
    ctx.pending_preferences = prefs
    return approved


def _application(ctx, call, applicant, status, prefs, approved) -> tuple:
    rng, writer = ctx.rng, ctx.writer
    (app_id,) = writer.ids("applications", 1)
    chosen = rng.sample(call.slots, rng.randint(1, min(3, len(call.slots))))
    for rank, (city_id, _months) in enumerate(chosen, 1):
        prefs.append((writer.ids("application_preferences", 1)[0], app_id, rank, city_id))
    months = chosen[0][1]
    start = call.closes_on + timedelta(days=rng.randint(60, 240))
    end = start + timedelta(days=round(months * 30.4) - 1)
    travel, stipend = rng.randint(10, 40) * 10_000, months * rng.randint(20, 50) * 10_000
    housing = months * rng.randint(5, 25) * 10_000
    submitted = None if status == "draft" else _submitted(ctx, call)
    created = (
        ctx.at(call.opens_on)
        if submitted is None
        else submitted - timedelta(days=rng.randint(0, 9))
    )
    if created.date() < call.opens_on:
        created = ctx.at(call.opens_on, 0)
    if status == "withdrawn" and rng.random() < 0.3:
        submitted = None
    decided = updated = None
    manager = ctx.manager_of.get(ctx.employee_department.get(applicant)) or ctx.hr()
    ctx.audit(created, applicant, "applications.create", "applications", app_id, None, "draft")
    events = []
    if submitted is not None:
        events.append((submitted, applicant, "submit", "draft", "submitted"))
    review = min((submitted or created) + timedelta(days=rng.randint(1, 10)), ctx.now)
    if status in ("endorsed", "returned", "approved", "rejected"):
        events.append((review, manager, "endorse", "submitted", "endorsed"))
    if status == "declined_by_manager":
        events.append((review, manager, "decline", "submitted", status))
    hr = ctx.hr()
    if status in ("approved", "rejected", "returned"):
        decided = ctx.at(call.closes_on + timedelta(days=rng.randint(14, 44)))
        if status == "returned":
            decided = min(decided, ctx.at(ctx.today, 0))
        events.append(
            (
                decided,
                hr,
                {"approved": "approve", "rejected": "reject", "returned": "return"}[status],
                "endorsed",
                status,
            )
        )
        if status == "returned":
            decided = None
    if status == "withdrawn":
        events.append(
            (review, applicant, "withdraw", "submitted" if submitted else "draft", status)
        )
    for at, actor, action, before, after in events:
        ctx.audit(
            at,
            actor,
            f"applications.{action}",
            "applications",
            app_id,
            before,
            after,
            comment="See the notes." if action in ("decline", "return", "reject") else None,
        )
        updated = at
    placement_id = None
    if status == "approved":
        assert decided is not None  # an approval is a decision
        (placement_id,) = writer.ids("placements", 1)
        approved.append(
            Approved(
                app_id,
                placement_id,
                applicant,
                chosen[0][0],
                call.year,
                start,
                end,
                travel + stipend + housing,
                decided,
                hr,
            )
        )
    return (
        app_id,
        call.id,
        applicant,
        status,
        "I wish to contribute to city diplomacy.",
        start,
        end,
        travel,
        stipend,
        housing,
        submitted,
        decided,
        placement_id,
        created,
        updated or created,
    )


def write_applications(ctx: Context) -> None:
    ctx.writer.write("applications", APP_COLUMNS, ctx.pending_applications)
    ctx.writer.write(
        "application_preferences",
        ("id", "application_id", "rank", "city_id"),
        ctx.pending_preferences,
    )
    ctx.pending_applications = ctx.pending_preferences = []
    ctx.flush_audit()
    ctx.writer.report("applications", "calls", "applications", "application_preferences")
