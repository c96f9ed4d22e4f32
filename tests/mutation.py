"""Mutation testing of the security rules: ``make mutation`` (``python -m tests.mutation``).

Not part of the suite (it runs pytest once per mutation). Each mutation below removes one rule
— a scope filter, a role check, a lock or a claim — by replacing one exact piece of source; the
runner applies it alone, runs the tests that should catch it, puts the file back (from memory,
and checks it against git), and reports which tests failed. A mutation no test catches is a
survivor: it needs a test. mutmut was considered; it mutates every line of a file and reruns a
whole test selection for each, where these rules need one precise removal each and the tests of
their own area (races on PostgreSQL).

``python -m tests.mutation [-k SUBSTRING] [--out FILE]``; the races need
HRFUND_TEST_DATABASE_URL (without it those mutations are reported as not run).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Mutation:
    name: str
    path: str
    original: str
    mutated: str
    tests: tuple[str, ...]
    postgres: bool = False  # the tests that catch it race real PostgreSQL connections


PLACEMENT_SCOPE = ("tests/placements/test_scope_and_pages.py",)
APPLICATION_SCOPE = (
    "tests/applications/test_api_and_pages.py",
    "tests/applications/test_draft_scope.py",
    "tests/applications/test_delegations.py",
    "tests/applications/test_delegations_http.py",
)
WORKFLOWS = ("tests/applications/test_workflow.py", "tests/placements/test_workflow.py")
ROUTES = ("tests/test_route_roles.py", "tests/core/test_security.py")

MUTATIONS = [
    # ---------------------------------------------------------------- scope filters
    Mutation(
        "placements.visible_to: no filter for coordinators, managers, employees",
        "hrfund/placements/services.py",
        "    conditions.append(Placement.person_id == user.id)\n"
        "    return stmt.where(sa.or_(*conditions))",
        "    conditions.append(Placement.person_id == user.id)\n    return stmt",
        PLACEMENT_SCOPE,
    ),
    Mutation(
        "placements.visible_to: a coordinator sees every city",
        "hrfund/placements/services.py",
        "conditions.append(Placement.city_id == user.city_id)",
        "conditions.append(sa.true())",
        PLACEMENT_SCOPE,
    ),
    Mutation(
        "placements.visible_to: a manager sees everyone's",
        "hrfund/placements/services.py",
        "        conditions.append(Placement.person_id.in_(staff))",
        "        conditions.append(sa.true())",
        PLACEMENT_SCOPE,
    ),
    Mutation(
        "applications.visible_to: no filter below HR",
        "hrfund/applications/scope.py",
        "    return stmt.where(sa.or_(*conditions))\n\n\ndef get_application_or_404",
        "    return stmt\n\n\ndef get_application_or_404",
        APPLICATION_SCOPE,
    ),
    Mutation(
        "applications.visible_to: HR sees others' drafts",
        "hrfund/applications/scope.py",
        "sa.or_(Application.status != A.DRAFT, Application.applicant_id == user.id)",
        "sa.true()",
        APPLICATION_SCOPE,
    ),
    Mutation(
        "applications.visible_to: a manager sees their staff's drafts",
        "hrfund/applications/scope.py",
        "sa.and_(Application.applicant_id.in_(staff), Application.status != A.DRAFT)",
        "Application.applicant_id.in_(staff)",
        APPLICATION_SCOPE,
    ),
    Mutation(
        "applications.visible_to: a deputy sees the principal's own application",
        "hrfund/applications/scope.py",
        "                Application.applicant_id != principal.id,\n",
        "",
        APPLICATION_SCOPE,
    ),
    Mutation(
        "nominations_visible_to: a coordinator sees every city's",
        "hrfund/placements/nominations.py",
        "return stmt.where(Nomination.city_id == user.city_id)",
        "return stmt",
        (
            "tests/placements/test_scope_and_pages.py",
            "tests/placements/test_nomination_details.py",
            "tests/placements/test_nomination_scope.py",
        ),
    ),
    Mutation(
        "nominations_visible_to: everyone sees them",
        "hrfund/placements/nominations.py",
        "    return stmt.where(sa.false())\n",
        "    return stmt\n",
        (
            "tests/placements/test_scope_and_pages.py",
            "tests/placements/test_nomination_details.py",
            "tests/placements/test_nomination_scope.py",
        ),
    ),
    Mutation(
        "training records and scores: everyone reads everyone's",
        "hrfund/training/services.py",
        "    return column == viewer.id\n",
        "    return sa.true()\n",
        (
            "tests/training/test_pages_api.py",
            "tests/training/test_rules.py",
            "tests/training/test_coordinator_scope.py",
        ),
    ),
    Mutation(
        "training: a coordinator reads the records of the people they share an id with",
        "hrfund/training/services.py",
        "        return sa.false()  # partner-city staff",
        "        return column == viewer.id  # partner-city staff",
        (
            "tests/training/test_pages_api.py",
            "tests/training/test_rules.py",
            "tests/training/test_coordinator_scope.py",
        ),
    ),
    Mutation(
        "visible_users: everyone lists every user",
        "hrfund/auth/services.py",
        "    return stmt.where(User.id == actor.id)\n",
        "    return stmt\n",
        (
            "tests/auth/test_user_search.py",
            "tests/auth/test_accounts.py",
            "tests/auth/test_visible_users.py",
            *ROUTES,
        ),
    ),
    Mutation(
        "visible_calls: everyone sees draft calls",
        "hrfund/applications/calls.py",
        "    return stmt.where(Call.status != C.DRAFT)\n",
        "    return stmt\n",
        (
            "tests/applications/test_call_rules.py",
            "tests/applications/test_api_and_pages.py",
            "tests/applications/test_draft_calls.py",
        ),
    ),
    Mutation(
        "visible_delegations: everyone sees every delegation",
        "hrfund/applications/delegations.py",
        "    return stmt.where(sa.or_(Delegation.principal"
        "_id == user.id, Delegation.deputy_id == user.id))",
        "    return stmt",
        ("tests/applications/test_delegations.py", "tests/applications/test_delegations_http.py"),
    ),
    # ---------------------------------------------------------------- role checks
    Mutation(
        "roles_required: the role is not checked",
        "hrfund/core/permissions.py",
        "if roles and not current_user.has_role(*roles):",
        "if False:",
        ROUTES,
    ),
    Mutation(
        "roles_required: anonymous callers pass",
        "hrfund/core/permissions.py",
        "if not current_user.is_authenticated:",
        "if False:",
        ROUTES,
    ),
    Mutation(
        "StateMachine.apply: the actor is not checked (who=)",
        "hrfund/core/statemachine.py",
        "        if not t.who(actor, obj):\n",
        "        if False:\n",
        WORKFLOWS,
    ),
    Mutation(
        "StateMachine.apply: the state is not checked",
        "hrfund/core/statemachine.py",
        "        if current not in t.sources:\n",
        "        if False:\n",
        WORKFLOWS,
    ),
    Mutation(
        "is_city_coordinator: any coordinator confirms for any city",
        "hrfund/placements/services.py",
        "return actor.has_role(Role.COORDINATOR) and actor.city_id == placement.city_id",
        "return actor.has_role(Role.COORDINATOR)",
        ("tests/placements/test_workflow.py", *PLACEMENT_SCOPE),
    ),
    Mutation(
        "is_hr: anyone completes and cancels placements",
        "hrfund/placements/services.py",
        "    return actor.has_role(Role.HR)\n\n\ndef is_city_coordinator",
        "    return True\n\n\ndef is_city_coordinator",
        ("tests/placements/test_workflow.py",),
    ),
    Mutation(
        "create_placement: not only HR places staff",
        "hrfund/placements/services.py",
        "    if not actor.has_role(Role.HR):\n"
        '        raise NotAllowed(str(_l("Only HR places staff.")))',
        '    if False:\n        raise NotAllowed(str(_l("Only HR places staff.")))',
        (
            "tests/placements/test_workflow.py",
            "tests/placements/test_money_rules.py",
            "tests/placements/test_place_role.py",
        ),
    ),
    Mutation(
        "hr_or_deputy: HR decides their own application",
        "hrfund/applications/scope.py",
        "    if application is not None and is_owner(actor, application):\n        return False\n",
        "",
        ("tests/applications/test_workflow.py", *APPLICATION_SCOPE),
    ),
    Mutation(
        "endorsing_capacity: a manager endorses their own application",
        "hrfund/applications/delegations.py",
        "    if actor.id == applicant.id or department_id is None:",
        "    if department_id is None:",
        ("tests/applications/test_workflow.py", "tests/applications/test_delegations.py"),
    ),
    Mutation(
        "endorsing_capacity: a deputy endorses the principal's own application",
        "hrfund/applications/delegations.py",
        "        if department_id in departments and principal.id != applicant.id:",
        "        if department_id in departments:",
        ("tests/applications/test_delegations.py", "tests/applications/test_delegations_http.py"),
    ),
    Mutation(
        "acts_as_hr: a delegation gives HR powers without the role",
        "hrfund/applications/delegations.py",
        "    return user if user is not None and user.has_role(Role.HR) else None",
        "    return user",
        ("tests/applications/test_delegations.py", "tests/applications/test_delegations_http.py"),
    ),
    Mutation(
        "create_call: not only HR creates calls",
        "hrfund/applications/calls.py",
        "    if not actor.has_role(Role.HR):\n"
        '        raise NotAllowed(str(_l("Only HR creates calls.")))',
        '    if False:\n        raise NotAllowed(str(_l("Only HR creates calls.")))',
        (
            "tests/applications/test_call_rules.py",
            "tests/applications/test_draft_calls.py",
            *ROUTES,
        ),
    ),
    # ---------------------------------------------------------------- locks and claims
    Mutation(
        "StateMachine._claim: the UPDATE no longer checks the expected state",
        "hrfund/core/statemachine.py",
        "claim_row(obj, state_column == current,",
        "claim_row(obj, sa.true(),",
        ("tests/races/test_application_races.py", "tests/races/test_placement_races.py"),
        postgres=True,
    ),
    Mutation(
        "claim_row: a lost claim is not refused",
        "hrfund/core/statemachine.py",
        "    if result.rowcount != 1:\n        raise refusal()",
        "    if False:\n        raise refusal()",
        ("tests/races/test_application_races.py", "tests/races/test_other_races.py"),
        postgres=True,
    ),
    Mutation(
        "lock_fund: no row lock on the fund",
        "hrfund/fund/posting.py",
        "        .where(FundAccount.id == FUND_ID)\n        .with_for_update()\n",
        "        .where(FundAccount.id == FUND_ID)\n",
        (
            "tests/races/test_fund_races.py",
            "tests/fund/test_race.py",
            "tests/fund/test_fund_lock_race.py",
        ),
        postgres=True,
    ),
    Mutation(
        "lock_line: no row lock on the budget line",
        "hrfund/fund/posting.py",
        "        .where(BudgetLine.id == line_id)\n        .with_for_update()\n",
        "        .where(BudgetLine.id == line_id)\n",
        ("tests/races/test_fund_races.py", "tests/fund/test_race.py"),
        postgres=True,
    ),
    Mutation(
        "take_write_lock: SQLite postings without the write lock",
        "hrfund/fund/posting.py",
        '    if session.get_bind().dialect.name != "sqlite":\n        return\n',
        "    return\n",
        ("tests/fund/test_race.py", "tests/core/test_lock.py"),
    ),
]


def _failed_tests(output: str) -> list[str]:
    return sorted(set(re.findall(r"^(?:FAILED|ERROR) (tests/\S+)", output, re.M)))


def run_one(mutation: Mutation, python: str) -> dict:
    path = ROOT / mutation.path
    source = path.read_text()
    if source.count(mutation.original) != 1:
        return {"status": "stale", "detail": "the original text is not found exactly once"}
    env = dict(os.environ)
    if not mutation.postgres:
        env.pop("HRFUND_TEST_DATABASE_URL", None)  # SQLite is enough, and faster
    elif not env.get("HRFUND_TEST_DATABASE_URL"):
        return {"status": "not run", "detail": "needs HRFUND_TEST_DATABASE_URL"}
    began = time.monotonic()
    path.write_text(source.replace(mutation.original, mutation.mutated))
    try:
        done = subprocess.run(
            [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfE", *mutation.tests],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        path.write_text(source)
    failed = _failed_tests(done.stdout)
    caught = done.returncode != 0
    return {
        "status": "caught" if caught else "SURVIVED",
        "failed": failed,
        "seconds": round(time.monotonic() - began),
        "detail": "" if caught or not done.returncode else done.stdout[-500:],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-k", action="append", default=[], help="only the mutations whose name contains this"
    )
    parser.add_argument("--out", default="test-artifacts/mutation.md")
    args = parser.parse_args(argv)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", *{m.path for m in MUTATIONS}],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if dirty.strip():
        print(f"uncommitted changes in the mutated files, refusing:\n{dirty}", file=sys.stderr)
        return 2
    lines = [
        "| mutation | file | result | tests that fail (count: first ones) |",
        "|---|---|---|---|",
    ]
    survivors = 0
    for mutation in MUTATIONS:
        if args.k and not any(k in mutation.name for k in args.k):
            continue
        result = run_one(mutation, sys.executable)
        survivors += result["status"] == "SURVIVED"
        failed = result.get("failed", [])
        shown = ", ".join(f"`{t}`" for t in failed[:3]) + (" …" if len(failed) > 3 else "")
        line = (
            f"| {mutation.name} | `{mutation.path}` | {result['status']} | {len(failed)}: {shown} |"
        )
        lines.append(line)
        print(line, f"({result.get('seconds', 0)} s) {result.get('detail', '')}", flush=True)
    out = ROOT / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print(f"\n{len(lines) - 2} mutations, {survivors} survived; table in {out}")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
