"""Points 2 and 3 of the review, over HTTP against `tensionmap serve`: a partner or
prevention user who saves every output before and after one record is ingested learns
nothing finer than the record's LSOA, and nothing at all about a record of the open period.

Four copies of the demo workspace are served one after the other: unchanged; plus one
public-transport record at p1; plus one at p2, in p1's LSOA but at least 150 m away; plus
one at p1 dated a few days before today (the open period). Every partner output (the map
pages, the partner callbacks, the download, Trends for each period, the page layouts) is
fetched as the partner and the prevention role (Schools too for prevention), and:

- p1 and p2 give byte-identical outputs;
- the open-period record changes no byte;
- no published count is 1–4 (tables, map tooltips, reasons and summaries).
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests
import shapely

from geo.config import Workspace
from geo.geography.areas import load_geography
from tests.conftest import incident, write_csv
from tests.dashboard_payloads import payload
from tests.security.conftest import Served, copy_workspace, serve

pytestmark = pytest.mark.slow

SETTINGS = ("public_transport", "nte", "taxi")
PERIODS = ("year", "quarter", "month")
#: Where the added records go: the LSOA of Watford Junction station (busy with transport
#: records in the demo, so yesterday's 250 m cells there change with every record).
STATION = (511_000.0, 197_300.0)
#: Keys of table rows that hold counts (strand columns are added from the tables).
COUNT_KEYS = {"records", "covered_records", "crime", "incident", "all strand markers"}
#: Text that states a count: "15 records", ": 5 records", "reach 120 of 6770 records".
COUNT_TEXT = re.compile(r"(\d+) records")


def _points(root: Path) -> tuple[tuple[float, float], tuple[float, float], str]:
    """p1 (the LSOA's inner point) and p2 (the farthest point of a 10 m lattice inside
    the same LSOA), at least 150 m apart, and the LSOA's code."""
    geo = load_geography(Workspace.open(root, create=False).geography_dir)
    found = geo.locate(np.array([STATION[0]]), np.array([STATION[1]]))
    row = geo.lsoas.iloc[int(found.lsoa_index[0])]
    polygon = row.geometry
    p1 = polygon.representative_point()
    x0, y0, x1, y1 = polygon.bounds
    xs, ys = np.meshgrid(np.arange(x0, x1, 10.0), np.arange(y0, y1, 10.0))
    inside = shapely.contains_xy(polygon, xs, ys)
    far = np.argmax(np.hypot(xs[inside] - p1.x, ys[inside] - p1.y))
    p2 = (float(xs[inside][far]), float(ys[inside][far]))
    assert np.hypot(p2[0] - p1.x, p2[1] - p1.y) >= 150
    for point in ((p1.x, p1.y), p2):
        here = geo.locate(np.array([point[0]]), np.array([point[1]])).lsoa_index[0]
        assert geo.lsoas["lsoa_code"].iloc[int(here)] == row["lsoa_code"]
    return (p1.x, p1.y), p2, str(row["lsoa_code"])


def _with_demo_users(root: Path) -> None:
    """The demo's users (one per role), in case the copied build stopped before them."""
    from geo.demo.run import demo_password
    from geo.users import ROLES, add_user, list_users

    ws = Workspace.open(root, create=False)
    present = {u.name for u in list_users(ws)}
    for role in ROLES:
        if role not in present:
            add_user(ws, role, role, demo_password(role))


def _add_record(root: Path, point: tuple[float, float], recorded_at: str) -> None:
    from geo.ingest.incidents import ingest_incidents

    row = incident(
        "XX-2019-9999999",
        recorded_at=recorded_at,
        latitude="",
        longitude="",
        easting=f"{point[0]:.1f}",
        northing=f"{point[1]:.1f}",
        location_type="Bus stop",
        description="shouted at on the bus",
    )
    summary = ingest_incidents(
        Workspace.open(root, create=False), write_csv(root.parent / f"{root.name}.csv", [row])
    )
    assert summary.counts["ingested"] == 1, summary


