"""Static checks of the code and its dependencies, for the suite and for `make lint`:

- bandit over hrfund/, medium severity and above: 0 findings (pyproject's [tool.bandit]);
- pip-audit over the pinned dependencies (the lock file where there is one, else pyproject's
  == pins), skipped with the reason when the vulnerability database cannot be reached.

``python -m tests.ops.static_checks`` runs both and exits non-zero on a finding.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LOCK_FILES = ("requirements.lock", "requirements.txt")


class Unavailable(Exception):
    """The check could not run here (the reason is the message); not a finding."""


def run_bandit() -> list[dict]:
    """bandit's findings of medium severity and above in hrfund/ (an empty list: none)."""
    done = subprocess.run(
        [str(BIN / "bandit"), "-c", "pyproject.toml", "-r", "hrfund", "-ll", "-f", "json", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(done.stdout)
    except ValueError:
        raise AssertionError(f"bandit did not run: {done.stderr[-2000:]}") from None
    return [
        {k: r[k] for k in ("filename", "line_number", "test_id", "issue_text")}
        for r in report["results"]
    ]


def pinned_requirements() -> tuple[str, str]:
    """The requirements to audit, and where they come from."""
    for name in LOCK_FILES:
        if (ROOT / name).is_file():
            return (ROOT / name).read_text(), name
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        pins += extra
    loose = [p for p in pins if not re.match(r"^[A-Za-z0-9._\[\]-]+==\S+$", p)]
    if loose:
        raise AssertionError(f"dependencies not pinned with ==: {loose}")
    return "\n".join(pins) + "\n", "pyproject.toml (no lock file yet)"


PYPI_JSON = "https://pypi.org/pypi/{name}/{version}/json"  # what pip-audit's PyPI service asks


def _probe(text: str) -> None:
    """One question to the database first: offline, every package would wait for its timeout."""
    pin = re.search(r"^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==([^\s;]+)", text, re.M)
    if pin is None:
        return
    url = PYPI_JSON.format(name=pin.group(1), version=pin.group(2))
    try:
        urllib.request.urlopen(url, timeout=10).close()  # noqa: S310 - a fixed https URL
    except (urllib.error.URLError, OSError) as error:
        raise Unavailable(
            f"the vulnerability database was not reachable ({url}: {error})"
        ) from None


def run_pip_audit(timeout: int = 120) -> dict:
    """pip-audit of the pinned requirements: {"source", "audited", "vulnerabilities"}; raises
    Unavailable when the vulnerability database cannot be reached."""
    text, source = pinned_requirements()
    _probe(text)
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as requirements:
        requirements.write(text)
        requirements.flush()
        try:
            done = subprocess.run(
                [str(BIN / "pip-audit"), "--no-deps", "--disable-pip", "--progress-spinner=off"]
                + ["--format=json", "--timeout=10", "-r", requirements.name],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise Unavailable(
                f"pip-audit took over {timeout} s: no vulnerability database"
            ) from None
    try:
        report = json.loads(done.stdout)
    except ValueError:
        raise Unavailable(f"pip-audit could not run: {done.stderr.strip()[-500:]}") from None
    dependencies = report.get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    if dependencies and not audited:
        raise Unavailable(
            f"the vulnerability database was not reachable ({dependencies[0]['skip_reason']})"
        )
    vulnerabilities = [
        f"{d['name']} {d['version']}: {v['id']} (fixed in {', '.join(v.get('fix_versions', []))})"
        for d in audited
        for v in d.get("vulns", [])
    ]
    return {"source": source, "audited": len(audited), "vulnerabilities": vulnerabilities}


def main() -> int:
    findings = run_bandit()
    print(f"bandit (medium and above, hrfund/): {len(findings)} findings")
    for finding in findings:
        print(f"  {finding}")
    try:
        audit = run_pip_audit()
    except Unavailable as reason:
        print(f"pip-audit: skipped, {reason}")
        return 1 if findings else 0
    print(
        f"pip-audit ({audit['source']}): {audit['audited']} audited, "
        f"{len(audit['vulnerabilities'])} known vulnerabilities"
    )
    for line in audit["vulnerabilities"]:
        print(f"  {line}")
    return 1 if findings or audit["vulnerabilities"] else 0


if __name__ == "__main__":
    sys.exit(main())
