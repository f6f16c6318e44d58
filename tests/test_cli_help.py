"""The ``tensionmap`` command's interface is pinned: every command's and subcommand's
``--help`` is compared with the page saved in ``tests/cli_help/`` (at 100 columns).

A deliberate change to the interface updates the page in the same commit
(``TENSIONMAP_UPDATE_HELP=1 pytest tests/test_cli_help.py``), so a reviewer sees it.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest

from geo.cli import build_parser

PAGES = Path(__file__).parent / "cli_help"


def help_pages() -> dict[str, str]:
    """Every help page of the parser, named by its command path (``users_list``)."""
    pages: dict[str, str] = {}

    def walk(parser: argparse.ArgumentParser, path: list[str]) -> None:
        pages["_".join(path) or "tensionmap"] = parser.format_help()
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, [*path, name])

    walk(build_parser(), [])
    return pages


def test_every_help_page_is_as_saved(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COLUMNS", "100")
    pages = help_pages()
    if os.environ.get("TENSIONMAP_UPDATE_HELP"):
        for name, text in pages.items():
            (PAGES / f"{name}.txt").write_text(text, encoding="utf-8")
    saved = {p.stem: p.read_text(encoding="utf-8") for p in PAGES.glob("*.txt")}
    assert sorted(pages) == sorted(saved)
    changed = [name for name in pages if pages[name] != saved[name]]
    assert changed == []
