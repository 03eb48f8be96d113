import io
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from retreat.cli import alarm_cmd
from retreat.cli.main import app
from retreat.clock import FakeClock
from retreat.ui import alarm as alarm_mod
from retreat.ui.alarm import Player, flash_on
from retreat.ui.loop import FlashLoop, Outcome, Sleeper

ROOT = str(Path(__file__).resolve().parents[1])


class FakeProcess:
    def __init__(self, argv):
        self.argv = list(argv)

    def poll(self):
        return None

    def terminate(self):
        pass


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def started(monkeypatch):
    """Players the command starts; none really runs."""
    processes = []

    def runner(argv):
        processes.append(FakeProcess(argv))
        return processes[-1]

    monkeypatch.setattr(alarm_mod, "popen_runner", runner)
    return processes


def with_player(monkeypatch, player):
    monkeypatch.setattr(alarm_mod, "find_player", lambda *a, **k: player)


def invoke(*args):
    return CliRunner().invoke(app, ["alarm-test", *args])


def test_reports_the_player_and_starts_it_when_not_a_terminal(monkeypatch, started, tmp_path):
    with_player(monkeypatch, Player("paplay", ("/usr/bin/paplay",)))
    result = invoke()
    assert result.exit_code == 0, result.output
    assert "sound: paplay (/usr/bin/paplay)" in result.stdout
    assert "tone: started paplay" in result.stdout and "listen" in result.stdout
    assert "stdout is not a terminal" in result.stdout
    assert result.stderr == ""
    assert len(started) == 1
    wav = started[0].argv[-1]
    assert started[0].argv[0] == "/usr/bin/paplay" and wav.endswith(".wav")
    assert os.path.getsize(wav) > 40_000
    assert "\a" not in result.stdout  # no stray bell byte in redirected output


def test_no_player_still_exits_0_and_promises_the_flash(monkeypatch, started):
    with_player(monkeypatch, None)
    result = invoke()
    assert result.exit_code == 0
    assert "sound: no player (tried" in result.stdout
    assert "the flash always works" in result.stdout
    assert "tone: not played" in result.stdout and started == []


def test_no_sound_plays_nothing(monkeypatch, started):
    with_player(monkeypatch, Player("paplay", ("/usr/bin/paplay",)))
    result = invoke("--no-sound")
    assert result.exit_code == 0
    assert "sound: off (--no-sound)" in result.stdout and started == []


@pytest.mark.parametrize("seconds", ["0", "601", "five"])
def test_bad_seconds_is_a_usage_error(seconds):
    result = invoke("--seconds", seconds)
    assert result.exit_code == 2 and "--seconds" in result.stderr


def test_listed_in_help():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0 and "alarm-test" in result.stdout


def render_screen(overtime, width=80, height=24, ascii=False):
    console = Console(
        file=io.StringIO(), record=True, width=width, height=height, color_system=None
    )
    console.print(alarm_cmd._screen(console, overtime, 5, ascii))
    return console.export_text()


def test_flash_screen_shows_big_overtime_and_fills_the_terminal():
    lines = render_screen(3.2).splitlines()
    assert len(lines) == 24 and all(len(line) <= 80 for line in lines)
    assert sum("\u2588" in line for line in lines) >= 5
    assert any("this is how overtime looks" in line for line in lines)


def test_flash_screen_ascii_and_tiny():
    assert "\u2588" not in render_screen(3.2, ascii=True)
    assert "#" in render_screen(3.2, ascii=True)
    tiny = render_screen(65, width=30, height=8)
    assert "+01:05" in tiny


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")
@pytest.mark.slow
def test_alarm_test_in_a_real_terminal(tmp_path):
    """End to end in tmux: the flashing screen appears, any key stops it, exit 0."""
    session = f"retreat-alarm-{uuid.uuid4().hex[:8]}"
    command = (
        f"XDG_CACHE_HOME={tmp_path} {sys.executable} -m retreat alarm-test --no-sound "
        f"--seconds 30; echo EXIT=$?; sleep 30"
    )
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24", "-c", ROOT, command],
        check=True,
    )

    def screen():
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
        ).stdout

    def wait_for(text, timeout=60.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if text in (shown := screen()):
                return shown
            time.sleep(0.05)
        raise AssertionError(f"{text!r} not on screen:\n{screen()}")

    try:
        shown = wait_for("this is how overtime looks")
        assert sum("\u2588" in line for line in shown.splitlines()) >= 5
        subprocess.run(["tmux", "send-keys", "-t", session, "x"], check=True)
        done = wait_for("EXIT=")
        assert "EXIT=0" in done and "sound: off" in done and "always works" in done
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


class Shown:
    def __init__(self):
        self.overtimes = []

    def update(self, renderable, refresh=True):
        self.overtimes.append(renderable)


class Bell:
    fired = 0

    def fire(self):
        self.fired += 1


def flash(clock, keys, seconds=5):
    shown, bell = Shown(), Bell()
    start = clock.monotonic()
    loop = FlashLoop(clock, keys, bell, seconds, lambda overtime: overtime)
    return loop.run(shown), shown.overtimes, bell.fired, clock.monotonic() - start


def test_the_flash_runs_its_seconds_on_a_fake_clock_with_a_frame_at_each_change():
    clock = FakeClock()
    outcome, overtimes, fired, took = flash(clock, Sleeper(clock, clock.advance))
    assert outcome is Outcome.DONE and fired == 1 and took == pytest.approx(5)
    assert overtimes[0] == 0 and all(t < 5 for t in overtimes)
    phases = [flash_on(t) for t in overtimes]
    assert all(a != b for a, b in zip(phases, phases[1:], strict=False))  # every frame is a change of the flash


class KeyAfter:
    """Keys on the fake clock: `key` arrives once `after` seconds have passed."""

    def __init__(self, clock, after, key):
        self.clock, self.at, self.key = clock, clock.monotonic() + after, key

    def get(self, deadline=None):
        if deadline >= self.at:
            self.clock.advance(self.at - self.clock.monotonic())
            return self.key
        self.clock.advance(deadline - self.clock.monotonic())
        return None


@pytest.mark.parametrize(("key", "outcome"), [("x", Outcome.DONE), ("c-c", Outcome.INTERRUPTED)])
def test_any_key_stops_the_flash_and_ctrl_c_is_an_interruption(key, outcome):
    clock = FakeClock()
    got, _overtimes, _fired, took = flash(clock, KeyAfter(clock, 2.3, key), seconds=30)
    assert got is outcome and took == pytest.approx(2.3)
