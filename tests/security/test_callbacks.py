"""Point 1 and part of point 8 of the review, over HTTP against `tensionmap serve`.

Every value a callback receives is checked on the server against what its page offers:
for every callback of every page and every role, each input and state in turn is replaced
by a hostile value (paths, NUL bytes, 100 kB strings, wrong types, out-of-range days and
numbers, unknown choices) and must get a 4xx (403 first for a role that may not use the
page) with no file written anywhere. Unknown callbacks, ids and request shapes are refused
too. The hotspot downloads carry a server-chosen name and only the filtered table; every
CSV that leaves the dashboard is formula-safe (checked on a workspace whose names and
offences are spreadsheet formulas); and maps ask no other host for tiles.
"""

from __future__ import annotations

import base64
import copy
import csv
import hashlib
import io
import json
import os
import re
import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import requests

from geo.users import ROLES
from tests.dashboard_payloads import payload, slot_key
from tests.security.conftest import Served, copy_workspace, serve

pytestmark = pytest.mark.slow

PAGES = {  # page -> roles that may use it
    "overview": {"tactical", "analyst"},
    "tension": {"tactical"},
    "hotspots": {"tactical", "analyst"},
    "schools": {"tactical", "analyst", "prevention"},
    "partner": {"tactical", "analyst", "partner"},
    "trends": set(ROLES),
    "review": {"tactical", "analyst"},
}
PREFIX_PAGE = {"overview-": "overview", "tension-": "tension", "hot-": "hotspots",
               "schools-": "schools", "partner-": "partner", "trends-": "trends",
               "review-": "review"}  # fmt: skip
PATHS = {"overview": "/", "tension": "/tension", "hotspots": "/hotspots",
         "schools": "/schools", "partner": "/partner", "trends": "/trends",
         "review": "/review"}  # fmt: skip
QUERY_KEYS = {
    "/": (),
    "/tension": ("day",),
    "/hotspots": ("method", "strand", "setting", "csp", "start", "end", "unit"),
    "/schools": ("budget", "phase"),
    "/partner": ("setting",),
    "/trends": ("period", "csp"),
    "/review": (),
}
REFERENCE = re.compile(r"\b[A-Z]{2}-\d{4}-\d{7}\b")
#: What a spreadsheet evaluates at the start of a cell (a minus before a digit is a number).
FORMULA = re.compile(r"[=+@\t\r]|-(?![0-9])")
#: Names a successful attack would give the files it writes.
TOKEN = f"tmcanary{os.getpid()}"
#: Inputs for which null is what the browser sends for "all" or "nothing chosen".
NULL_OK = {("hot-strand", "value"), ("hot-setting", "value"), ("hot-csp", "value"),
           ("hot-from", "start_date"), ("hot-from", "end_date"), ("hot-class", "clickData"),
           ("schools-phase", "value"), ("trends-csp", "value"), ("overview-strand", "value"),
           ("tension-alerts", "selected_rows"), ("_pages_location", "search"),
           ("review-table", "selected_row_ids"), ("review-confirm", "n_clicks"),
           ("review-save", "n_clicks")}  # fmt: skip
EMPTY_LIST_OK = {
    ("tension-alerts", "selected_rows"),
    ("review-table", "selected_row_ids"),
    ("review-settings", "value"),
}  # no row selected, no setting ticked


# --- requests as Dash's renderer sends them -----------------------------------------------


def post(
    served: Served, session: requests.Session, body: Any = None, *, raw: bytes | None = None,
    content_type: str = "application/json",
) -> requests.Response:  # fmt: skip
    """POST a callback request with our own Origin (as a browser does)."""
    headers = {"Origin": served.base, "Content-Type": content_type}
    token = session.cookies.get("_csrf_token")
    if token:
        headers["X-CSRFToken"] = token
    data = raw if raw is not None else json.dumps(body).encode()
    return session.post(
        f"{served.base}/_dash-update-component", data=data, headers=headers, timeout=300
    )


