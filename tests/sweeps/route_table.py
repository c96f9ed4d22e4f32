"""The route × role table: ``route_table.txt``, one row per (route, object, body), read here.

Each row: method, endpoint, url arguments (``name=value,…``; ``-`` for none), the name of a
body in route_bodies.py (``-`` for none), and the status each caller must get, in ``CALLERS``
order: not logged in, then the roles. The roles are the demo's people, each holding that one
role (tests/sweeps/world.py): Yamada the employee, a manager of his department, an HR officer,
Kim the Seoul coordinator, the auditor, the admin. A route may have several rows (one per
action or kind of object). ``@key`` is the world's id of that name.

Each action gets a real object in the state it needs and a body valid for the role that may
act: the refusals (403 for the wrong role, 404 for an object outside the caller's scope, 409 for
the wrong state) come from the service's own check, not from a missing id or a form error, and
the role that may act really succeeds (each request is rolled back).
"""

from __future__ import annotations

from pathlib import Path

from tests.sweeps import route_bodies

CALLERS = ("anon", "employee", "manager", "hr", "coordinator", "auditor", "admin")


def _value(text: str):
    return int(text) if text.isdigit() else text


def _rows() -> list[tuple[str, str, dict, dict | None, str]]:
    rows = []
    for line in (Path(__file__).parent / "route_table.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        method, endpoint, args, body, *codes = line.split()
        assert len(codes) == len(CALLERS), line
        arguments = {}
        if args != "-":
            for pair in args.split(","):
                name, value = pair.split("=", 1)
                arguments[name] = _value(value)
        rows.append(
            (
                endpoint,
                method,
                arguments,
                None if body == "-" else getattr(route_bodies, body),
                " ".join(codes),
            )
        )
    return rows


ROWS = _rows()
