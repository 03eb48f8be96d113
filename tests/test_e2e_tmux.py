"""`retreat run` in a real terminal: tmux types the keys and reads the screen.

Start, pause, extend, next; on a 20-second item reach the warning and overtime; quit;
resume with --resume (the overtime kept counting while the program was away); silence,
end the meeting, quit; then the minutes show the adjusted limit and the overtime.
Every wait polls `capture-pane` with a deadline: no fixed sleeps.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

AGENDA = Path(__file__).parent / "data" / "agendas" / "stage-e2e.yaml"
RETREAT = Path(sys.executable).parent / "retreat"

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)"),
    # tmux's server cannot daemonise when /dev/null has been replaced by a regular file
    # (as an atomic `-o /dev/null` write does); say so instead of failing obscurely.
    pytest.mark.skipif(
        not stat.S_ISCHR(os.stat("/dev/null").st_mode), reason="/dev/null is not a device here: tmux cannot start"
    ),
]


# A private tmux server: the test never touches the developer's own sessions.
SOCKET = "retreat-e2e"


def tmux(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["tmux", "-L", SOCKET, *args], text=True, **kwargs)  # type: ignore[call-overload]


class Pane:
    def __init__(self, cwd: Path) -> None:
        self.name = f"retreat-e2e-{uuid.uuid4().hex[:8]}"
        self.cwd = cwd
        tmux("new-session", "-d", "-s", self.name, "-x", "100", "-y", "30", "-c", str(cwd),
             "env", "LANG=C.UTF-8", "TERM=xterm-256color", "sh", check=True)  # fmt: skip

    def command(self, line: str) -> None:
        tmux("send-keys", "-t", self.name, "-l", line, check=True)
        tmux("send-keys", "-t", self.name, "Enter", check=True)

    def keys(self, *keys: str) -> None:
        for key in keys:
            tmux("send-keys", "-t", self.name, "-l", key, check=True)

    def screen(self) -> str:
        return str(tmux("capture-pane", "-p", "-t", self.name, check=True, capture_output=True).stdout)

    def wait_for(self, pattern: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if re.search(pattern, screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} did not appear within {timeout} s; the screen:\n{screen}")
            time.sleep(0.05)

    def close(self) -> None:
        tmux("kill-session", "-t", self.name, check=False, capture_output=True)


@pytest.fixture
def pane(tmp_path: Path):
    p = Pane(tmp_path)
    yield p
    p.close()


def test_a_meeting_on_the_stage_then_resumed_then_minuted(pane: Pane, tmp_path: Path) -> None:
    run = f"{RETREAT} run {AGENDA} --no-sound"
    pane.command(f"{run}; echo EXIT=$?")
    screen = pane.wait_for(r"Ready\. Press space to start\.")
    assert "First report" in screen and "Chen Jing" in screen and "Session: stage-e2e.retreat" in screen

    pane.keys(" ")  # start
    pane.wait_for(r"00:0[1-9] / 00:20")
    pane.keys(" ")  # pause
    pane.wait_for(r"PAUSED")
    pane.keys(" ")  # resume
    pane.wait_for(r"(?m)^ *━+")
    pane.keys("+")  # extend by a minute
    pane.wait_for(r"/ 01:20 \(\+01:00\)")
    pane.keys("t")  # tick a talking point
    pane.wait_for(r"\[x\] Last year")
    pane.keys("n")  # next item
    screen = pane.wait_for(r"2/2 +Remarks|2/2  Leader's remarks")
    assert "Second item" in screen

    pane.keys(" ")
    pane.wait_for(r"Time is almost up\.", timeout=15)  # warning at 10 s
    pane.wait_for(r"TIME IS UP", timeout=15)  # overtime at 20 s
    pane.keys("q")
    pane.wait_for(r"Quit\? Press y")
    pane.keys("y")
    screen = pane.wait_for(r"EXIT=0")
    assert "Session saved in stage-e2e.retreat" in screen

    pane.command(f"{run} --resume; echo EXIT=$?")
    screen = pane.wait_for(r"TIME IS UP")  # still in overtime: it kept counting
    assert "Second item" in screen
    pane.keys("a")
    pane.wait_for(r"OVERTIME \(alarm silenced\)")
    pane.keys("n")
    pane.wait_for(r"end the meeting\?")
    pane.keys("y")
    pane.wait_for(r"The meeting has ended")
    pane.keys("q", "y")
    pane.wait_for(r"EXIT=0.*\n(.*\n)*.*EXIT=0")

    minutes = subprocess.run(
        [str(RETREAT), "minutes", "stage-e2e.retreat"], cwd=tmp_path, check=True, capture_output=True, text=True
    ).stdout
    first = next(line for line in minutes.splitlines() if line.startswith("| 1 |"))
    second = next(line for line in minutes.splitlines() if line.startswith("| 2 |"))
    assert "| 00:20 | +01:00 |" in first and "done" in first  # planned, adjusted
    assert re.search(r"\*\*\+00:\d\d\*\*", second), second  # overtime flagged
    assert "1 over their time" in minutes


def test_ctrl_c_exits_130_and_keeps_the_session(pane: Pane, tmp_path: Path) -> None:
    pane.command(f"{RETREAT} run {AGENDA} --no-sound --ascii; echo EXIT=$?")
    screen = pane.wait_for(r"Ready\. Press space")
    assert "\u2588" not in screen and "#" in screen
    pane.keys(" ")
    pane.wait_for(r"00:0[1-9] / 00:20")
    tmux("send-keys", "-t", pane.name, "C-c", check=True)
    screen = pane.wait_for(r"EXIT=130")
    assert "--resume" in screen
    assert (tmp_path / "stage-e2e.retreat").exists()