def page_of(dep: Mapping[str, Any]) -> str | None:
    output = dep["output"].strip(".")
    return next((p for pre, p in PREFIX_PAGE.items() if output.startswith(pre)), None)


def router(deps: list[dict]) -> dict:
    return next(d for d in deps if "_pages_content" in d["output"])


def find(tree: Any, component_id: str) -> dict[str, Any] | None:
    """The props of the component ``component_id`` in a layout tree."""
    if isinstance(tree, dict):
        props = tree.get("props")
        if isinstance(props, dict) and props.get("id") == component_id:
            return props
        return next((f for v in tree.values() if (f := find(v, component_id))), None)
    if isinstance(tree, list):
        return next((f for v in tree if (f := find(v, component_id))), None)
    return None


def components(tree: Any, kind: str) -> Iterator[dict[str, Any]]:
    """The props of every component of type ``kind`` in a layout tree."""
    if isinstance(tree, dict):
        if tree.get("type") == kind and isinstance(tree.get("props"), dict):
            yield tree["props"]
        for v in tree.values():
            yield from components(v, kind)
    elif isinstance(tree, list):
        for v in tree:
            yield from components(v, kind)


def page_layout(served, session, deps, path: str, search: str = "") -> Any:
    body = payload(router(deps), {("_pages_location", "pathname"): path,
                                  ("_pages_location", "search"): search})  # fmt: skip
    response = post(served, session, body)
    assert response.status_code == 200, (path, search, response.text[:300])
    return response.json()["response"]["_pages_content"]["children"]


# --- what the file system looks like ------------------------------------------------------


def snapshot(*roots: Path) -> dict[str, str]:
    """Every file below ``roots`` with a digest (the store and logs only by name: they
    change as the server reads and audits)."""
    found = {}
    for root in roots:
        for path in root.rglob("*"):
            if not path.is_file():
                continue
            if ".sqlite" in path.name or path.suffix == ".log":
                found[str(path)] = "present"
            else:
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def canary_files() -> list[str]:
    """Files anywhere under /tmp (and here) named after our payloads."""
    hits = [str(p) for p in Path.cwd().glob(f"*{TOKEN}*")]
    for folder, dirs, files in os.walk("/tmp"):
        hits += [str(Path(folder, n)) for n in files + dirs if TOKEN in n]
    return hits


@pytest.fixture(scope="module")
def canary(tmp_path_factory) -> Path:
    """A folder payloads point into, holding a GeoPackage an attack would write into."""
    folder = tmp_path_factory.mktemp("canary")
    (folder / "existing.gpkg").write_bytes(b"SQLite format 3\x00canary")
    return folder


@pytest.fixture
def untouched(served, canary) -> Iterator[None]:
    """Asserts, after the test, that no file was created or changed in the served
    workspace or the canary folder, and none named after a payload anywhere in /tmp."""
    before = snapshot(served.root, canary)
    yield
    after = snapshot(served.root, canary)
    assert set(after) - set(before) == set(), "files were created"
    changed = [p for p in before if p in after and before[p] != after[p]]
    assert changed == [], "files were changed"
    assert canary_files() == [], "files named after a payload were written"


def hostile(canary: Path) -> list[tuple[str, Any]]:
    """Values no input of any page offers (what null and [] mean is per input)."""
    up = "../" * 16
    return [
        ("traversal", f"../../../../tmp/{TOKEN}"),
        ("windows traversal", "..\\..\\x"),
        ("traversal into the canary", f"gpkg/{up}{str(canary).lstrip('/')}/{TOKEN}.gpkg"),
        ("traversal onto a GeoPackage", f"gpkg/{up}{str(canary).lstrip('/')}/existing.gpkg"),
        ("absolute", "/etc/passwd"),
        ("absolute GeoPackage", f"/tmp/{TOKEN}.gpkg"),
        ("absolute in the canary", str(canary / f"{TOKEN}.geojson")),
        ("NUL", "csv\x00"),
        ("NUL only", "\x00"),
        ("100 kB", "x" * 100_000),
        ("markup", "<script>alert(1)</script>"),
        ("formula", '=HYPERLINK("http://evil.example")'),
        ("unknown choice", "no-such-value"),
        ("day out of range", "1900-01-01"),
        ("day far ahead", "9999-12-31"),
        ("no such day", "2019-02-30"),
        ("list", ["csv"]),
        ("empty list", []),
        ("dict", {"a": 1}),
        ("empty dict", {}),
        ("negative", -1),
        ("huge", 2**53),
        ("fraction", 1.5),
        ("boolean", True),
        ("null", None),
    ]


