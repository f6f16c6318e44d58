"""Every public function and class of ``geo`` is documented the numpydoc way (as esda's
``G_Local`` and libpysal's ``Graph.build_contiguity`` are), checked with numpydoc's own
validator, and every example that can run without a workspace runs.

Public: top-level functions and classes without a leading underscore, in modules whose
path has no part with one. The CLI (``geo.cli``) is left out: its public face is ``--help``,
which ``tests/test_cli_help.py`` pins.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
import re
from types import ModuleType

import numpydoc.validate
import pytest

import geo

#: numpydoc checks that must pass: a docstring (GL08), every parameter documented (PR01)
#: and none unknown (PR02), a Returns section when something is returned (RT01), and an
#: Examples section (EX01).
FUNCTION_CHECKS = {"GL08", "PR01", "PR02", "RT01", "EX01"}
CLASS_CHECKS = {"GL08", "EX01"}


def _modules() -> list[ModuleType]:
    names = [
        m.name
        for m in pkgutil.walk_packages(geo.__path__, "geo.")
        if not any(part.startswith("_") for part in m.name.split("."))
        and not m.name.startswith("geo.cli")
    ]
    return [importlib.import_module(n) for n in sorted(names)]


def public_api() -> list[tuple[str, object]]:
    """(qualified name, object) of every public function and class defined in geo."""
    found = []
    for module in _modules():
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj) or inspect.isclass(obj):
                found.append((f"{module.__name__}.{name}", obj))
    return found


def _problems(qualname: str, obj: object) -> list[str]:
    checks = CLASS_CHECKS if inspect.isclass(obj) else FUNCTION_CHECKS
    result = numpydoc.validate.validate(qualname)
    problems = [f"{code} {message}" for code, message in result["errors"] if code in checks]
    doc = inspect.getdoc(obj) or ""
    raises = inspect.isfunction(obj) and re.search(r"^\s+raise \w", inspect.getsource(obj), re.M)
    if raises and not re.search(r"^Raises\n-+$", doc, re.M):
        problems.append("RAISES the function raises but has no Raises section")
    if inspect.isclass(obj) and not re.search(r"^(Attributes|Parameters)\n-+$", doc, re.M):
        problems.append("ATTR no Attributes or Parameters section")
    return problems


def test_public_api_is_documented():
    missing = {q: p for q, obj in public_api() if (p := _problems(q, obj))}
    assert missing == {}, "\n".join(f"{q}: {'; '.join(p)}" for q, p in missing.items())


@pytest.mark.parametrize("module", _modules(), ids=lambda m: m.__name__)
def test_examples_run(module):
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module):
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
