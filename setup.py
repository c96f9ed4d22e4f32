"""Build hook: the wheel carries compiled message catalogs, templates, migrations and settings.

Everything else about the build is declared in pyproject.toml. This file only adds what a
declaration cannot say: the packages mapped from the top-level folders (templates/, migrations/,
config/ become hrfund.templates, hrfund.migrations, hrfund.config) next to the discovered ones,
and a build_py that compiles every translations/*/LC_MESSAGES/messages.po into its .mo, so that
an installed hrfund never falls back to English for want of a compiled catalog.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
MAPPED = {
    "hrfund.templates": "templates",
    "hrfund.migrations": "migrations",
    "hrfund.config": "config",
}


def compile_catalogs(source_root: Path, target_root: Path) -> list[str]:
    """Compile hrfund/**/translations/<lang>/LC_MESSAGES/*.po under ``target_root``."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(source_root.glob("hrfund/**/translations/*/LC_MESSAGES/*.po")):
        relative = po.relative_to(source_root)
        mo = (target_root / relative).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=relative.parts[-3])
        with mo.open("wb") as fh:
            write_mo(fh, catalog)  # fuzzy entries are left out, as pybabel compile does
        written.append(str(mo))
    return written


class build_py_with_catalogs(build_py):  # noqa: N801 - setuptools' naming
    """build_py, then the compiled catalogs: into the wheel, or into the checkout when editable."""

    def run(self) -> None:
        super().run()
        target = HERE if self.editable_mode else Path(self.build_lib)
        self._catalogs = compile_catalogs(HERE, target)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        return super().get_outputs(include_bytecode) + list(getattr(self, "_catalogs", []))


setup(
    packages=find_packages(include=["hrfund", "hrfund.*"]) + list(MAPPED),
    package_dir=MAPPED,
    cmdclass={"build_py": build_py_with_catalogs},
)
