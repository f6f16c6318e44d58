"""The layout stays readable: no module over 400 lines, no function over 80 lines (the
limits of docs/ARCHITECTURE.md), in the library and the dashboard.

A function's length runs from its signature to its last line, less its docstring: the
numpydoc examples and parameter tables the API asks for never push a function over."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80


def _sources() -> list[Path]:
    return sorted(p for pkg in ("geo", "dashboard") for p in (ROOT / pkg).rglob("*.py"))


def _function_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    lines = (node.end_lineno or node.lineno) - first + 1
    doc = node.body[0]
    if isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant):
        lines -= (doc.end_lineno or doc.lineno) - doc.lineno + 1
    return lines


def test_no_module_over_400_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in _sources()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_function_over_80_lines():
    long = {}
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            is_function = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            if is_function and (n := _function_lines(node)) > MAX_FUNCTION_LINES:
                long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = n
    assert long == {}


def test_every_package_is_installed():
    """A package missing from pyproject's list works in the checkout and vanishes from a
    wheel: every folder with an ``__init__`` is listed."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for pkg in ("geo", "dashboard")
        for p in (ROOT / pkg).rglob("__init__.py")
    }
    assert found - listed == set()
