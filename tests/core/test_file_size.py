"""No file under hrfund/ passes 400 lines (STYLE.md: a file that passes 400 lines is two files)."""

from __future__ import annotations

from pathlib import Path

import hrfund

ROOT = Path(hrfund.__file__).parent
LIMIT = 400

#: Views and API files being split on other branches at the same time; the merge empties this.
KNOWN_EXCEPTIONS: set[str] = {
    "training/api.py",
    "applications/api.py",
}


def _too_long() -> dict[str, int]:
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > LIMIT:
            found[path.relative_to(ROOT).as_posix()] = lines
    return found


def test_every_file_stays_under_400_lines():
    too_long = {name: n for name, n in _too_long().items() if name not in KNOWN_EXCEPTIONS}
    assert too_long == {}, f"split these files: {too_long}"


def test_known_exceptions_are_still_needed():
    """Once a file is split, it leaves the list: the list never hides a new long file."""
    assert set(_too_long()) >= KNOWN_EXCEPTIONS
