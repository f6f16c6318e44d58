"""The body Dash's renderer posts for a callback, built one way for every dashboard test
(in-process and over HTTP)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

#: A pattern-matching input is sent as one component of this hotspot class.
PATTERN_KLASS = "hot_99"
_REQUIRED = object()


def slot_key(spec: Mapping[str, str]) -> tuple[str, str]:
    """``(id, property)``, with a pattern-matching id named by its ``type``."""
    ident = spec["id"]
    if ident.startswith("{"):
        ident = json.loads(ident)["type"]
    return ident, spec["property"]


def prop_id(item: Any) -> str:
    """How Dash's renderer names a changed input: a pattern-matching id as the concrete id
    of its first component, keys sorted."""
    first = item[0] if isinstance(item, list) else item
    ident = first["id"]
    if isinstance(ident, dict):
        ident = json.dumps(ident, sort_keys=True, separators=(",", ":"))
    return f"{ident}.{first['property']}"


def payload(
    dep: Mapping[str, Any], values: Mapping[tuple[str, str], Any], *, default: Any = _REQUIRED
) -> dict[str, Any]:
    """The body Dash's renderer posts for ``dep`` with ``values`` for its inputs and state
    (keyed by :func:`slot_key`; a pattern-matching input as one component of class
    ``hot_99``). A value missing from ``values`` is ``default``, or an ``AssertionError``
    when no default is given."""

    def item(spec: Mapping[str, str]) -> Any:
        key = slot_key(spec)
        if key not in values and default is _REQUIRED:
            raise AssertionError(f"no legitimate value for {key}: add it to the test's values")
        value = values.get(key, default)
        if spec["id"].startswith("{"):
            concrete = {**json.loads(spec["id"]), "klass": PATTERN_KLASS}
            return [{"id": concrete, "property": spec["property"], "value": value}]
        return {"id": spec["id"], "property": spec["property"], "value": value}

    outputs = [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True))
               for part in dep["output"].strip(".").split("...")]  # fmt: skip
    inputs = [item(s) for s in dep["inputs"]]
    return {
        "output": dep["output"],
        "outputs": outputs if dep["output"].startswith("..") else outputs[0],
        "inputs": inputs,
        "state": [item(s) for s in dep["state"]],
        "changedPropIds": [prop_id(inputs[0])],
    }