def expected(role: str, page: str | None, status: int, body: str, key: tuple[str, str]) -> bool:
    """Refused as the review asks: 403 for a role that may not use the page, else 4xx;
    only the router may answer 200, with its not-found page, for an unknown path."""
    if page is not None and role not in PAGES[page]:
        return status == 403
    if key == ("_pages_location", "pathname") and status == 200:
        return "Page not found" in body
    return status in (400, 404, 413)


# --- fixtures -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sessions(served) -> dict[str, requests.Session]:
    return {role: served.login(role) for role in ROLES}


@pytest.fixture(scope="module")
def deps(served, sessions) -> list[dict]:
    """Every server-side callback (the router's title update runs in the browser)."""
    response = sessions["tactical"].get(f"{served.base}/_dash-dependencies", timeout=60)
    assert response.status_code == 200
    return [d for d in response.json() if not d.get("clientside_function")]


@pytest.fixture(scope="module")
def known(served, sessions, deps) -> dict[str, Any]:
    """Legitimate values, read from the pages the server draws (nothing from the store)."""
    tactical = sessions["tactical"]
    tension = page_layout(served, tactical, deps, "/tension")
    hot = page_layout(served, tactical, deps, "/hotspots")
    picker = find(hot, "hot-from")
    day_picker, slider = find(tension, "tension-day"), find(tension, "tension-replay")
    assert picker and day_picker and slider
    values: dict[tuple[str, str], Any] = {
        ("tension-day", "date"): day_picker["date"],
        ("tension-replay", "value"): slider["max"],
        ("tension-alerts", "selected_rows"): [0],
        ("hot-method", "value"): "risk_class",
        ("hot-unit", "value"): "district",
        ("hot-strand", "value"): "",
        ("hot-setting", "value"): "",
        ("hot-csp", "value"): "",
        ("hot-from", "start_date"): picker["start_date"],
        ("hot-from", "end_date"): picker["end_date"],
        ("hot-download-button", "n_clicks"): 1,
        ("hot-format", "value"): "csv",
        ("schools-budget", "value"): 20,
        ("schools-phase", "value"): "",
        ("partner-setting", "value"): "nte",
        ("partner-download-button", "n_clicks"): 1,
        ("trends-period", "value"): "year",
        ("trends-csp", "value"): "",
        ("overview-strand", "value"): "race",
        ("_pages_location", "pathname"): "/",
        ("_pages_location", "search"): "",
        # the review queue: a click with no row selected writes nothing
        ("review-table", "selected_row_ids"): [],
        ("review-confirm", "n_clicks"): 1,
        ("review-save", "n_clicks"): None,
        ("review-settings", "value"): ["taxi"],
    }
    table = download(served, tactical, deps, values, "csv")
    area = next(csv.DictReader(io.StringIO(table)))["area_code"]
    values[("hot-class", "clickData")] = {"type": "Feature", "properties": {"area_code": area}}
    csps = [o["value"] for o in find(hot, "hot-csp")["options"] if o["value"]]  # type: ignore[index]
    return {"values": values, "csps": csps, "days": (picker["start_date"], picker["end_date"])}


def download(served, session, deps, values, fmt: str) -> str:
    dep = next(d for d in deps if d["output"] == "hot-download.data")
    response = post(served, session, payload(dep, {**values, ("hot-format", "value"): fmt}))
    assert response.status_code == 200, response.text[:300]
    sent = response.json()["response"]["hot-download"]["data"]
    content = base64.b64decode(sent["content"]) if sent["base64"] else sent["content"].encode()
    return content.decode("utf-8-sig")


