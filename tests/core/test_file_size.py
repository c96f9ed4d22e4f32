"""No file under hrfund/ passes 400 lines (STYLE.md: a file that passes 400 lines is two files)."""

from __future__ import annotations

from pathlib import Path

import hrfund

ROOT = Path(hrfund.__file__).parent
LIMIT = 400


def _too_long() -> dict[str, int]:
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > LIMIT:
            found[path.relative_to(ROOT).as_posix()] = lines
    return found


def test_every_file_stays_under_400_lines():
    too_long = _too_long()
    assert too_long == {}, f"split these files: {too_long}"
