"""Imported once by the forkserver: each racing worker forks with the app's modules loaded,
and only builds its own app and engine."""

from importlib import import_module
from importlib.util import find_spec

from hrfund import MODULES

import_module("hrfund.api")
for _name in MODULES:
    for _part in ("views", "api"):
        if find_spec(f"hrfund.{_name}.{_part}"):
            import_module(f"hrfund.{_name}.{_part}")
