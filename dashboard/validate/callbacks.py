"""The check of every callback request before Dash runs it.

A signed-in analyst can post any JSON to ``/_dash-update-component``. :func:`install`
checks the body's size (:data:`MAX_BODY`, else 413), well-formed JSON of the shape Dash's
renderer sends, an ``output`` naming a server callback of this app (else 404), the page's
role (403, checked before anything else about the request, so a role that may not use a
page learns nothing more), then the exact input and state ids and properties that
callback declares (pattern-matching ids only with the values a page registered with
:func:`pattern_values`) and no NUL byte anywhere (else 400).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import dash
import flask
from werkzeug.exceptions import RequestEntityTooLarge

from dashboard.data import require
from dashboard.validate.values import BadRequestError, shown

#: The largest callback request accepted (bytes); the biggest legitimate one, a click on a
#: district with its outline, is a few tens of kilobytes.
MAX_BODY = 256 * 1024
#: Longest pathname and query string the page router accepts.
MAX_PATH, MAX_SEARCH = 512, 2048

_BODY_KEYS = frozenset({"output", "outputs", "inputs", "state", "changedPropIds",
                        "parsedChangedPropsIds"})  # fmt: skip
_ITEM_KEYS = frozenset({"id", "property", "value"})
#: Wildcards whose input is a list, one entry per matching component.
_MANY = ('["ALL"]', '["ALLSMALLER"]')
_ROUTER = "_pages_content"

# --- pattern-matching ids -------------------------------------------------------------------

_PATTERNS: dict[str, dict[str, tuple[Any, ...]]] = {}


def pattern_values(kind: str, **values: Iterable[Any]) -> None:
    """Declare the values the wildcard keys of pattern-matching ids ``{"type": kind, ...}``
    may take (a request naming any other id is refused).

    Examples
    --------
    >>> pattern_values("hot-class", klass=("hot_99", "cold_99"))
    """
    _PATTERNS[kind] = {k: tuple(v) for k, v in values.items()}


def _id_text(component_id: object) -> str:
    """An id as Dash's renderer writes it in ``changedPropIds`` (keys sorted, no spaces)."""
    if isinstance(component_id, dict):
        parts = (f"{json.dumps(k)}:{json.dumps(component_id[k])}" for k in sorted(component_id))
        return "{" + ",".join(parts) + "}"
    return str(component_id)


def _id_matches(given: object, declared: str) -> bool:
    if not declared.startswith("{"):
        return isinstance(given, str) and given == declared
    pattern = json.loads(declared)
    if not isinstance(given, dict) or set(given) != set(pattern):
        return False
    allowed = _PATTERNS.get(str(pattern.get("type")), {})
    for key, wanted in pattern.items():
        if isinstance(wanted, list):  # a wildcard: only the values the page registered
            value = given[key]
            if not isinstance(value, str | int) or value not in allowed.get(key, ()):
                return False
        elif given[key] != wanted:
            return False
    return True


def _check_item(item: object, declared: Mapping[str, str], where: str) -> None:
    if (
        not isinstance(item, dict)
        or not set(item) <= _ITEM_KEYS
        or "id" not in item
        or item.get("property") != declared["property"]
        or not _id_matches(item["id"], declared["id"])
    ):
        shape = item if not isinstance(item, dict) else _id_text(item.get("id"))
        raise BadRequestError(
            f"{where} must be {declared['id']}.{declared['property']}; {shown(shape)} was given."
        )


def _check_items(given: object, declared: list[dict[str, str]], where: str) -> list[dict]:
    """Items of ``inputs`` or ``state``: exactly the declared ones; returns them flat."""
    if not isinstance(given, list) or len(given) != len(declared):
        raise BadRequestError(
            f"{where!r} must list {len(declared)} values of this callback; {shown(given)} "
            "was given."
        )
    flat: list[dict] = []
    for item, spec in zip(given, declared, strict=True):
        if spec["id"].startswith("{") and any(w in spec["id"] for w in _MANY):
            # ALL / ALLSMALLER: one entry per matching component, each id at most once
            limit = 1
            for values in _PATTERNS.get(json.loads(spec["id"]).get("type"), {}).values():
                limit *= len(values)
            if not isinstance(item, list) or len(item) > limit:
                raise BadRequestError(
                    f"{where} {spec['id']} must be a list of at most {limit}; {shown(item)} "
                    "was given."
                )
            for entry in item:
                _check_item(entry, spec, where)
            if len({_id_text(e["id"]) for e in item}) != len(item):
                raise BadRequestError(f"{where} {spec['id']} names a component twice.")
            flat += item
        else:
            _check_item(item, spec, where)
            flat.append(item)
    return flat


def _declared_outputs(output: str) -> list[dict[str, str]]:
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [dict(zip(("id", "property"), p.rsplit(".", 1), strict=True)) for p in parts]


# --- the request check ----------------------------------------------------------------------


def _nul_free(value: object, depth: int = 0) -> None:
    if depth > 32:
        raise BadRequestError("the callback request is nested too deeply.")
    if isinstance(value, str):
        if "\x00" in value:
            raise BadRequestError(f"NUL bytes are refused; {shown(value)} was given.")
    elif isinstance(value, list):
        for v in value:
            _nul_free(v, depth + 1)
    elif isinstance(value, dict):
        for k, v in value.items():
            _nul_free(k, depth + 1)
            _nul_free(v, depth + 1)


def _no_constant(name: str) -> None:
    raise BadRequestError(f"{name} is not JSON.")


