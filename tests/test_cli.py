import os
import subprocess
import sys

from geo.cli import main
from tests.conftest import incident, write_csv


def test_ingest_prints_one_summary_line_and_rejects_path(workspace, tmp_path, capsys):
    path = write_csv(tmp_path / "in.csv", [incident("A"), incident("B", recorded_at="bad")])
    code = main(["ingest", "incidents", str(path), "--workspace", str(workspace.root)])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0] == "ingested=1 updated=0 unchanged=0 rejected=1"
    assert out[1] == "rejected by reason: invalid_date=1"
    assert out[2].startswith("rejects: ") and out[2].endswith("-in-rejects.csv")


def test_unusable_input_exits_2_with_a_message_and_no_traceback(tmp_path, capsys):
    code = main(
        ["ingest", "incidents", str(tmp_path / "missing.csv"), "--workspace", str(tmp_path / "ws")]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"error: {tmp_path / 'missing.csv'}: no such file.\n"


def test_bad_arguments_exit_2(capsys):
    assert main(["ingest", "places", "x.csv", "--kind", "hospitals"]) == 2
    assert "invalid choice: 'hospitals'" in capsys.readouterr().err


def test_status_on_a_missing_workspace_says_how_to_create_one(tmp_path, capsys):
    assert main(["status", "--workspace", str(tmp_path / "none")]) == 2
    assert "is not a tensionmap workspace" in capsys.readouterr().err


def test_status_lists_counts(workspace, tmp_path, capsys):
    rows = [incident("A"), incident("B", strands="race;religion", record_type="incident")]
    main(
        [
            "ingest",
            "incidents",
            str(write_csv(tmp_path / "in.csv", rows)),
            "--workspace",
            str(workspace.root),
        ]
    )
    capsys.readouterr()
    assert main(["status", "--workspace", str(workspace.root)]) == 0
    out = capsys.readouterr().out
    assert "hate records: 2  context crime: 0" in out
    assert "by CSP:\n  Watford: 2" in out
    assert "  race: 2\n  religion: 1" in out
    assert "  crime: 1\n  incident: 1" in out


def test_python_dash_m_geo_works():
    result = subprocess.run(
        [sys.executable, "-m", "geo", "--help"],
        capture_output=True,
        text=True,
        env=os.environ,
        check=False,
    )
    assert result.returncode == 0
    assert "usage: tensionmap" in result.stdout