# --- the tests ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_legitimate_values_are_answered(served, sessions, deps, known, role):
    session = sessions[role]
    for dep in deps:
        page = page_of(dep)
        response = post(served, session, payload(dep, known["values"]))
        if page is not None and role not in PAGES[page]:
            assert response.status_code == 403, (role, dep["output"])
            assert f"the {role} role may not use the {page} page" in response.text
        else:
            assert response.status_code in (200, 204), (role, dep["output"], response.text[:300])
    csp, (first, last) = known["csps"][0], known["days"]
    queries = {
        "/hotspots": f"?strand=religion&unit=district&csp={csp}&start={first}&end={last}",
        "/schools": "?budget=30&phase=primary",
        "/partner": "?setting=taxi",
        "/trends": f"?period=quarter&csp={csp}",
        "/tension": f"?day={known['values'][('tension-day', 'date')]}",
    }
    for page, path in PATHS.items():
        tree = page_layout(served, session, deps, path, queries.get(path, ""))
        allowed = role in PAGES[page] or page == "overview"
        assert (find(tree, "not-allowed") is None) == allowed, (role, page)


@pytest.mark.parametrize("role", ROLES)
def test_hostile_values_are_refused_without_side_effects(
    served, sessions, deps, known, canary, untouched, role
):
    session, wrong = sessions[role], []
    for dep in deps:
        page = page_of(dep)
        for spec in [*dep["inputs"], *dep["state"]]:
            key = slot_key(spec)
            for label, value in hostile(canary):
                if (value is None and key in NULL_OK) or (value == [] and key in EMPTY_LIST_OK):
                    continue
                response = post(served, session, payload(dep, {**known["values"], key: value}))
                if not expected(role, page, response.status_code, response.text, key):
                    wrong.append((dep["output"], key, label, response.status_code,
                                  response.text[:120]))  # fmt: skip
                elif response.status_code >= 400:
                    assert len(response.text) < 2000, (dep["output"], key, label)
                    assert "x" * 100 not in response.text and "\x00" not in response.text
    assert wrong == [], f"{len(wrong)} hostile values were not refused, e.g. {wrong[:8]}"