def _parse(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise BadRequestError("the callback request is not well-formed JSON.") from None
    if not isinstance(body, dict) or "output" not in body:
        raise BadRequestError(
            f"a callback request is a JSON object naming its 'output'; {shown(body)} was given."
        )
    if not isinstance(body["output"], str) or len(body["output"]) > 2048:
        raise BadRequestError(f"'output' must name a callback; {shown(body['output'])} was given.")
    return body


def _page_of(callback: Any) -> str | None:
    """The page (``key`` of its registry entry) whose module defines ``callback``."""
    module = getattr(callback, "__module__", "")
    for page in dash.page_registry.values():
        if page.get("module") == module:
            return str(page.get("key") or page["module"])
    return None


def check_request(app: dash.Dash, body: dict[str, Any]) -> None:
    """Everything about a parsed callback request that does not depend on a page's data.

    Raises
    ------
    werkzeug.exceptions.NotFound
        ``output`` names no server callback of ``app``.
    dashboard.data.ForbiddenError
        The role may not use the callback's page (checked first).
    BadRequestError
        Anything else not as Dash's renderer sends it for that callback.
    """
    entry = app.callback_map.get(body["output"])
    if entry is None or entry.get("callback") is None:
        flask.abort(
            flask.Response(f"no callback {shown(body['output'])}", 404, mimetype="text/plain")
        )
    page = _page_of(entry["callback"])
    router = body["output"].startswith(f"..{_ROUTER}.")
    if page is not None:
        require(page)
    elif not router:  # a callback outside the pages: none is expected, so none is run
        flask.abort(flask.Response("no such callback", 404, mimetype="text/plain"))
    unknown, missing = sorted(set(body) - _BODY_KEYS), sorted({"inputs", "outputs"} - set(body))
    if unknown or missing:
        raise BadRequestError(
            f"a callback request holds {tuple(sorted(_BODY_KEYS))}, 'inputs' and 'outputs' "
            f"among them; {shown((unknown or missing)[0])} was "
            + ("given." if unknown else "missing.")
        )
    _nul_free(body)
    outputs = _declared_outputs(body["output"])
    sent = body.get("outputs")
    if (sent if body["output"].startswith("..") else [sent]) != outputs:
        raise BadRequestError(f"'outputs' must be those of {shown(body['output'])}.")
    items = _check_items(body["inputs"], entry["inputs"], "inputs")
    if entry["state"] or "state" in body:
        _check_items(body.get("state"), entry["state"], "state")
    changed = body.get("changedPropIds", [])
    named = {f"{_id_text(i['id'])}.{i['property']}" for i in items}
    if not isinstance(changed, list) or not all(isinstance(c, str) and c in named for c in changed):
        raise BadRequestError(f"'changedPropIds' must name inputs; {shown(changed)} was given.")
    parsed = body.get("parsedChangedPropsIds", [])
    if not isinstance(parsed, list) or len(parsed) > len(named):
        raise BadRequestError("'parsedChangedPropsIds' must follow 'changedPropIds'.")
    if router:
        _check_route(app, {i["property"]: i.get("value") for i in items})


def _check_route(app: dash.Dash, values: Mapping[str, Any]) -> None:
    """The page router's inputs: a pathname under this app and an optional query string
    (the page's layout then checks the query's values)."""
    pathname, search = values.get("pathname"), values.get("search")
    root = app.config.requests_pathname_prefix
    if (
        not isinstance(pathname, str)
        or len(pathname) > MAX_PATH
        or not (pathname.startswith(root) or pathname == root.rstrip("/"))
    ):
        raise BadRequestError(
            f"'pathname' must be a path under {root!r}; {shown(pathname)} was given."
        )
    if search not in (None, "") and (
        not isinstance(search, str) or len(search) > MAX_SEARCH or not search.startswith("?")
    ):
        raise BadRequestError(
            f"'search' must be a query string ('?...'); {shown(search)} was given."
        )


def _remember(request: flask.Request, body: dict[str, Any] | None) -> None:
    """Make ``request.get_json()`` return the body as checked here: ``None`` for one that
    is not JSON, only its ``output`` for one refused on its shape. Dash and the audit then
    read exactly what was checked, and a body too big, too deep or too odd to handle is
    never parsed or walked again (werkzeug keeps the parsed JSON in ``_cached_json``, a
    pair for ``silent=False`` and ``silent=True``)."""
    if hasattr(request, "_cached_json"):
        request._cached_json = (body if body is not None else Ellipsis, body)


def _plain(message: str, status: int) -> flask.Response:
    response = flask.Response(message, status=status, mimetype="text/plain")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def install(app: dash.Dash) -> None:
    """Check every callback request before Dash runs it, and answer
    :class:`BadRequestError` with 400 (a plain message) wherever it is raised."""
    server = app.server
    update = f"{app.config.routes_pathname_prefix}_dash-update-component"

    @server.errorhandler(BadRequestError)
    def bad_request(error: BadRequestError) -> flask.Response:
        return _plain(str(error), 400)

    @server.before_request
    def check_callback_request() -> flask.Response | None:
        request = flask.request
        if request.path != update or request.method != "POST":
            return None
        request.max_content_length = MAX_BODY
        too_big = _plain(f"a callback request may hold at most {MAX_BODY} bytes.", 413)
        if (request.content_length or 0) > MAX_BODY:
            _remember(request, None)
            return too_big
        try:
            raw = request.get_data(cache=True)
        except RequestEntityTooLarge:
            _remember(request, None)
            return too_big
        if not request.is_json:
            raise BadRequestError("a callback request is JSON (Content-Type: application/json).")
        try:
            body = _parse(raw)
        except BadRequestError:
            _remember(request, None)
            raise
        _remember(request, {"output": body["output"]})  # until the rest passes its checks
        check_request(app, body)
        _remember(request, body)
        return None
