"""Translation catalogs: which messages belong to which catalog, and keeping them up to date.

hrfund/translations holds the shared catalog; a module may keep its own catalog in
hrfund/<module>/translations, holding the messages of hrfund/<module>/ and templates/<module>/.
``python -m hrfund.core.catalogs`` re-extracts every catalog (keeping the translations made).
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "hrfund"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    # A word that is both a verb and a state ("Open") is told apart by its context.
    "pgettext": ((1, "c"), 2),
    "lazy_pgettext": ((1, "c"), 2),
}
#: How a message with a context is keyed in ``extract()``: as gettext keys it in a .mo file.
CONTEXT_SEPARATOR = "\x04"
METHOD_MAP = [("hrfund/**.py", "python"), ("templates/**.html", "jinja2")]
LANGUAGES = ("ja",)


def module_catalogs() -> list[str]:
    """Modules that keep their own catalog."""
    return sorted(p.parent.name for p in PACKAGE.glob("*/translations"))


def catalog_of(path: str, modules: list[str]) -> str:
    """The catalog a source file's messages go to: a module's name, or '' for the shared one."""
    parts = Path(path).parts
    if len(parts) > 1 and parts[0] in ("hrfund", "templates") and parts[1] in modules:
        return parts[1]
    return ""


#: msgid (a tuple of singular and plural for ngettext) → where it is used: [(file, line)]
Messages = dict[str | tuple[str, ...], list[tuple[str, int]]]


def extract() -> dict[str, Messages]:
    """{catalog: {msgid: [(file, line)]}} over the whole project."""
    modules = module_catalogs()
    found: dict[str, Messages] = {"": {}}
    found |= {m: {} for m in modules}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT),
        METHOD_MAP,
        options_map={},
        keywords=KEYWORDS,
        directory_filter=lambda d: (
            not Path(d).name.startswith((".", "__"))
            and Path(d).name not in ("tests", "build", "node_modules")
        ),
    ):
        if filename.startswith((".venv", "tests", "build")):
            continue
        msgid = message if isinstance(message, str) else tuple(message)
        if _context:
            msgid = f"{_context}{CONTEXT_SEPARATOR}{msgid}"
        found[catalog_of(filename, modules)].setdefault(msgid, []).append((filename, lineno))
    return found


def split_key(key: str | tuple[str, ...]) -> tuple[str | tuple[str, ...], str | None]:
    """(msgid, context) of a key of ``extract()``."""
    if isinstance(key, str) and CONTEXT_SEPARATOR in key:
        context, msgid = key.split(CONTEXT_SEPARATOR, 1)
        return msgid, context
    return key, None


def catalog_dir(name: str) -> Path:
    return PACKAGE / name / "translations" if name else PACKAGE / "translations"


def update_all() -> None:
    for name, messages in extract().items():
        for lang in LANGUAGES:
            po_path = catalog_dir(name) / lang / "LC_MESSAGES" / "messages.po"
            po_path.parent.mkdir(parents=True, exist_ok=True)
            old = read_po(po_path.open("rb"), locale=lang) if po_path.exists() else None
            catalog = Catalog(locale=lang, project="hrfund", charset="utf-8")
            if old is not None:  # no churn in a file whose messages did not change
                catalog.creation_date = old.creation_date
            for key in sorted(messages, key=str):
                msgid, context = split_key(key)
                previous = old.get(msgid, context=context) if old else None
                catalog.add(msgid, previous.string if previous else "", context=context)
            with po_path.open("wb") as fh:
                write_po(fh, catalog, no_location=True, sort_output=True, width=100)


if __name__ == "__main__":
    update_all()