@pytest.mark.parametrize("role", ROLES)
def test_unknown_callbacks_ids_and_shapes_are_refused(
    served, sessions, deps, known, untouched, role
):
    session, values, wrong = sessions[role], known["values"], []

    def check(label: str, page: str | None, response: requests.Response, *statuses: int):
        allowed = statuses or ((403,) if page and role not in PAGES[page] else (400, 404))
        if response.status_code not in allowed:
            wrong.append((label, response.status_code, response.text[:120]))

    any_dep = deps[0]
    for output in ("no-such-output.children", "../../../../etc/passwd.children",
                   "_pages_dummy.children", "..hot-layers.children..", "x\x00.data"):  # fmt: skip
        body = {**payload(any_dep, values), "output": output}
        check(f"output {output!r}", None, post(served, session, body), 400, 404)
    for dep in deps:
        page, good = page_of(dep), payload(dep, values)
        variants: dict[str, dict] = {}
        first = good["inputs"][0]
        entry = first[0] if isinstance(first, list) else first
        for name, change in {
            "unknown input id": {"id": "no-such-id"},
            "unknown property": {"property": "no_such_property"},
            "NUL in an id": {"id": "hot\x00"},
            "an extra key": {"extra": 1},
        }.items():
            body = copy.deepcopy(good)
            target = body["inputs"][0][0] if isinstance(first, list) else body["inputs"][0]
            target.update(change)
            variants[name] = body
        variants.update({
            "an input missing": {**good, "inputs": good["inputs"][:-1]},
            "an input too many": {**good, "inputs": [*good["inputs"], entry]},
            "inputs not a list": {**good, "inputs": {"a": 1}},
            "other outputs": {**good, "outputs": {"id": "no-such-id", "property": "data"}},
            "changed an input it lacks": {**good, "changedPropIds": ["no-such-id.value"]},
            "changed an object": {**good, "changedPropIds": [{"id": "x"}]},
            "an unknown key": {**good, "extra": "x"},
        })  # fmt: skip
        if dep["state"]:
            variants["state missing"] = {k: v for k, v in good.items() if k != "state"}
            variants["a state too many"] = {**good, "state": [*good["state"], good["state"][0]]}
        if isinstance(first, list):  # the pattern-matching click on a hotspot class
            for name, ids in {
                "unknown class": [{"type": "hot-class", "klass": "../../etc"}],
                "class as a list": [{"type": "hot-class", "klass": ["hot_99"]}],
                "class twice": [{"type": "hot-class", "klass": "hot_99"}] * 2,
                "an extra id key": [{"type": "hot-class", "klass": "hot_99", "x": 1}],
                "another type": [{"type": "hot-other", "klass": "hot_99"}],
                "too many": [{"type": "hot-class", "klass": f"k{i}"} for i in range(50)],
            }.items():
                body = copy.deepcopy(good)
                body["inputs"][0] = [{**entry, "id": i} for i in ids]
                variants[name] = body
        for name, body in variants.items():
            check(f"{dep['output']}: {name}", page, post(served, session, body))
    for name, raw in {
        "not JSON": b"{not json",
        "a list": b"[]",
        "NaN": b'{"output": NaN, "inputs": []}',
        "deeply nested": b"[" * 100_000 + b"]" * 100_000,
        "not UTF-8": b'{"output": "\xff"}',
        "empty": b"",
    }.items():
        check(name, None, post(served, session, raw=raw), 400, 413)
    body = json.dumps(payload(any_dep, values)).encode()
    check("text/plain", None, post(served, session, raw=body, content_type="text/plain"), 400, 415)
    big = payload(any_dep, values)
    big["inputs"][0]["value"] = "x" * 300_000
    check("300 kB", None, post(served, session, big), 413)
    assert wrong == [], wrong


@pytest.mark.parametrize("role", ROLES)
def test_hostile_page_queries_are_refused(served, sessions, deps, known, canary, untouched, role):
    session, dep, wrong = sessions[role], router(deps), []
    strings = [v for _, v in hostile(canary) if isinstance(v, str) and v]
    for path, keys in QUERY_KEYS.items():
        searches = [f"?{urlencode({key: value})}" for key in keys for value in strings]
        searches += [f"?{key}=a&{key}=b" for key in keys]  # given twice
        searches += ["?no_such_key=1", "?" + "a" * 5000, "no-question-mark", "?x=\x00"]
        for search in searches:
            body = payload(dep, {**known["values"], ("_pages_location", "search"): search})
            body["inputs"][0]["value"] = path
            response = post(served, session, body)
            if response.status_code != 400:
                wrong.append((path, search[:60], response.status_code, response.text[:100]))
    for path in ("/no-such-page", "/../../etc/passwd", "/tmp/" + TOKEN):
        body = payload(dep, {**known["values"], ("_pages_location", "pathname"): path})
        response = post(served, session, body)
        assert response.status_code == 200 and "Page not found" in response.text, path
    assert wrong == [], f"{len(wrong)} hostile queries were drawn, e.g. {wrong[:8]}"


