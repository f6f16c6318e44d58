import sqlite3

import pandas as pd

from geo.cli import main
from tests.conftest import incident, write_csv


def _csp_codes(workspace) -> set[str]:
    con = sqlite3.connect(workspace.root / "tensionmap.sqlite")
    try:
        return {r[0] for r in con.execute("select csp_code from incidents")}
    finally:
        con.close()


def test_import_boundaries_reassigns_stored_records(workspace, tmp_path, open_data, capsys):
    path = write_csv(tmp_path / "in.csv", [incident("A"), incident("B")])
    main(["ingest", "incidents", str(path), "--workspace", str(workspace.root)])
    lsoa_file = open_data / "boundaries" / "lsoa_2011_bgc_herts_cambs.geojson"
    code = main(
        [
            "boundaries",
            "import",
            str(lsoa_file),
            "--level",
            "lsoa",
            "--workspace",
            str(workspace.root),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "imported 1177 lsoa features" in out
    assert "re-assigned 2 stored records" in out
    assert main(["status", "--workspace", str(workspace.root)]) == 0
    assert "boundaries: imported from lsoa_2011_bgc_herts_cambs.geojson" in capsys.readouterr().out


def test_import_lookup_gives_e22_codes_to_stored_records(workspace, tmp_path, capsys):
    path = write_csv(tmp_path / "in.csv", [incident("A")])  # Watford
    main(["ingest", "incidents", str(path), "--workspace", str(workspace.root)])
    assert _csp_codes(workspace) == {"E07000103"}
    lookup = tmp_path / "lookup.csv"
    pd.DataFrame(
        {
            "LAD23CD": ["E07000103"],
            "LAD23NM": ["Watford"],
            "CSP23CD": ["E22000245"],
            "CSP23NM": ["Watford"],
            "PFA23CD": ["E23000026"],
        }
    ).to_csv(lookup, index=False)
    assert (
        main(["boundaries", "import-lookup", str(lookup), "--workspace", str(workspace.root)]) == 0
    )
    assert "1 changed CSP code" in capsys.readouterr().out
    assert _csp_codes(workspace) == {"E22000245"}


def test_bad_boundary_file_exits_2(workspace, tmp_path, capsys):
    bad = tmp_path / "x.geojson"
    bad.write_text("not json")
    assert (
        main(
            [
                "boundaries",
                "import",
                str(bad),
                "--level",
                "ward",
                "--workspace",
                str(workspace.root),
            ]
        )
        == 2
    )
    assert "could not read it as a boundary file" in capsys.readouterr().err
