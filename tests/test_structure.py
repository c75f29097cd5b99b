"""The floor plan holds: rules about where code lives, read from the code itself.

These read the source (imports, templates) rather than a list of known files, so a new
module or template that breaks a rule fails here without anyone remembering to add it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORTAL = ROOT / "portal"
TEMPLATES = ROOT / "templates"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_views_module(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last == "views" or last.endswith("_views")


def _imported_modules(path: Path) -> set[str]:
    """Every module path's code imports, relative imports resolved, `from x import y` as x.y too."""
    package = _module_name(path)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def views_importing_views() -> list[str]:
    problems = []
    for path in sorted(PORTAL.rglob("*.py")):
        name = _module_name(path)
        if not _is_views_module(name):
            continue
        for imported in sorted(_imported_modules(path)):
            if imported != name and _is_views_module(imported):
                problems.append(f"{name} imports {imported}")
    return problems


def test_the_import_reader_sees_a_views_import():
    # The rule below is only as good as the reader: a planted import must be caught.
    planted = PORTAL / "comments" / "planted_views.py"
    planted.write_text("from ..posts.views import bp\nfrom ..clinic import views\n")
    try:
        problems = views_importing_views()
    finally:
        planted.unlink()
    assert "portal.comments.planted_views imports portal.posts.views" in problems
    assert "portal.comments.planted_views imports portal.clinic.views" in problems


def test_no_views_module_imports_another_views_module():
    assert views_importing_views() == []


def test_no_view_sets_htmx_headers_by_hand():
    # HX-* response headers go through portal/responding.py (htmx-flask's helper).
    by_hand = re.compile(r"""headers\[\s*["']HX-|headers\.(?:add|set|setdefault)\(\s*["']HX-""")
    offenders = [
        str(path.relative_to(ROOT))
        for path in PORTAL.rglob("*.py")
        if path.name != "responding.py" and by_hand.search(path.read_text())
    ]
    assert offenders == []


def test_page_or_fragment_is_decided_in_one_place():
    # Only the request class looks at history restores; views ask request.wants_fragment.
    offenders = [
        str(path.relative_to(ROOT))
        for path in PORTAL.rglob("*.py")
        if path.name != "requests.py" and "history_restore_request" in path.read_text()
    ]
    assert offenders == []


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def test_no_template_includes_what_may_be_missing():
    offenders = [
        str(path.relative_to(ROOT))
        for path in _templates()
        if re.search(r"ignore\s+missing", path.read_text())
    ]
    assert offenders == []


def test_templates_state_no_comment_limits_of_their_own():
    # Length and edit window come from the form; a template that repeats them drifts.
    limits = re.compile(r"5,?000|\b15 minutes\b")
    offenders = [
        str(path.relative_to(ROOT)) for path in _templates() if limits.search(path.read_text())
    ]
    assert offenders == []


def test_templates_compare_no_role_strings():
    # Role groups live in permissions.py, exposed as readable properties on User.
    role_test = re.compile(r"\.role\s*(?:==|!=|in\b|not\s+in\b)|\brole\s*(?:==|!=)")
    offenders = [
        str(path.relative_to(ROOT)) for path in _templates() if role_test.search(path.read_text())
    ]
    assert offenders == []


def test_the_readme_layout_names_every_package():
    # A newcomer finds where a change belongs from the README: a new package needs its line.
    readme = (ROOT / "README.md").read_text()
    layout = readme[readme.index("## Layout") :]
    packages = sorted(p.parent.name for p in PORTAL.glob("*/__init__.py"))
    missing = [name for name in packages if f"portal/{name}/" not in layout]
    assert missing == []
