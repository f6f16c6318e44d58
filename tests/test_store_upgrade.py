"""A store made by an earlier version gains the nullable columns added since."""

from __future__ import annotations

import sqlite3

from geo import store


def test_a_missing_nullable_column_is_added(tmp_path):
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as con:  # tension_runs as the previous release made it
        con.execute(
            "CREATE TABLE tension_runs (as_of VARCHAR(10) PRIMARY KEY, "
            "run_at VARCHAR(26) NOT NULL, open_alerts INTEGER NOT NULL)"
        )
        con.execute("INSERT INTO tension_runs VALUES ('2019-07-01', 'x', 2)")
    engine = store.connect(f"sqlite:///{path}")
    engine.dispose()
    with sqlite3.connect(path) as con:
        columns = [row[1] for row in con.execute("PRAGMA table_info(tension_runs)")]
        kept = con.execute("SELECT as_of, open_alerts, rules FROM tension_runs").fetchall()
    assert columns == ["as_of", "run_at", "open_alerts", "rules"]
    assert kept == [("2019-07-01", 2, None)]