@pytest.mark.parametrize("fmt", ["csv", "geojson", "gpkg"])
def test_hotspot_downloads_are_named_by_the_server_and_hold_the_table(
    served, sessions, deps, known, untouched, fmt, tmp_path
):
    session = sessions["analyst"]
    csp = known["csps"][0]
    values = {**known["values"], ("hot-csp", "value"): csp, ("hot-strand", "value"): "race",
              ("hot-unit", "value"): "lsoa", ("hot-format", "value"): fmt}  # fmt: skip
    summary_dep = next(d for d in deps if "hot-summary" in d["output"])
    summary = post(served, session, payload(summary_dep, values)).json()
    count = int(summary["response"]["hot-summary"]["children"].split(" ")[0])
    dep = next(d for d in deps if d["output"] == "hot-download.data")
    response = post(served, session, payload(dep, values))
    assert response.status_code == 200, response.text[:300]
    sent = response.json()["response"]["hot-download"]["data"]
    assert sent["filename"] == f"hotspots.{fmt}"
    content = base64.b64decode(sent["content"]) if sent["base64"] else sent["content"].encode()
    assert not REFERENCE.search(content.decode("latin-1"))  # no record ever leaves here
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
        assert {"area_code", "area_name", "count", "risk_class"} <= set(rows[0])
        codes = [r["area_code"] for r in rows]
    elif fmt == "geojson":
        features = json.loads(content)["features"]
        codes = [f["properties"]["area_code"] for f in features]
    else:
        path = tmp_path / "download.gpkg"
        path.write_bytes(content)
        with sqlite3.connect(path) as con:
            tables = {r[0] for r in con.execute("select table_name from gpkg_contents")}
            codes = [r[0] for r in con.execute("select area_code from hotspots")]
            every = {r[0] for r in con.execute("select name from sqlite_master")}
        assert tables == {"hotspots"}
        assert not every & {"incidents", "incident_versions", "users", "sessions", "audit"}
    assert len(codes) == len(set(codes)) == count > 0


def test_maps_ask_no_other_host(served, sessions, deps, known):
    """Without a tile server configured, no map has a tile layer and nothing the dashboard
    sends names another host for the browser to fetch."""
    session, found = sessions["tactical"], []
    trees = [session.get(f"{served.base}/_dash-layout", timeout=60).json()]
    trees += [page_layout(served, session, deps, p) for p in PATHS.values()]
    for dep in deps:
        response = post(served, session, payload(dep, known["values"]))
        if response.status_code == 200:
            trees.append(response.json())
    for tree in trees:
        found += [p.get("url") for p in components(tree, "TileLayer")]
        found += [u for u in urls(tree) if urlsplit(u).netloc != urlsplit(served.base).netloc]
    assert found == []
    labels = [p for t in trees for p in components(t, "Tooltip") if p.get("permanent")]
    assert len(labels) >= 10  # district names orient the reader instead of tiles


def urls(tree: Any, key: str = "") -> Iterator[str]:
    """http(s) URLs in a layout or response the browser would fetch (not text shown)."""
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from urls(v, k)
    elif isinstance(tree, list):
        for v in tree:
            yield from urls(v, key)
    elif isinstance(tree, str) and key != "children" and re.match(r"(?i)\s*https?:", tree):
        yield tree


def test_a_tile_layer_only_when_a_tile_server_is_configured():
    from dashboard import figures

    outlines = {"type": "FeatureCollection", "features": [{"type": "Feature",
                "properties": {"district_name": "Cambridge"}, "geometry": {"type": "Polygon",
                "coordinates": [[[0, 52], [0.2, 52], [0.2, 52.2], [0, 52]]]}}]}  # fmt: skip
    plain = figures.base_layers(outlines, tile_url="", map_id="m")
    assert [type(c).__name__ for c in plain.children] == ["GeoJSON", "CircleMarker"]
    assert plain.children[1].children.children == "Cambridge"
    tiled = figures.base_layers(outlines, tile_url="https://tiles.force.example/{z}/{x}/{y}.png",
                                map_id="m")  # fmt: skip
    assert type(tiled.children[0]).__name__ == "TileLayer"


# --- CSV on a workspace whose text is spreadsheet formulas --------------------------------

POISON = {
    "csp": '=HYPERLINK("http://evil.example","Cambridge")',
    "csp2": "@SUM(1+1)*cmd|' /C calc'!A0",
    "district": "-Cambridge",
    "offence": "+cmd|' /C calc'!A0",
}


