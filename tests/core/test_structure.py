"""The house in order: every domain module has the same skeleton (DESIGN.md, "Architecture"),
its pages import ``bp`` from blueprint.py, and no page file passes 400 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "hrfund"

DOMAINS = ("auth", "org", "fund", "placements", "training", "applications", "reminders", "reports")
#: The modules with export views (CSV/XLSX), each with its column tables in exports.py.
EXPORTING = ("fund", "placements", "applications", "reminders", "core")
#: Where a module has no such file, and why (a new module gets every file).
EXEMPT = {
    ("reports", "api.py or api/"): "reports has pages only",
    ("reports", "models.py"): "reports reads the other modules' tables",
    ("reports", "forms.py"): "its filters are query arguments",
    ("reports", "services.py or services/"): "dashboards.py and fiscal_year.py are its services",
    ("reminders", "forms.py"): "the rules page posts plain fields, parsed by its service",
}
MAX_LINES = 400


def _has(module: Path, name: str) -> bool:
    return (module / f"{name}.py").is_file() or (module / name / "__init__.py").is_file()


def _views(module: Path) -> list[Path]:
    return sorted((module / "views").glob("*.py"))


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every ``from … import …`` in the file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base]) if base else ".".join(parent)
            found.append((base, [alias.name for alias in node.names]))
    return found


def _defines_labelled_enum(module: Path) -> bool:
    """models.py declares an enum whose members carry their label (core.labels.LabelledEnum)."""
    models = module / "models.py"
    if not models.is_file():
        return False
    tree = ast.parse(models.read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.ClassDef)
        and any(
            getattr(base, "id", getattr(base, "attr", "")) == "LabelledEnum" for base in node.bases
        )
        for node in tree.body
    )


@pytest.mark.parametrize("name", DOMAINS)
def test_every_domain_has_the_skeleton(name):
    module = PACKAGE / name
    missing = [
        part
        for part, wanted in (
            ("blueprint.py", (module / "blueprint.py").is_file()),
            ("views/", (module / "views" / "__init__.py").is_file()),
            ("api.py or api/", _has(module, "api")),
            ("models.py", _has(module, "models")),
            ("services.py or services/", _has(module, "services")),
            ("forms.py", _has(module, "forms")),
            ("exports.py", name not in EXPORTING or _has(module, "exports")),
            ("labels", _has(module, "labels") or _defines_labelled_enum(module)),
        )
        if not wanted and (name, part) not in EXEMPT
    ]
    assert not missing, f"hrfund/{name} lacks {', '.join(missing)}"
    assert not (module / "views.py").exists(), f"hrfund/{name}: views.py beside views/"


def test_core_has_its_pages_and_exports_in_the_skeleton_too():
    core = PACKAGE / "core"
    assert (core / "blueprint.py").is_file() and (core / "views" / "__init__.py").is_file()
    assert _has(core, "exports") and _has(core, "template_globals")


@pytest.mark.parametrize("name", (*DOMAINS, "core"))
def test_blueprint_py_holds_the_blueprints_and_nothing_else(name):
    tree = ast.parse((PACKAGE / name / "blueprint.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        if isinstance(node, ast.ImportFrom) and node.module in ("flask", "__future__"):
            continue
        assert isinstance(node, ast.Assign), f"hrfund/{name}/blueprint.py: {ast.unparse(node)}"
        call = node.value
        assert isinstance(call, ast.Call) and getattr(call.func, "id", "") == "Blueprint", (
            f"hrfund/{name}/blueprint.py holds more than blueprints: {ast.unparse(node)}"
        )


VIEW_FILES = sorted(PACKAGE.glob("*/views/*.py"))


@pytest.mark.parametrize("path", VIEW_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_views_import_bp_from_blueprint_py_never_from_another_view(path):
    module = path.parent.parent.name
    for base, names in _imports(path):
        if base.startswith(f"hrfund.{module}.views") and path.name != "__init__.py":
            pytest.fail(f"{path.relative_to(PACKAGE)} imports {names} from {base}")
        if "bp" in names or "admin_bp" in names:
            assert base == f"hrfund.{module}.blueprint", (
                f"{path.relative_to(PACKAGE)} imports its blueprint from {base}"
            )


@pytest.mark.parametrize("path", VIEW_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_view_file_stays_under_400_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines"


def test_no_module_keeps_a_page_file_outside_its_views_package():
    strays = sorted(
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.glob("*/*.py")
        if p.stem.endswith("_views") or p.name == "views.py"
    )
    assert not strays, f"page files outside views/: {strays}"


def test_the_factory_registers_every_blueprint_of_blueprint_py(app):
    from importlib import import_module

    from flask import Blueprint

    for name in (*DOMAINS, "core"):
        blueprints = vars(import_module(f"hrfund.{name}.blueprint")).values()
        for blueprint in (b for b in blueprints if isinstance(b, Blueprint)):
            assert app.blueprints.get(blueprint.name) is blueprint, blueprint.name
            assert any(
                rule.endpoint.startswith(f"{blueprint.name}.") for rule in app.url_map.iter_rules()
            ), f"{blueprint.name} has no routes: its views are not imported"


#: Calls that register template globals, filters or context processors on a blueprint.
SCATTERED_REGISTRATIONS = (
    "app_template_global",
    "app_template_filter",
    "app_context_processor",
    "add_app_template_global",
    "add_app_template_filter",
)


def test_template_globals_are_registered_in_one_core_module_only():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "template_globals.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in SCATTERED_REGISTRATIONS:
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.attr}")
            if isinstance(node, ast.Attribute) and node.attr == "jinja_env":
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} jinja_env")
    allowed = {"core/mail.py"}  # the mail renderer overlays the environment; it adds no names
    assert [f for f in found if f.split(":")[0] not in allowed] == []


def test_every_state_of_every_machine_carries_its_label(app):
    from enum import Enum

    from flask_babel import force_locale

    from hrfund.applications.calls import CALL_MACHINE
    from hrfund.applications.services import MACHINE as APPLICATIONS
    from hrfund.core.labels import LabelledEnum, state_label
    from hrfund.placements.models import NominationStatus
    from hrfund.placements.services import MACHINE as PLACEMENTS

    enums: set[type[Enum]] = {NominationStatus}
    for machine in (CALL_MACHINE, APPLICATIONS, PLACEMENTS):
        for transition in machine.transitions:
            enums |= {type(transition.target)} | {type(s) for s in transition.sources}
            assert transition.label != transition.action, transition  # a label, not a code
    with app.test_request_context(), force_locale("en"):
        for enum_cls in enums:
            assert issubclass(enum_cls, LabelledEnum), enum_cls
            for member in enum_cls:
                assert member.label and state_label(member.value) == member.label
        assert state_label("declined_by_manager") == "declined by the manager"
    with app.test_request_context(), force_locale("ja"):
        assert state_label("approved") != "approved"  # translated, through the enum's label


#: The most lines a route handler's body may have (its docstring not counted): a handler reads
#: the request, calls a service, and answers; rules live in services, form plumbing in helpers.
MAX_HANDLER_LINES = 25


def _is_route(decorator: ast.expr) -> bool:
    """``@bp.route(…)``, ``@bp.get(…)``, ``@bp.post(…)`` and the like, on any blueprint."""
    call = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(call, ast.Attribute) and call.attr in {
        "route",
        "get",
        "post",
        "put",
        "patch",
        "delete",
    }


def _route_handlers() -> list[tuple[str, int]]:
    """(``path:function``, body lines) of every function a route decorates, methods of a
    routed MethodView class included."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(_is_route(d) for d in node.decorator_list):
                functions = [n for n in node.body if isinstance(n, ast.FunctionDef)]
            elif isinstance(node, ast.FunctionDef) and any(
                _is_route(d) for d in node.decorator_list
            ):
                functions = [node]
            else:
                continue
            for function in functions:
                body = function.body
                if ast.get_docstring(function) is not None:
                    body = body[1:]
                lines = body[-1].end_lineno - body[0].lineno + 1 if body else 0
                found.append((f"{path.relative_to(PACKAGE)}:{function.name}", lines))
    return found


def test_the_handler_finder_sees_the_routes():
    handlers = dict(_route_handlers())
    assert len(handlers) > 100
    assert "core/views/audit.py:audit" in handlers
    assert "core/api.py:audit" in handlers


def test_every_route_handler_stays_thin():
    """A handler over 25 lines keeps a rule or form plumbing that belongs elsewhere."""
    long = {name: lines for name, lines in _route_handlers() if lines > MAX_HANDLER_LINES}
    assert long == {}


TEMPLATES = PACKAGE.parent / "templates"


def _role_checks_in_templates() -> list[str]:
    return [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "has_role(" in line
    ]


def test_templates_never_decide_permissions_themselves():
    """A template asks a ``can_<action>`` helper of the service that enforces the rule; a role
    check of its own is a second copy of the rule, which drifts from the server's."""
    assert len(list(TEMPLATES.rglob("*.html"))) > 50  # the templates are where we look
    assert _role_checks_in_templates() == []
