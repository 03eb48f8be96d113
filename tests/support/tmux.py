"""A private tmux server for the tests that need a real terminal: they type keys and read the screen.

Every wait polls `capture-pane` with a deadline: no fixed sleeps, so a loaded machine only makes
these tests slower, never red.
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

RETREAT = Path(sys.executable).parent / "retreat"

# Module-level `pytestmark` of every tmux test: a real terminal is slow, and absent on some machines.
NEEDS_TMUX = [
    pytest.mark.slow,
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
    def __init__(self, cwd: Path, width: int = 100, height: int = 30, env: tuple[str, ...] = ()) -> None:
        self.name = f"retreat-e2e-{uuid.uuid4().hex[:8]}"
        self.cwd = cwd
        tmux("new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height), "-c", str(cwd),
             "env", "LANG=C.UTF-8", "TERM=xterm-256color", *env, "sh", check=True)  # fmt: skip

    def colours(self) -> str:
        """The screen with its colours (SGR escapes), as `capture-pane -e` gives it."""
        return str(tmux("capture-pane", "-e", "-p", "-t", self.name, check=True, capture_output=True).stdout)

    def command(self, line: str) -> None:
        tmux("send-keys", "-t", self.name, "-l", line, check=True)
        tmux("send-keys", "-t", self.name, "Enter", check=True)

    def keys(self, *keys: str) -> None:
        for key in keys:
            tmux("send-keys", "-t", self.name, "-l", key, check=True)

    def special(self, *keys: str) -> None:
        """Named keys (Enter, Down, Escape), not text."""
        tmux("send-keys", "-t", self.name, *keys, check=True)

    def screen(self) -> str:
        return str(tmux("capture-pane", "-p", "-t", self.name, check=True, capture_output=True).stdout)

    def wait_for(self, pattern: str, timeout: float = 60.0) -> str:
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

