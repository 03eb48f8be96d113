"""`retreat run` at the command line: what it refuses before the stage ever opens."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from retreat.cli.main import app

DATA = Path(__file__).parent / "data" / "agendas"
runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_without_a_terminal_it_points_to_demo_and_help(tmp_path: Path) -> None:
    code, out, err = invoke("run", str(DATA / "stage-e2e.yaml"))
    assert code == 2
    assert "needs a terminal" in err and "retreat demo" in err and "--help" in err
    assert "Traceback" not in err + out
    assert list(tmp_path.iterdir()) == []  # no session file left behind


def test_the_bundled_agenda_is_the_default(tmp_path: Path) -> None:
    (tmp_path / "retreat-demo.retreat").write_bytes(b"")
    code, _out, err = invoke("run")
    assert code == 2 and "retreat-demo.retreat" in err and "--resume" in err  # in Chinese: the agenda is


def test_an_existing_session_is_refused_naming_both_ways_on(tmp_path: Path) -> None:
    (tmp_path / "stage-e2e.retreat").write_bytes(b"taken")
    code, _out, err = invoke("run", str(DATA / "stage-e2e.yaml"))
    assert code == 2
    assert "stage-e2e.retreat already exists" in err
    assert "--resume" in err and "--session" in err
    assert (tmp_path / "stage-e2e.retreat").read_bytes() == b"taken"


def test_resume_needs_a_session(tmp_path: Path) -> None:
    code, _out, err = invoke("run", str(DATA / "stage-e2e.yaml"), "--resume")
    assert code == 2 and "no such session file" in err


def test_a_bad_agenda_is_reported_with_its_location(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nmeeting: {title: x}\nitems:\n  - {kind: report, title: A, limit: 7}\n")
    code, _out, err = invoke("run", str(bad))
    assert code == 2 and "bad.yaml:4" in err
    assert not (tmp_path / "bad.retreat").exists()


def test_an_unknown_language_is_refused() -> None:
    code, _out, err = invoke("run", "--lang", "fr")
    assert code == 2 and "--lang takes zh-CN or en" in err


def test_help_names_every_key() -> None:
    code, out, _err = invoke("run", "--help")
    assert code == 0
    for word in ("--resume", "--session", "--no-sound", "--ascii", "space", "q quit"):
        assert word in out
