"""Training catalogue, training records (millions, mostly imported) and language scores."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hrfund.seed_scale import names
from hrfund.seed_scale.context import Context

RECORD_COLUMNS = (
    "id",
    "user_id",
    "program_id",
    "session_id",
    "status",
    "completed_on",
    "hours",
    "score",
    "expires_on",
    "certificate_id",
    "source",
    "verified",
    "verified_at",
    "verified_by_id",
    "import_batch_id",
    "note",
    "created_at",
    "updated_at",
)
SCORE_COLUMNS = (
    "id",
    "user_id",
    "test",
    "test_name",
    "score",
    "level",
    "taken_on",
    "expires_on",
    "certificate_id",
    "verified",
    "verified_at",
    "verified_by_id",
    "created_at",
    "updated_at",
)
# test, weight, (low, high, step, mean, spread), years valid
TESTS = [
    ("ielts", 30, (Decimal("4.0"), Decimal("9.0"), Decimal("0.5"), 6.3, 1.0), 2),
    ("toeic", 35, (Decimal(300), Decimal(990), Decimal(5), 720, 130), 2),
    ("toefl_ibt", 15, (Decimal(40), Decimal(120), Decimal(1), 85, 15), 2),
    ("hsk", 7, (Decimal(120), Decimal(300), Decimal(1), 220, 40), None),
    ("topik", 5, (Decimal(80), Decimal(300), Decimal(1), 180, 50), None),
    ("delf_dalf", 3, (Decimal(50), Decimal(100), Decimal("0.5"), 72, 10), None),
    ("goethe", 3, (Decimal(60), Decimal(100), Decimal(1), 78, 10), None),
    ("other", 2, (Decimal(0), Decimal(100), Decimal(1), 65, 15), None),
]
CHUNK = 50_000


def programs(ctx: Context) -> None:
    rng, writer = ctx.rng, ctx.writer
    rows, sessions = [], []
    n = ctx.sizes.programs
    for k, program_id in enumerate(writer.ids("training_programs", n)):
        ja, en, category, language = names.PROGRAM_TOPICS[k % len(names.PROGRAM_TOPICS)]
        level_ja, level_en = names.LEVELS[(k // len(names.PROGRAM_TOPICS)) % len(names.LEVELS)]
        series = k // (len(names.PROGRAM_TOPICS) * len(names.LEVELS)) + 1
        hours = Decimal(rng.choice((6, 12, 20, 30, 40, 60)))
        rows.append(
            (
                program_id,
                f"GEN-{k + 1:04d}",
                f"{ja}{level_ja} {series}",
                f"{en} {level_en} {series}",
                category,
                "TMG Training Institute",
                hours,
                language,
                "",
                True,
                ctx.now,
                ctx.now,
            )
        )
        ctx.program_ids.append(program_id)
        ctx.program_language[program_id] = category == "language"
        for s in range(2):
            start = ctx.today + timedelta(days=rng.randint(-300, 120) + s * 30)
            capacity = rng.choice((20, 30, 40))
            sessions.append(
                (
                    writer.ids("training_sessions", 1)[0],
                    program_id,
                    start,
                    start + timedelta(days=rng.randint(0, 30)),
                    "Tokyo",
                    capacity,
                    rng.randint(0, capacity),
                    ctx.now,
                    ctx.now,
                )
            )
    writer.write(
        "training_programs",
        (
            "id",
            "code",
            "title_ja",
            "title_en",
            "category",
            "provider",
            "hours",
            "language",
            "description",
            "active",
            "created_at",
            "updated_at",
        ),
        rows,
    )
    writer.write(
        "training_sessions",
        (
            "id",
            "program_id",
            "starts_on",
            "ends_on",
            "place",
            "capacity",
            "enrolled_count",
            "created_at",
            "updated_at",
        ),
        sessions,
    )


def _count(rng, mean: float, cap: int) -> int:
    return min(cap, int(rng.expovariate(1 / mean) + 0.5) if mean > 0 else 0)


def records(ctx: Context) -> None:
    """Most staff have a handful of records, the few who go abroad many more."""
    rng, writer, today = ctx.rng, ctx.writer, ctx.today
    candidates = set(ctx.candidates)
    people = len(ctx.employee_ids) + 2 * len(candidates)
    mean = ctx.sizes.training_records / people
    cap = min(60, len(ctx.program_ids))
    popular = ctx.program_ids[0]  # English basics: what nearly everyone abroad has done
    rows, start = [], date(2008, 4, 1)
    for user_id in ctx.employee_ids:
        chosen = candidates.__contains__(user_id)
        n = _count(rng, mean * (3 if chosen else 1), cap)
        picks = rng.sample(ctx.program_ids, n)
        if chosen and popular not in picks and rng.random() < 0.5:
            picks.append(popular)
        for program_id in picks:
            rows.append(_record(ctx, user_id, program_id, start, today))
            if len(rows) >= CHUNK:
                _flush(ctx, rows)
    _flush(ctx, rows)
    writer.report("training", "training_programs", "training_records")


def _record(ctx, user_id, program_id, start, today):
    rng = ctx.rng
    (record_id,) = ctx.writer.ids("training_records", 1)
    r = rng.random()
    status = (
        "completed"
        if r < 0.8
        else "enrolled"
        if r < 0.86
        else "failed"
        if r < 0.91
        else "cancelled"
    )
    day = ctx.days(start, today) if status != "enrolled" else None
    score = Decimal(rng.randint(55, 100)) if ctx.program_language[program_id] and day else None
    expires = (
        day + timedelta(days=3 * 365)
        if day is not None and status == "completed" and rng.random() < 0.2
        else None
    )
    s = rng.random()
    source = "import" if s < 0.7 else "hr" if s < 0.85 else "self" if s < 0.95 else "enrolment"
    verified = source != "self" or rng.random() < 0.4
    at = ctx.at(day or today)
    if source in ("self", "hr"):
        actor = user_id if source == "self" else ctx.hr()
        ctx.audit(
            at, actor, "training_record.create", "training_records", record_id, to_state=status
        )
    return (
        record_id,
        user_id,
        program_id,
        None,
        status,
        day,
        None,
        score,
        expires,
        None,
        source,
        verified,
        at if verified else None,
        ctx.hr() if verified else None,
        None,
        "",
        at,
        at,
    )


def _flush(ctx, rows):
    ctx.writer.write("training_records", RECORD_COLUMNS, rows)
    rows.clear()
    ctx.flush_audit()


def _score(rng, spec) -> Decimal:
    low, high, step, mean, spread = spec
    value = Decimal(str(rng.gauss(mean, spread)))
    value = min(high, max(low, (value / step).to_integral_value() * step))
    return value.quantize(Decimal("0.1"))


def scores(ctx: Context) -> None:
    """Language scores of a quarter of the staff: some unverified, many of them expired."""
    rng, writer, today = ctx.rng, ctx.writer, ctx.today
    others = [u for u in rng.sample(ctx.employee_ids, len(ctx.employee_ids) // 4)]
    holders = list(dict.fromkeys(ctx.candidates + others))
    mean = ctx.sizes.language_scores / (
        len(ctx.candidates) * 3 + len(holders) - len(ctx.candidates)
    )
    candidates = set(ctx.candidates)
    weights = [w for _, w, _, _ in TESTS]
    rows = []
    for user_id in holders:
        taken: set = set()
        for _ in range(1 + _count(rng, mean * (3 if user_id in candidates else 1) - 1, 15)):
            test, _w, spec, valid = rng.choices(TESTS, weights)[0]
            day = ctx.days(date(2015, 4, 1), today)
            if (test, day) in taken:
                continue
            taken.add((test, day))
            (score_id,) = writer.ids("language_scores", 1)
            verified = rng.random() < 0.75
            at = ctx.at(day)
            expires = day + timedelta(days=365 * valid) if valid else None
            rows.append(
                (
                    score_id,
                    user_id,
                    test,
                    "CASEC" if test == "other" else "",
                    _score(rng, spec),
                    "",
                    day,
                    expires,
                    None,
                    verified,
                    at if verified else None,
                    ctx.hr() if verified else None,
                    at,
                    at,
                )
            )
            ctx.audit(at, user_id, "language_score.create", "language_scores", score_id)
            if len(rows) >= CHUNK:
                writer.write("language_scores", SCORE_COLUMNS, rows)
                rows.clear()
                ctx.flush_audit()
    writer.write("language_scores", SCORE_COLUMNS, rows)
    ctx.flush_audit()
    writer.report("language scores", "language_scores", "audit_events")
