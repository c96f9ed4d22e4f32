"""The lock files agree with pyproject.toml: every pin is locked, at the same version, with hashes,
and the runtime lock is a subset of the test lock (a pin changed without `make lock` fails)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==(\S+)", re.M)


def _locked(name: str) -> dict[str, str]:
    text = (ROOT / name).read_text(encoding="utf-8")
    for entry in re.split(r"\n(?=[A-Za-z0-9])", text):
        if PIN.match(entry):
            assert "--hash=sha256:" in entry, f"{name}: no hash for {entry.splitlines()[0]}"
    return {canonicalize_name(n): v for n, v in PIN.findall(text)}


def _pins(requirements: list[str]) -> dict[str, str]:
    pins = {}
    for line in requirements:
        requirement = Requirement(line)
        (spec,) = requirement.specifier
        assert spec.operator == "==", f"pin {line} with == in pyproject.toml"
        pins[canonicalize_name(requirement.name)] = spec.version
    return pins


def test_every_pin_is_locked_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime, test = _locked("requirements.lock"), _locked("requirements-test.lock")
    stale = []
    for name, version in _pins(project["dependencies"]).items():
        if runtime.get(name) != version or test.get(name) != version:
            stale.append(f"{name}=={version}")
    for name, version in _pins(project["optional-dependencies"]["test"]).items():
        if test.get(name) != version:
            stale.append(f"{name}=={version} (test)")
    assert not stale, f"the lock files lag behind pyproject.toml, run `make lock`: {stale}"
    differ = {n: (v, test.get(n)) for n, v in runtime.items() if test.get(n) != v}
    assert not differ, f"runtime and test locks disagree: {differ}; run `make lock`"