@pytest.fixture(scope="module")
def copies(demo_built, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("disclosure")
    roots = {}
    for name in ("base", "p1", "p2", "open"):
        roots[name] = copy_workspace(demo_built[0], folder / name)
        _with_demo_users(roots[name])
    p1, p2, _ = _points(roots["base"])
    _add_record(roots["p1"], p1, "2019-06-14T08:20")
    _add_record(roots["p2"], p2, "2019-06-14T08:20")
    recent = (date.today() - timedelta(days=3)).isoformat()  # open: less than 7 days ago
    _add_record(roots["open"], p1, f"{recent}T08:20")
    return roots


# --- requests as Dash's renderer sends them -----------------------------------------------


def _post(served: Served, session: requests.Session, body: Any) -> requests.Response:
    headers = {"Origin": served.base, "Content-Type": "application/json"}
    token = session.cookies.get("_csrf_token")
    if token:
        headers["X-CSRFToken"] = token
    return session.post(
        f"{served.base}/_dash-update-component",
        data=json.dumps(body).encode(),
        headers=headers,
        timeout=600,
    )


def _callbacks(served: Served, session: requests.Session, prefix: str) -> list[dict[str, Any]]:
    response = session.get(f"{served.base}/_dash-dependencies", timeout=120)
    assert response.status_code == 200, response.text[:300]
    found = [d for d in response.json() if d["output"].strip(".").startswith(prefix)]
    assert found, f"no callback of {prefix!r}"
    return found


def _call(served, session, dep, values) -> str:
    response = _post(served, session, payload(dep, values))
    assert response.status_code == 200, (dep["output"], response.text[:500])
    return response.text


def _page(served, session, path: str) -> str:
    """The page's layout, as Dash's page router returns it."""
    router = next(
        d for d in _callbacks(served, session, "_pages") if "_pages_content" in d["output"]
    )
    values = {("_pages_location", "pathname"): path, ("_pages_location", "search"): ""}
    return _call(served, session, router, values)


def _outputs(served: Served) -> dict[str, str]:
    """Every output the partner and prevention roles can get, by name."""
    out: dict[str, str] = {}
    partner, prevention = served.login("partner"), served.login("prevention")
    for setting in SETTINGS:
        page = partner.get(f"{served.base}/partner-map/{setting}.html", timeout=600)
        assert page.status_code == 200, (setting, page.text[:300])
        out[f"partner map {setting}"] = page.text
    values: dict[tuple[str, str], Any] = {
        ("partner-download-button", "n_clicks"): 1,
        ("trends-csp", "value"): "",
        ("schools-budget", "value"): 20,
        ("schools-phase", "value"): "",
    }
    for dep in _callbacks(served, partner, "partner-"):
        for setting in SETTINGS:
            body = _call(served, partner, dep, {**values, ("partner-setting", "value"): setting})
            out[f"partner {dep['output']} {setting}"] = body
    for role, session in (("partner", partner), ("prevention", prevention)):
        for dep in _callbacks(served, session, "trends-"):
            for period in PERIODS:
                body = _call(served, session, dep, {**values, ("trends-period", "value"): period})
                out[f"{role} trends {period}"] = body
        for path in ("/trends", "/partner") if role == "partner" else ("/trends", "/schools"):
            out[f"{role} page {path}"] = _page(served, session, path)
        shell = session.get(f"{served.base}/_dash-layout", timeout=120).text
        # the shell holds per-session tokens: only its record dates are compared
        out[f"{role} shell dates"] = re.search(r"Records from [^.]*\.", shell).group(0)
    for dep in _callbacks(served, prevention, "schools-"):
        out[f"prevention {dep['output']}"] = _call(served, prevention, dep, values)
    return out


@pytest.fixture(scope="module")
def outputs(copies) -> dict[str, dict[str, str]]:
    """Each copy served in turn (one server at a time, to spare the shared cores)."""
    found = {}
    for name, root in copies.items():
        with serve(root) as served:
            found[name] = _outputs(served)
    return found


def _counts(value: Any, strands: set[str]) -> list[int]:
    """Every count a partner can read in a response: table cells under a count key (and
    strand columns), and numbers stated as "N records" in any text."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if (key in COUNT_KEYS or key in strands) and isinstance(item, int | float):
                found.append(int(item))
            found += _counts(item, strands)
    elif isinstance(value, list):
        for item in value:
            found += _counts(item, strands)
    elif isinstance(value, str):
        found += [int(n) for n in COUNT_TEXT.findall(value)]
    return found


def _differences(a: dict[str, str], b: dict[str, str]) -> dict[str, str]:
    """The outputs that differ, each with the text around its first differing character."""
    assert set(a) == set(b)
    found = {}
    for name in sorted(a):
        if a[name] != b[name]:
            at = next((i for i, (x, y) in enumerate(zip(a[name], b[name], strict=False)) if x != y),
                      min(len(a[name]), len(b[name])))  # fmt: skip
            found[name] = (
                f"{a[name][max(0, at - 80) : at + 80]!r} / {b[name][max(0, at - 80) : at + 80]!r}"
            )
    return found


def test_the_same_lsoa_gives_the_same_bytes(outputs):
    differ = _differences(outputs["p1"], outputs["p2"])
    assert not differ, f"a record moved within its LSOA changed: {differ}"


def test_a_record_of_the_open_period_changes_nothing(outputs):
    differ = _differences(outputs["base"], outputs["open"])
    assert not differ, f"a record of the open period changed: {differ}"


def test_no_published_count_is_below_the_threshold(outputs):
    from geo.vocab import MONITORED_STRANDS

    strands = {*MONITORED_STRANDS, "misogyny", "alternative_subculture"}
    for copy, found in outputs.items():
        for name, body in found.items():
            value = json.loads(body) if body.startswith("{") else body
            small = sorted({n for n in _counts(value, strands) if 1 <= n <= 4})
            assert not small, (copy, name, small)
        for role in ("partner", "prevention"):  # only closed months of published data
            assert found[f"{role} shell dates"] == "Records from 2014-01-01 to 2019-12-31."
        assert "January 2019 to December 2019, published" in found["partner map taxi"]
