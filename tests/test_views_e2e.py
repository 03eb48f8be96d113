"""End to end: `retreat run --participate` in a real terminal (tmux), the podium timer in
headless Chromium (Debian's package, driven by Playwright) and a plain event-stream client.

Space, `+`, a message key and `n` typed on the stage change what the podium page shows; the
stream says exactly what changed (state, limit, message, item). The address comes from
`retreat links`, as a facilitator would get it.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from support.tmux import NEEDS_TMUX, RETREAT, Pane

CHROMIUM = os.environ.get("RETREAT_CHROMIUM", "/usr/bin/chromium")
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed (the test extra)")
if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

pytestmark = NEEDS_TMUX  # slow: a terminal, a server and a browser

AGENDA = """version: 1
meeting: {title: 讲台计时演练, language: zh-CN}
items:
  - {id: pgo, kind: report, title: 党政办公室工作汇报, presenter: 陈静, limit: 7m}
  - {id: bdo, kind: report, title: 经济发展办公室工作汇报, presenter: 赵海涛, limit: 5m}
"""
Event = dict[str, Any]


class Stream:
    """The podium timer's event stream, read in a thread: every `data:` object, in order."""

    def __init__(self, url: str) -> None:
        parts = urllib.parse.urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
        self.conn.request("GET", f"{parts.path}/events?{parts.query}", headers={"Accept": "text/event-stream"})
        answer = self.conn.getresponse()
        assert answer.status == 200 and answer.getheader("Content-Type", "").startswith("text/event-stream")
        self.events: list[Event] = []
        self.seen = 0
        self.changed = threading.Condition()
        threading.Thread(target=self._read, args=(answer,), daemon=True).start()

    def _read(self, answer: http.client.HTTPResponse) -> None:
        try:
            while line := answer.readline():
                if line.startswith(b"data:"):
                    with self.changed:
                        self.events.append(json.loads(line[5:]))
                        self.changed.notify_all()
        except (OSError, ValueError, AttributeError):  # closed at the end of the test (http.client drops its fp)
            pass

    def next(self, wanted: Callable[[Event], bool], timeout: float = 30.0) -> Event:
        """The first event after the last one returned that `wanted` accepts."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for i in range(self.seen, len(self.events)):
                    if wanted(self.events[i]):
                        self.seen = i + 1
                        return self.events[i]
                self.seen = len(self.events)
                left = deadline - time.monotonic()
                assert left > 0, f"no such event within {timeout} s; heard: {self.events[-3:]}"
                self.changed.wait(left)

    def close(self) -> None:
        self.conn.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def stage(tmp_path: Path) -> Iterator[Pane]:
    (tmp_path / "podium.yaml").write_text(AGENDA, encoding="utf-8")
    pane = Pane(tmp_path)
    try:
        pane.command(f"{RETREAT} run podium.yaml --no-sound --lang en --participate --host 127.0.0.1 "
                     f"--port {free_port()}")
        pane.wait_for("Press any key to open the stage")
        pane.keys("x")
        pane.wait_for("Ready. Press space")
        yield pane
    finally:
        pane.close()


@pytest.fixture
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
                                     args=["--no-sandbox"])
        try:
            yield chromium.new_context(viewport={"width": 1024, "height": 768}).new_page()
        finally:
            chromium.close()


def shows(page: Any, what: Callable[[], bool], timeout: float = 30.0) -> None:
    """Polled from here: the page's CSP (rightly) forbids the eval wait_for_function needs."""
    deadline = time.monotonic() + timeout
    while not what():
        assert time.monotonic() < deadline, page.inner_text("body")
        time.sleep(0.05)


def text(page: Any, element: str) -> str:
    return str(page.text_content(f"#{element}") or "")


def state(page: Any) -> str:
    return str(page.get_attribute("#page", "data-state"))


def test_space_plus_a_message_and_n_on_the_stage_change_the_podium_page(stage: Pane, browser: Any,
                                                                       tmp_path: Path) -> None:
    links = json.loads(subprocess.run([str(RETREAT), "links", "podium.retreat", "--format", "json"], cwd=tmp_path,
                                      check=True, capture_output=True, text=True).stdout)
    stream = Stream(links["timer"])
    try:
        first = stream.next(lambda e: True)
        assert (first["item"], first["state"], first["limit"], first["message"]) == ("pgo", "ready", 420, None)
        page = browser
        page.goto(links["timer"])
        shows(page, lambda: text(page, "title") == "党政办公室工作汇报")
        assert text(page, "digits") == "07:00" and state(page) == "ready"
        assert "陈静" in text(page, "who") and page.is_hidden("#msg") and page.is_hidden("#lost")

        stage.keys(" ")
        assert stream.next(lambda e: e["state"] == "running")["item"] == "pgo"
        shows(page, lambda: state(page) == "running")
        shows(page, lambda: re.fullmatch(r"06:5\d", text(page, "digits")) is not None)  # the page counts down

        stage.keys("+")
        assert stream.next(lambda e: e["limit"] != 420)["limit"] == 480
        shows(page, lambda: re.fullmatch(r"07:5\d", text(page, "digits")) is not None)

        stage.keys("1")
        message = stream.next(lambda e: e["message"] is not None)["message"]
        assert message  # the agenda's first message, in its language
        shows(page, lambda: page.is_visible("#msg") and text(page, "msg") == message)

        stage.keys("n")
        after = stream.next(lambda e: e["item"] == "bdo")
        assert (after["state"], after["limit"], after["message"]) == ("ready", 300, None)
        shows(page, lambda: text(page, "title") == "经济发展办公室工作汇报")
        shows(page, lambda: page.is_hidden("#msg") and text(page, "digits") == "05:00")
        assert state(page) == "ready" and "赵海涛" in text(page, "who")
        page.screenshot(path=str(tmp_path / "podium-timer-1024x768.png"))
    finally:
        stream.close()
    stage.keys("q")
    stage.wait_for("Quit\\?")
    stage.keys("y")
    stage.wait_for("Session saved in")


def test_j_then_tab_on_the_real_stage_shows_the_podium_timers_code_and_address(stage: Pane, tmp_path: Path) -> None:
    links = json.loads(subprocess.run([str(RETREAT), "links", "podium.retreat", "--format", "json"], cwd=tmp_path,
                                      check=True, capture_output=True, text=True).stdout)
    stage.keys("j")
    stage.wait_for("Tab: the podium timer's code")
    stage.special("Tab")  # prompt_toolkit reports it as c-i
    screen = stage.wait_for("Podium timer: the speaker's screen")
    assert links["timer"] in screen  # at 100x30 the address fits beside the code on one line
    assert "Tab: the phones' join code" in screen
    stage.special("Tab")
    stage.wait_for("Join from your phone")
