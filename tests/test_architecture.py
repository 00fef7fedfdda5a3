"""The layout holds (issue 9): small modules and functions, no private names across packages,
the import contract of pyproject.toml kept (``lint-imports``, also run by ``make test``)."""

import ast
import pathlib
import subprocess
import sys

import pytest

SOURCE = pathlib.Path(__file__).resolve().parents[1] / "src" / "dlcost"
MODULES = sorted(SOURCE.rglob("*.py"))
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80


def _package(module: str) -> str:
    """``dlcost.web.api`` -> ``dlcost.web``; top-level modules belong to ``dlcost``."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 else "dlcost"


def _name(path: pathlib.Path) -> str:
    relative = path.relative_to(SOURCE.parent).with_suffix("")
    parts = list(relative.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SOURCE)))
def test_module_and_functions_are_small(path):
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_MODULE_LINES, f"{path.name} has {len(text.splitlines())} lines"
    long = [(node.name, node.end_lineno - node.lineno + 1) for node in ast.walk(ast.parse(text))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: {long}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SOURCE)))
def test_no_private_name_of_another_package(path):
    importer = _name(path)
    crossing = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dlcost"):
            if _package(node.module + ".x") == _package(importer + ".x") or node.module == _package(importer + ".x"):
                continue
            private = [alias.name for alias in node.names if alias.name.startswith("_") and not alias.name.startswith("__")]
            private_module = any(part.startswith("_") and not part.startswith("__") for part in node.module.split("."))
            if private or private_module:
                crossing.append(f"from {node.module} import {', '.join(a.name for a in node.names)}")
    assert not crossing, f"{importer} imports private names of another package: {crossing}"


def test_import_contract_is_kept():
    linter = pathlib.Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(linter), "--no-cache"], cwd=SOURCE.parents[1], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout
