"""Test files share fakes through `tests/support`, never by importing one another: a test file
that imports another drags in its tests, its fixtures and its import-time cost, and a rename
breaks files nobody was looking at."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
TEST_MODULES = {p.stem for p in TESTS.glob("test_*.py")} | {"conftest"}


def imported_test_modules(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [n for n in names if n.split(".")[0] in TEST_MODULES or n.startswith("tests.")]
    return found


def test_no_test_file_imports_another() -> None:
    offenders = {p.name: found for p in sorted(TESTS.glob("test_*.py")) if (found := imported_test_modules(p))}
    assert offenders == {}, "move what these share to tests/support/"


def test_the_check_sees_an_import_of_a_test_file(tmp_path: Path) -> None:
    sneaky = tmp_path / "test_sneaky.py"
    sneaky.write_text("def f():\n    from test_ui_runloop import Script\nimport conftest\n", encoding="utf-8")
    assert sorted(imported_test_modules(sneaky)) == ["conftest", "test_ui_runloop"]
