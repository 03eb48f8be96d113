"""Windows, 统信UOS/麒麟 and macOS, tested here on Linux with fakes: signals, console
encodings (code page 936), Chinese paths, the browser for codes.html, files held open."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import types
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import pytest
from typer.testing import CliRunner

from retreat import agenda as agenda_mod
from retreat import platforms
from retreat.cli import run_cmd
from retreat.cli.main import app
from retreat.clock import FakeClock
from retreat.meeting.session import Session, load
from retreat.meeting.store import sqlite_uri
from retreat.ui import alarm

ROOT = Path(__file__).parent.parent
DATA = Path(__file__).parent / "data" / "agendas"
runner = CliRunner()


def which_of(*found: str) -> Any:
    return lambda name: f"/usr/bin/{name}" if name in found else None


# signals


def test_linux_and_macos_end_the_stage_on_sigterm_and_sighup() -> None:
    posix = types.SimpleNamespace(SIGTERM=15, SIGHUP=1)
    assert platforms.termination_signals(posix) == [15, 1]


def test_windows_has_no_sighup_and_ends_the_stage_on_ctrl_break() -> None:
    windows = types.SimpleNamespace(SIGTERM=15, SIGINT=2, SIGBREAK=21)
    assert platforms.termination_signals(windows) == [15, 21]


def gbk_terminal() -> io.TextIOWrapper:
    class Tty(io.TextIOWrapper):
        def isatty(self) -> bool:
            return True

    return Tty(io.BytesIO(), encoding="gbk")


def test_run_on_windows_catches_ctrl_break_and_draws_ascii_on_a_gbk_console(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handled: list[int] = []
    monkeypatch.delattr(signal, "SIGHUP")
    monkeypatch.setattr(signal, "SIGBREAK", 21, raising=False)
    monkeypatch.setattr(signal, "signal", lambda sig, handler: handled.append(sig))
    monkeypatch.setattr(sys, "stdin", gbk_terminal())
    monkeypatch.setattr(sys, "stdout", gbk_terminal())
    staged: dict[str, object] = {}

    def stage(agenda: object, path: Path, resume: bool, no_sound: bool, ascii: bool, *rest: object) -> str:
        staged.update(ascii=ascii, path=path)
        return "quit"

    monkeypatch.setattr(run_cmd, "_stage", stage)
    session = tmp_path / "街道 办事处" / "务虚会.retreat"
    session.parent.mkdir()
    outcome, path = run_cmd._run(DATA / "stage-e2e.yaml", session, False, True, False, None)
    assert outcome == "quit" and path == str(session)
    assert handled == [signal.SIGTERM, 21]
    assert staged["ascii"] is True  # GBK has no ▀ or ▐: ASCII digits, not an encoding error


def test_the_stage_draws_blocks_on_utf8_but_ascii_on_a_chinese_windows_console() -> None:
    utf8 = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    assert not platforms.wants_ascii(utf8, "linux")
    assert platforms.wants_ascii(utf8, "win32", lambda: 936)  # conhost draws them two cells wide
    assert not platforms.wants_ascii(utf8, "win32", lambda: 65001)
    assert platforms.wants_ascii(io.TextIOWrapper(io.BytesIO(), encoding="gbk"), "linux")
    assert platforms.wants_ascii(io.TextIOWrapper(io.BytesIO(), encoding="ascii"), "darwin")


# console encoding


def test_a_gbk_stream_prints_chinese_and_replaces_what_gbk_lacks() -> None:
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="gbk")
    assert platforms.prepare_stream(out)
    out.write("务虚会 ─│█ ▀✓\n")
    out.flush()
    assert raw.getvalue().decode("gbk") == "务虚会 ─│█ ??\n"


def test_a_utf8_stream_is_left_alone() -> None:
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    assert not platforms.prepare_stream(out)
    assert out.errors == "strict"
    assert not platforms.prepare_stream(None)


@pytest.mark.slow  # over a quarter of a second: subprocesses, threads or a real server
@pytest.mark.parametrize("encoding", ["gbk", "ascii"])
def test_commands_print_on_a_gbk_or_ascii_stdout_without_an_encoding_error(encoding: str, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": encoding, "LANG": "zh_CN.UTF-8", "LANGUAGE": "zh_CN"}
    done = subprocess.run(
        [sys.executable, "-m", "retreat", "check", str(ROOT / "agendas" / "retreat-demo.yaml")],
        capture_output=True, env=env, cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode(encoding, "replace")
    assert b"Traceback" not in done.stderr + done.stdout
    if encoding == "gbk":
        assert "务虚会" in done.stdout.decode("gbk")


# Chinese characters in paths


def test_the_sqlite_uri_quotes_chinese_spaces_and_uri_characters() -> None:
    assert sqlite_uri(PurePosixPath("/home/秘书/务虚 会#1?%.retreat")) == (
        "file:///home/%E7%A7%98%E4%B9%A6/%E5%8A%A1%E8%99%9A%20%E4%BC%9A%231%3F%25.retreat"
    )
    assert sqlite_uri(PureWindowsPath(r"C:\会议\a.retreat")) == "file:///C:/%E4%BC%9A%E8%AE%AE/a.retreat"
    # a Windows share: SQLite refuses a host in the URI (file://server/...), not an empty one
    assert sqlite_uri(PureWindowsPath(r"\\server\共享\a.retreat")) == "file:////server/%E5%85%B1%E4%BA%AB/a.retreat"


def test_a_session_in_a_chinese_folder_with_uri_characters_opens_read_only(tmp_path: Path) -> None:
    folder = tmp_path / "街道办 #1?%"
    folder.mkdir()
    path = folder / "2026年 务虚会.retreat"
    Session.create(path, agenda_mod.load(DATA / "vote.yaml"), FakeClock()).close()
    folder.chmod(0o555)  # an archive on a read-only share: nothing may be written beside it
    try:
        assert load(path).agenda.meeting.title
        assert sorted(p.name for p in folder.iterdir()) == ["2026年 务虚会.retreat"]
    finally:
        folder.chmod(0o755)


# the browser for codes.html


def test_the_page_opens_with_startfile_on_windows(tmp_path: Path) -> None:
    opened: list[str] = []
    page = tmp_path / "会议" / "codes.html"
    assert platforms.open_in_browser(page, platform="win32", which=which_of(), startfile=opened.append)
    assert opened == [str(page.resolve())]


@pytest.mark.parametrize(
    ("platform", "found", "command"),
    [
        ("linux", ("xdg-open", "gio"), ["/usr/bin/xdg-open"]),  # Debian, 统信UOS (DDE), 麒麟 (UKUI)
        ("linux", ("gio",), ["/usr/bin/gio", "open"]),
        ("darwin", ("open",), ["/usr/bin/open"]),
    ],
)
def test_the_page_opens_with_the_desktops_opener(
    platform: str, found: tuple[str, ...], command: list[str], tmp_path: Path
) -> None:
    started: list[list[str]] = []
    page = tmp_path / "二维码.html"
    assert platforms.open_in_browser(page, platform=platform, which=which_of(*found), run=started.append)
    assert started == [[*command, str(page.resolve())]]


def test_no_opener_means_no_browser(tmp_path: Path) -> None:
    def fail(argv: list[str]) -> None:
        raise FileNotFoundError(argv[0])

    page = tmp_path / "codes.html"
    assert not platforms.open_in_browser(page, platform="linux", which=which_of())
    assert not platforms.open_in_browser(page, platform="linux", which=which_of("xdg-open"), run=fail)


@pytest.fixture
def session_file(tmp_path: Path) -> Path:
    path = tmp_path / "街道 办" / "务虚会.retreat"
    path.parent.mkdir()
    Session.create(path, agenda_mod.load(DATA / "vote.yaml"), FakeClock()).close()
    return path


def test_codes_open_writes_the_page_then_opens_it(session_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[Path] = []
    monkeypatch.setattr(platforms, "open_in_browser", lambda path: opened.append(path) or True)
    out = session_file.parent / "号码条.html"
    result = runner.invoke(app, ["codes", str(session_file), "-n", "3", "-o", str(out), "--open"])
    assert result.exit_code == 0, result.stderr
    assert opened == [out] and out.is_file()


def test_codes_open_without_a_browser_says_where_the_page_is(
    session_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(platforms, "open_in_browser", lambda path: False)
    out = session_file.parent / "codes.html"
    result = runner.invoke(app, ["codes", str(session_file), "-n", "3", "-o", str(out), "--open"])
    assert result.exit_code == 0
    assert str(out) in result.stderr and out.is_file()


# files held open by another program (Windows refuses to replace them)


def test_a_file_held_open_elsewhere_is_a_sentence_not_an_internal_error(
    session_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import retreat.files

    out = session_file.parent / "codes.html"

    def held_open(path: Path, text: str) -> None:
        raise PermissionError(13, "Access is denied", str(path))

    monkeypatch.setattr(retreat.files, "write_text", held_open)
    result = runner.invoke(app, ["codes", str(session_file), "-n", "3", "-o", str(out)])
    assert result.exit_code == 2
    assert str(out) in result.stderr and "internal error" not in result.stderr


# sound


def test_windows_plays_through_winsound_and_keeps_the_tone_in_localappdata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert alarm.find_player("win32", which_of()) == alarm.Player("winsound")
    assert alarm.looked_for("win32") == "winsound"
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "用户" / "AppData" / "Local"))
    assert alarm.cache_dir("win32") == tmp_path / "用户" / "AppData" / "Local" / "retreat" / "Cache"


def test_uos_and_kylin_find_their_pulseaudio_or_pipewire_player() -> None:
    assert alarm.find_player("linux", which_of("pw-play", "aplay")) == alarm.Player("pw-play", ("/usr/bin/pw-play",))
    assert alarm.find_player("linux", which_of("aplay")) == alarm.Player("aplay", ("/usr/bin/aplay", "-q"))
    assert alarm.find_player("linux", which_of()) is None


def test_macos_plays_with_afplay_and_caches_in_library(monkeypatch: pytest.MonkeyPatch) -> None:
    assert alarm.find_player("darwin", which_of("afplay", "aplay")) == alarm.Player("afplay", ("/usr/bin/afplay",))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert alarm.cache_dir("darwin") == Path.home() / "Library" / "Caches" / "retreat"


def test_an_output_windows_will_not_replace_is_reported_and_left_whole(
    session_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = session_file.parent / "号码条.html"
    out.write_text("old page", encoding="utf-8")

    def refuse(src: object, dst: object) -> None:  # what Windows does while a browser holds the file
        raise PermissionError(13, "Access is denied", str(dst))

    monkeypatch.setattr(os, "replace", refuse)
    monkeypatch.setattr(sys, "platform", "win32")
    result = runner.invoke(app, ["codes", str(session_file), "-n", "3", "-o", str(out)])
    assert result.exit_code == 2 and str(out) in result.stderr
    assert "请先在那里关闭，再试一次" in result.stderr  # the likely cause on Windows, in the meeting's language
    assert out.read_text(encoding="utf-8") == "old page"
    assert sorted(p.name for p in out.parent.iterdir()) == ["务虚会.retreat", "号码条.html"]


def test_alarm_test_draws_ascii_on_a_gbk_console_as_the_stage_does(monkeypatch: pytest.MonkeyPatch) -> None:
    from retreat.cli import alarm_cmd

    class GBKTerminal(io.TextIOWrapper):
        def isatty(self) -> bool:
            return True

    drawn: list[bool] = []
    monkeypatch.setattr(sys, "stdout", GBKTerminal(io.BytesIO(), encoding="gbk", errors="replace"))
    monkeypatch.setattr(alarm_cmd, "_flash", lambda console, alarm, seconds, ascii: drawn.append(ascii) or False)
    alarm_cmd.alarm_test(no_sound=True, seconds=1, ascii=False)
    assert drawn == [True]
