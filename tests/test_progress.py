from geo import _progress


def test_progress_shows_only_for_big_files_on_a_terminal(monkeypatch):
    monkeypatch.setattr(_progress.sys.stderr, "isatty", lambda: True, raising=False)
    assert _progress.progress(10_000, "small").disable is True
    big = _progress.progress(200_000, "big")
    assert big.disable is False
    monkeypatch.setattr(_progress.sys.stderr, "isatty", lambda: False, raising=False)
    assert _progress.progress(200_000, "piped").disable is True
