"""Imports flow one way, in the order of DESIGN.md's "Architecture", never back up.

Read from the code with ``ast``: every ``import`` and ``from … import`` of every file under
``hrfund/``, at module level or inside a function (a deferred import is still a dependency).
``hrfund/api/``, the app factory (``hrfund/__init__.py``), the seed data (``seed*``) and the
scheduler wiring sit above every domain module and may import any of them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import hrfund

ROOT = Path(hrfund.__file__).parent

#: DESIGN.md: reports → reminders → applications → training → placements → fund → auth → org → core
ORDER = (
    "reports",
    "reminders",
    "applications",
    "training",
    "placements",
    "fund",
    "auth",
    "org",
    "core",
)
RANK = {module: rank for rank, module in enumerate(ORDER)}
#: Not domain modules: what any layer may import (the unbound extensions, below core) ...
BOTTOM = {"extensions"}
#: ... and the wiring above every domain module (``hrfund`` itself is the app factory).
WIRING = {"api", "seed", "seed_org", "seed_activity", "seed_scale", "scheduler"}


def _imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            if node.module == "hrfund":  # from hrfund import training
                found += [(node.lineno, f"hrfund.{alias.name}") for alias in node.names]
    return found


def _upward_imports(path: Path, source: str | None = None) -> list[str]:
    importer = path.relative_to(ROOT).parts[0]
    if importer not in RANK:
        return []  # wiring (api/, the factory, seed*, scheduler) may import anything
    if source is None:
        source = path.read_text(encoding="utf-8")
    problems = []
    for lineno, name in _imported_modules(ast.parse(source)):
        parts = name.split(".")
        if parts[0] != "hrfund":
            continue
        target = parts[1] if len(parts) > 1 else ""
        if target in BOTTOM:
            continue
        if target == "scheduler" and importer == "reminders" and path.name == "cli.py":
            continue  # `flask scheduler run` is CLI wiring, DESIGN.md's separate process
        if target not in RANK or RANK[target] < RANK[importer]:
            where = path.relative_to(ROOT.parent)
            problems.append(f"{where}:{lineno}: {importer} imports {name}")
    return problems


def test_no_import_runs_back_up_the_order():
    problems = [p for path in sorted(ROOT.rglob("*.py")) for p in _upward_imports(path)]
    assert problems == [], "\n".join(problems)


def test_every_domain_module_is_ranked():
    packages = {
        p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()
    } - WIRING
    assert packages == set(RANK)


def test_the_checker_sees_deferred_and_from_imports():
    """The checker itself: a deferred import upward is caught, a downward one is not."""
    source = (
        "from hrfund.core import audit\n"
        "def f():\n"
        "    from hrfund.auth.models import Role\n"
        "    import hrfund.reports.charts\n"
    )
    problems = _upward_imports(ROOT / "org" / "probe.py", source)
    assert [p.split(": ", 1)[1] for p in problems] == [
        "org imports hrfund.auth.models",
        "org imports hrfund.reports.charts",
    ]


def test_app_factory_modules_follow_the_order():
    """``MODULES`` in the app factory lists the domains bottom-up, as DESIGN.md orders them."""
    assert tuple(reversed(ORDER)) == hrfund.MODULES
