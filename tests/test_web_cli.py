"""`retreat codes` and `retreat run --participate` at the command line; start-up stays light."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from retreat import agenda as agenda_mod
from retreat.cli.main import app
from retreat.clock import FakeClock
from retreat.meeting.session import Session, load

DATA = Path(__file__).parent / "data" / "agendas"
runner = CliRunner()


@pytest.fixture
def session_file(tmp_path: Path) -> Path:
    path = tmp_path / "v.retreat"
    Session.create(path, agenda_mod.load(DATA / "vote.yaml"), FakeClock()).close()
    return path


def test_codes_are_printed_on_a_page_and_stored_only_hashed(session_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "codes.html"
    result = runner.invoke(app, ["codes", str(session_file), "-n", "12", "--group", "g2", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    codes = re.findall(r'class="c">([A-Z0-9]{4}-[A-Z0-9]{4})<', page)
    assert len(codes) == 12 == len(set(codes))
    assert "http" not in page.replace("http-equiv", "")  # self-contained: nothing fetched
    stored = load(session_file).state.codes
    assert len(stored.groups) == 12 and set(stored.groups.values()) == {"g2"}
    raw = session_file.read_bytes()
    assert not any(c.replace("-", "").encode() in raw for c in codes)
    # revoke one
    result = runner.invoke(app, ["codes", str(session_file), "--revoke", codes[0].lower()])
    assert result.exit_code == 0, result.stderr
    assert len(load(session_file).state.codes.revoked) == 1
    result = runner.invoke(app, ["codes", str(session_file), "--revoke", "ZZZZ-ZZZZ"])
    assert result.exit_code == 2 and "ZZZZ-ZZZZ" in result.stderr


@pytest.mark.slow
def test_codes_for_an_unknown_group_are_refused(session_file: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["codes", str(session_file), "--group", "nope", "-o", str(tmp_path / "c.html")])
    assert result.exit_code == 2 and "nope" in result.stderr
    assert not (tmp_path / "c.html").exists()


def test_participate_without_a_terminal_is_refused_before_anything_listens(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["run", str(DATA / "vote.yaml"), "--participate", "--port", "0"])
    assert result.exit_code == 2 and "retreat demo" in result.stderr  # (the agenda's language: Chinese)
    assert list(tmp_path.iterdir()) == []


def test_help_does_not_import_the_web_stack() -> None:
    code = ("import sys; from retreat.cli.main import app; "
            "from typer.testing import CliRunner; CliRunner().invoke(app, ['--help']); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('starlette', 'uvicorn', 'segno', 'anyio')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.slow  # over a quarter of a second: subprocesses, threads or a real server
def test_demo_participate_serves_the_demo_vote_until_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    from retreat.paths import bundled_agenda
    from retreat.web import launch

    served: list[launch.Phones] = []
    ready, stop = threading.Event(), threading.Event()
    real_serve = launch.serve

    def spy(*args: object, **kwargs: object) -> launch.Phones:
        phones = real_serve(*args, **kwargs)  # type: ignore[arg-type]
        served.append(phones)
        ready.set()
        return phones

    monkeypatch.setattr(launch, "serve", spy)
    out = io.StringIO()
    result: list[tuple[str, int]] = []
    # A daemon, and stopped in `finally`: a failing assertion must fail the test, not leave a
    # server thread that keeps pytest from ever exiting.
    worker = threading.Thread(target=lambda: result.append(launch.demo_phones(
        bundled_agenda("en"), tmp_path, ("127.0.0.1", 0), Console(file=out, width=200), stop)), daemon=True)
    worker.start()
    try:
        _vote_from_a_phone(ready, out, served, form := {})
    finally:
        stop.set()
        worker.join(120)
    assert result and result[0][1] == 1
    assert load(result[0][0]).state.votes[form["vote"]].counted[0].source == "phone"


def _vote_from_a_phone(ready: threading.Event, out: io.StringIO, served: list[Any], form: dict[str, str]) -> None:
    # Generous timeouts: a loaded machine may take seconds to answer, and no test may
    # depend on how fast the machine is.
    assert ready.wait(120)
    # The codes are printed after the server is up: wait for the line, not for luck.
    deadline = time.monotonic() + 120
    while "Serving phones" not in out.getvalue():
        assert time.monotonic() < deadline, out.getvalue()
        time.sleep(0.01)
    code = re.search(r"([A-Z0-9]{4}-[A-Z0-9]{4})", out.getvalue().split("Codes to try:")[1]).group(1)  # type: ignore[union-attr]
    base = served[0].url
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def post(path: str, **data: str) -> str:
        with opener.open(base + path, urllib.parse.urlencode(data).encode(), timeout=120) as r:
            return str(r.read().decode())

    page = opener.open(base, timeout=120).read().decode()
    post("join", code=code, csrf=re.search(r'name="csrf" value="([^"]*)"', page).group(1))  # type: ignore[union-attr]
    ballot = opener.open(base + "vote", timeout=120).read().decode()
    form.update({k: re.search(rf'name="{k}" value="([^"]*)"', ballot).group(1) for k in ("csrf", "key", "vote")})  # type: ignore[union-attr]
    assert "id=received" in post("vote", **form, ranking="2 1")


def test_codes_before_the_meeting_create_the_session_from_the_agenda(tmp_path: Path) -> None:
    session, out = tmp_path / "m.retreat", tmp_path / "codes.html"
    bad = runner.invoke(app, ["codes", str(session), "--agenda", str(DATA / "vote.yaml"), "--group", "nope",
                              "-o", str(out)])
    assert bad.exit_code == 2 and not session.exists()  # nothing made from a refused command
    result = runner.invoke(app, ["codes", str(session), "--agenda", str(DATA / "vote.yaml"), "-n", "5", "-o", str(out)])
    assert result.exit_code == 0, result.output
    state = load(session).state
    assert len(state.codes.groups) == 5 and not any(s.started_at for s in state.items)
    again = runner.invoke(app, ["codes", str(session), "--agenda", str(DATA / "vote.yaml"), "-n", "3", "-o", str(out)])
    assert again.exit_code == 0 and len(load(session).state.codes.groups) == 8  # added to, not replaced


def test_codes_for_a_session_that_does_not_exist_say_how_to_make_one(tmp_path: Path) -> None:
    result = runner.invoke(app, ["codes", str(tmp_path / "none.retreat"), "-o", str(tmp_path / "c.html")])
    assert result.exit_code == 2 and "--agenda" in result.stderr