def poison(root: Path) -> None:
    """CSP and district names and the commonest offence that a spreadsheet would run."""
    import geopandas as gpd

    lsoas = gpd.read_file(root / "geography" / "lsoa.gpkg")
    lsoas.loc[lsoas["district_code"] == "E07000008", "district_name"] = POISON["district"]
    lsoas.to_file(root / "geography" / "lsoa.gpkg", driver="GPKG", layer="lsoa")
    districts = lsoas.drop_duplicates("district_code")
    lookup = districts[["district_code", "csp_code", "csp_name"]].copy()
    lookup.loc[lookup["district_code"] == "E07000008", "csp_name"] = POISON["csp"]
    lookup.loc[lookup["district_code"] == "E07000009", "csp_name"] = POISON["csp2"]
    lookup.to_csv(root / "geography" / "csp_lookup.csv", index=False)
    with sqlite3.connect(root / "tensionmap.sqlite") as con:
        con.execute("update incidents set offence = ? where id % 2 = 0", (POISON["offence"],))


@pytest.fixture(scope="module")
def poisoned(demo_built, tmp_path_factory) -> Iterator[Served]:
    root = copy_workspace(demo_built[0], tmp_path_factory.mktemp("poisoned") / "ws")
    poison(root)
    with serve(root) as server:
        yield server


def formula_cells(rows: Any) -> list[str]:
    """Text cells of DataTable rows (or CSV rows) that a spreadsheet would evaluate."""
    if not isinstance(rows, list | csv.DictReader):
        return []
    rows = [r for r in rows if isinstance(r, dict)]
    return [v for row in rows for v in row.values() if isinstance(v, str) and FORMULA.match(v)]


def test_every_csv_that_leaves_the_dashboard_is_formula_safe(poisoned):
    session = poisoned.login("tactical")
    response = session.get(f"{poisoned.base}/_dash-dependencies", timeout=60)
    deps = [d for d in response.json() if not d.get("clientside_function")]
    values = {
        ("hot-method", "value"): "risk_class", ("hot-unit", "value"): "district",
        ("hot-strand", "value"): "", ("hot-setting", "value"): "", ("hot-csp", "value"): "",
        ("hot-from", "start_date"): "", ("hot-from", "end_date"): "",
        ("hot-download-button", "n_clicks"): 1, ("hot-format", "value"): "csv",
        ("schools-budget", "value"): 20, ("schools-phase", "value"): "",
        ("partner-setting", "value"): "nte", ("partner-download-button", "n_clicks"): 1,
        ("trends-period", "value"): "year", ("trends-csp", "value"): "",
        ("overview-strand", "value"): "", ("_pages_location", "pathname"): "/",
        ("_pages_location", "search"): "", ("tension-alerts", "selected_rows"): [],
        ("hot-class", "clickData"): None, ("review-table", "selected_row_ids"): [],
        ("review-confirm", "n_clicks"): 1, ("review-save", "n_clicks"): None,
        ("review-settings", "value"): [],
    }  # fmt: skip
    tension = page_layout(poisoned, session, deps, "/tension")
    values[("tension-day", "date")] = find(tension, "tension-day")["date"]  # type: ignore[index]
    values[("tension-replay", "value")] = find(tension, "tension-replay")["max"]  # type: ignore[index]
    tables, unsafe, seen = [], [], ""
    for path in PATHS.values():
        tables += list(components(page_layout(poisoned, session, deps, path), "DataTable"))
    for dep in deps:
        response = post(poisoned, session, payload(dep, values))
        assert response.status_code in (200, 204), (dep["output"], response.text[:300])
        if response.status_code == 200:
            seen += json.dumps(response.json())  # Dash writes / as \u002f
            for output in response.json()["response"].values():
                tables.append(output)
    for table in tables:
        rows = table.get("data") or []
        unsafe += formula_cells(rows)
        unsafe += [c["name"] for c in table.get("columns") or [] if FORMULA.match(c["name"])]
    values[("hot-csp", "value")] = ""
    for unit in ("district", "csp", "lsoa"):
        values[("hot-unit", "value")] = unit
        text = download(poisoned, session, deps, values, "csv")
        seen += text
        unsafe += formula_cells(csv.DictReader(io.StringIO(text)))
    assert unsafe == []
    for name in POISON.values():  # the names did reach the tables, neutralised
        assert json.dumps("'" + name)[1:-1] in seen or "'" + name in seen, name
