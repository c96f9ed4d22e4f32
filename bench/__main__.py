"""Time the list pages and API lists of hrfund over large generated data, and count queries.

    make bench                                   # SQLite, scale 1
    BENCH_SCALE=10 \
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/hrfund_bench make bench

Scale 1 makes 20,000 employees, 5,000 placements, 20,000 ledger entries, 200,000 training
records and 50,000 audit events; scale 10 reaches the sizes in DESIGN.md. Each page is requested
20 times; the report gives the median and 95th percentile and the SQL statements per request.
The run fails (exit 1) when a page's 95th percentile passes BENCH_P95_MS (default 800 ms) or
when the statements per request differ between the first and the last page of a list.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from hrfund import create_app
from hrfund.extensions import db

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
P95_LIMIT_MS = float(os.environ.get("BENCH_P95_MS", "800"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "20"))
PASSWORD = "Bench-Password-2026"  # noqa: S105 - benchmark data


def _count(n: float) -> int:
    return max(1, int(n * SCALE))


def generate(app) -> dict:
    """Bulk-insert the data in batches (core inserts, not the ORM: minutes, not hours)."""
    from hrfund.auth.models import User, UserRole
    from hrfund.auth.passwords import hash_password
    from hrfund.core.audit import AuditEvent
    from hrfund.fund import services as fund
    from hrfund.fund.models import BudgetLine
    from hrfund.org.models import Department, PartnerCity
    from hrfund.placements.models import Placement
    from hrfund.seed import seed_demo

    rng = random.Random(2026)  # noqa: S311
    with app.app_context():
        seed_demo()
        db.session.commit()
        now = datetime.now(UTC)
        pw = hash_password(PASSWORD)
        departments = db.session.scalars(sa.select(Department.id)).all()
        cities = db.session.scalars(sa.select(PartnerCity.id)).all()
        hr = db.session.scalar(sa.select(User).where(User.email.like("suzuki%")))
        start = db.session.scalar(sa.select(sa.func.max(User.id))) + 1
        users = _count(20_000)
        for offset in range(0, users, 5_000):
            rows = [
                {
                    "id": start + i,
                    "email": f"bench{start + i}@metro.tokyo.example",
                    "password_hash": pw,
                    "family_name": "試験",
                    "given_name": f"{i}号",
                    "family_name_kana": "シケン",
                    "given_name_kana": "ゴウ",
                    "family_name_romaji": "Shiken",
                    "given_name_romaji": f"No{i}",
                    "employee_number": f"B{start + i:08d}",
                    "department_id": rng.choice(departments),
                    "joined_on": date(2010, 4, 1),
                    "locale": "ja",
                    "timezone": "Asia/Tokyo",
                    "active": True,
                    "failed_logins": 0,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(offset, min(users, offset + 5_000))
            ]
            db.session.execute(sa.insert(User), rows)
            db.session.execute(
                sa.insert(UserRole), [{"user_id": r["id"], "role": "employee"} for r in rows]
            )
        fy = 2026
        fund.contribute(hr, 10**11, date(fy, 4, 1))
        fund.allocate(hr, fy, "outgoing", 10**10)
        db.session.commit()
        line = db.session.scalar(
            sa.select(BudgetLine.id).where(
                BudgetLine.fiscal_year == fy, BudgetLine.category == "outgoing"
            )
        )
        placements = _count(5_000)
        first_placement = (db.session.scalar(sa.select(sa.func.max(Placement.id))) or 0) + 1
        rows = []
        for i in range(placements):
            begin = date(fy, 4, 1) + timedelta(days=rng.randrange(0, 360))
            rows.append(
                {
                    "id": first_placement + i,
                    "direction": "outgoing",
                    "status": rng.choice(["proposed", "completed", "declined"]),
                    "city_id": rng.choice(cities),
                    "person_id": start + rng.randrange(users),
                    "start_on": begin,
                    "end_on": begin + timedelta(days=180),
                    "fiscal_year": fy,
                    "purpose": "",
                    "created_at": now,
                    "updated_at": now,
                    "confirmed_at": now,
                }
            )
        db.session.execute(sa.insert(Placement), rows)
        from hrfund.fund.models import LedgerEntry

        entries = [
            {
                "fiscal_year": fy,
                "budget_line_id": line,
                "category": "outgoing",
                "kind": "commitment",
                "amount_jpy": 1_000_000,
                "consumed_jpy": 0,
                "purpose": "placement",
                "placement_id": r["id"],
                "booked_on": date(fy, 5, 1),
                "memo": "",
                "created_by_id": hr.id,
                "created_at": now,
            }
            for r in rows
        ]
        entries *= max(1, _count(20_000) // max(1, len(entries)))
        for offset in range(0, len(entries), 5_000):
            db.session.execute(sa.insert(LedgerEntry), entries[offset : offset + 5_000])
        from hrfund.training.models import TrainingProgram, TrainingRecord

        programs = db.session.scalars(sa.select(TrainingProgram.id)).all()
        records = _count(200_000)  # 2,000,000 at scale 10, as DESIGN.md sizes it
        for offset in range(0, records, 10_000):
            db.session.execute(
                sa.insert(TrainingRecord),
                [
                    {
                        "user_id": start + i % users,
                        "program_id": programs[i % len(programs)],
                        "status": "completed",
                        "completed_on": date(2016, 4, 1) + timedelta(days=i // users * 400 % 3650),
                        "hours": 6,
                        "source": "import",
                        "verified": True,
                        "verified_at": now,
                        "note": "",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(offset, min(records, offset + 10_000))
                ],
            )
        audit = _count(50_000)
        for offset in range(0, audit, 10_000):
            db.session.execute(
                sa.insert(AuditEvent),
                [
                    {
                        "at": now,
                        "actor_id": hr.id,
                        "actor_label": hr.email,
                        "action": "bench.event",
                        "object_type": "placements",
                        "object_id": str(first_placement + i % placements),
                        "from_state": None,
                        "to_state": None,
                    }
                    for i in range(offset, min(audit, offset + 10_000))
                ],
            )
        db.session.commit()
        return {
            "users": users,
            "placements": placements,
            "entries": len(entries),
            "training_records": records,
            "audit": audit,
        }


PAGES = [
    ("hr", "/placements?per_page=50"),
    ("hr", "/placements?per_page=50&page=15"),
    ("hr", "/api/v1/placements?per_page=200"),
    ("hr", "/applications?per_page=50"),
    ("hr", "/fund/?fiscal_year=2026"),
    ("hr", "/fund/ledger?fiscal_year=2026"),
    ("hr", "/audit?per_page=100"),
    ("hr", "/audit?per_page=100&page=90"),
    ("hr", "/talent?language_test=ielts&min_score=6"),
    ("admin", "/admin/users?q=bench1"),
    ("admin", "/admin/users?page=300"),
    ("hr", "/dashboard"),
    ("hr", "/reports/fiscal-year/2026"),
    ("hr", "/reports/fiscal-year/2026.xlsx"),
    ("employee", "/dashboard"),
    ("employee", "/calls"),
    ("employee", "/placements"),
]
ROLES = {
    "hr": "suzuki.ichiro@metro.tokyo.example",
    "admin": "admin@metro.tokyo.example",
    "employee": "yamada.taro@metro.tokyo.example",
}


def measure(app) -> list[dict]:
    from hrfund.seed import DEMO_PASSWORD

    clients = {}
    for role, email in ROLES.items():
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        clients[role] = client
    with app.app_context():
        engine = db.engine
    statements: list[int] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(1))
    report = []
    for role, path in PAGES:
        client = clients[role]
        client.get(path)
        times, counts = [], []
        for _ in range(REPEAT):
            statements.clear()
            begin = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - begin) * 1000)
            counts.append(len(statements))
            if response.status_code != 200:
                raise SystemExit(f"{path}: HTTP {response.status_code}")
        times.sort()
        report.append(
            {
                "path": path,
                "p50": statistics.median(times),
                "p95": times[int(0.95 * (len(times) - 1))],
                "queries": max(counts),
            }
        )
    return report


def main() -> int:
    url = os.environ.get("BENCH_DATABASE_URL")
    folder = tempfile.mkdtemp(prefix="hrfund-bench-")
    url = url or f"sqlite:///{folder}/bench.sqlite"
    app = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "TESTING": False}
    )
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    began = time.perf_counter()
    sizes = generate(app)
    print(f"generated {sizes} in {time.perf_counter() - began:.0f} s on {url.split(':')[0]}")
    report = measure(app)
    failed = False
    print(f"{'page':55} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for row in report:
        flag = " SLOW" if row["p95"] > P95_LIMIT_MS else ""
        failed |= bool(flag)
        print(f"{row['path']:55} {row['p50']:8.1f} {row['p95']:8.1f} {row['queries']:8d}{flag}")
    pairs = [
        ("/placements?per_page=50", "/placements?per_page=50&page=15"),
        ("/audit?per_page=100", "/audit?per_page=100&page=90"),
    ]
    by_path = {r["path"]: r for r in report}
    for first, last in pairs:
        if by_path[first]["queries"] != by_path[last]["queries"]:
            print(f"query count differs between {first} and {last}")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
