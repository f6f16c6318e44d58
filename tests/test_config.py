"""Settings as data: every setting is documented, the TOML round-trips, typos are caught."""

from pathlib import Path

import pytest

from geo._errors import WorkspaceError
from geo.config import SETTINGS, Config, Workspace, default_toml

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented_in_the_readme(setting):
    assert f"| `{setting.name}` |" in README
    assert setting.help.split(";")[0] in README


def test_default_toml_round_trips(tmp_path):
    path = tmp_path / "tensionmap.toml"
    path.write_text(default_toml())
    assert Config.from_toml(path) == Config()


def test_unknown_setting_is_named(tmp_path):
    ws = Workspace.open(tmp_path / "ws")
    (ws.root / "tensionmap.toml").write_text("snap_distance = 100\n")
    with pytest.raises(WorkspaceError, match=r"unknown setting\(s\) \['snap_distance'\]"):
        Workspace.open(ws.root)


def test_every_reject_reason_is_documented():
    import re

    from geo.geography import geocoder as geocode
    from geo.ingest import validate

    reasons = set(re.findall(r"``([a-z_]+)``", (validate.__doc__ or "") + (geocode.__doc__ or "")))
    reasons -= {"latlon", "bng", "postcode", "reason", "detail"}  # other quoted words
    assert len(reasons) >= 17
    for reason in reasons:
        assert f"| `{reason}` |" in README, reason
