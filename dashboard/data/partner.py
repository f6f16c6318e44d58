"""The partner heat maps (CSP partners, analysts, tactical leads): the same published
product for every role that may open the page."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from dashboard.data.access import require
from dashboard.data.source import (
    cached,
    data_version,
    geography,
    incidents,
    publication,
    workspace,
)
from geo.disclosure import Publication
from geo.settings import partner_heatmap, write_html

PARTNER_SETTINGS = {
    "public_transport": "Public transport",
    "nte": "Night-time economy",
    "taxi": "Taxis and private hire",
}


@cached(maxsize=8)
def cached_partner(version: int, setting: str, published: Publication) -> dict[str, Any]:
    """:func:`partner_map` for data ``version``, unchecked (for warming the cache)."""
    heat = partner_heatmap(
        incidents(), geography(), settings=(setting,), period=published.window(), k=published.k
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "map.html"
        write_html(heat, geography(), str(path), tile_url=workspace().config.tile_url)
        page = path.read_text(encoding="utf-8")
    return {
        "html": page,
        "csp_table": heat.csp_table,
        "area_table": heat.area_table,
        "rules": heat.rules,
        "period": heat.period,
        "cells": len(heat.cells),
    }


def partner_map(setting: str) -> dict[str, Any]:
    """The published heat map (self-contained HTML) and its tables: the same published
    product for every role that may open the page."""
    require("partner")
    if setting not in PARTNER_SETTINGS:
        raise KeyError(setting)
    return cached_partner(data_version(), setting, publication())
