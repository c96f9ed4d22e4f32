"""bandit finds nothing of medium severity or above; pip-audit finds no known vulnerability in
the pinned dependencies (skipped, with the reason, where its database is out of reach)."""

from __future__ import annotations

import pytest

from tests.ops.static_checks import Unavailable, pinned_requirements, run_bandit, run_pip_audit


def test_bandit_medium_and_above_finds_nothing():
    findings = run_bandit()
    print(f"bandit: {len(findings)} findings of medium severity or above")
    assert findings == []


def test_every_dependency_is_pinned():
    text, _source = pinned_requirements()
    assert "flask==" in text.lower()  # pip-compile writes names in lower case


def test_pip_audit_finds_no_known_vulnerability():
    try:
        audit = run_pip_audit()
    except Unavailable as reason:
        pytest.skip(f"pip-audit: {reason}")
    print(f"pip-audit ({audit['source']}): {audit['audited']} audited")
    assert audit["vulnerabilities"] == []
