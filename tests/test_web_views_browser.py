"""The room's screens in headless Chromium (Debian's package; nothing downloaded), on a real server.

The podium's digits fill the screen as the issue asks, a key on the stage reaches the page,
the page says 连接中断 when the laptop goes quiet and comes back by itself. (Chromium's own
--dump-dom cannot serve here: it dumps at the load event, before the first event arrives, and
with --virtual-time-budget the open stream keeps virtual time from ever running out.)
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.room import TOKEN, scene

from retreat import i18n
from retreat.meeting.engine import Cmd
from retreat.meeting.session import Session
from retreat.web.gate import Gate
from retreat.web.server import Server, start

CHROMIUM = os.environ.get("RETREAT_CHROMIUM", "/usr/bin/chromium")
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed (the test extra)")
if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)
EXE = CHROMIUM if Path(CHROMIUM).exists() else str(shutil.which("chromium"))

pytestmark = pytest.mark.slow  # a real browser and a real server: seconds per test


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Server, Session, Gate]]:
    session = scene(tmp_path, "zh-CN", "report")  # 42 s left, the warning, 请总结 sent
    gate = Gate(session)
    server = start(gate, "127.0.0.1", 0)
    try:
        yield server, session, gate
    finally:
        if server.thread.is_alive():  # a test may have stopped it already
            server.stop()
        session.close()
        i18n.set_language("en")


@pytest.fixture
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=EXE, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


def box(page: object) -> tuple[float, float]:
    w, h = page.eval_on_selector("#digits", "e => [e.getBoundingClientRect().width, e.getBoundingClientRect().height]")  # type: ignore[attr-defined]
    return float(w), float(h)


@pytest.mark.parametrize("size", [(1024, 768), (390, 844)])
def test_the_podium_digits_fill_the_screen(served: tuple[Server, Session, Gate], browser: object,
                                           size: tuple[int, int]) -> None:
    server, _session, _gate = served
    width, height = size
    page = browser.new_page(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
    page.goto(f"{server.url}timer?v={TOKEN}")
    page.wait_for_selector("#title:not(:empty)", state="attached")
    page.wait_for_selector("#page.warning")
    w, h = box(page)
    # The digits' box reaches 90% of the width or 40% of the height, whichever comes first.
    assert w <= 0.9 * width + 2 and h <= 0.4 * height + 2
    assert w >= 0.88 * width or h >= 0.39 * height, (w, h)
    assert page.text_content("#title") == "党政办公室工作汇报"
    assert page.text_content("#who") == "陈静 · 党政办公室"
    assert page.is_visible("#msg") and page.text_content("#msg") == "请总结"
    assert page.text_content("#digits") in ("00:42", "00:41", "00:40")
    assert page.text_content("#next").startswith("下一项")
    assert page.is_hidden("#lost")


def test_a_key_on_the_stage_changes_the_podium_and_a_quiet_laptop_is_noticed(
        served: tuple[Server, Session, Gate], browser: object) -> None:
    server, _session, gate = served
    page = browser.new_page(viewport={"width": 1024, "height": 768})  # type: ignore[attr-defined]
    page.goto(f"{server.url}timer?v={TOKEN}")
    page.wait_for_selector("#page.warning")
    gate.run(lambda s: s.handle(Cmd.ADJUST, 60))  # + on the stage: a minute more
    page.wait_for_selector("#page.running", timeout=5000)
    assert page.text_content("#digits").startswith("01:4")
    gate.run(lambda s: s.handle(Cmd.MESSAGE, 0))
    page.wait_for_selector("#msg", state="hidden", timeout=5000)
    gate.run(lambda s: s.handle(Cmd.NEXT))
    page.wait_for_selector("#page.ready", timeout=5000)
    assert "经济发展办公室" in page.text_content("#title")
    port = server.port
    server.stop()  # the laptop goes quiet
    page.wait_for_selector("#lost", state="visible", timeout=15000)
    assert page.text_content("#lost") == "连接中断"
    again = start(gate, "127.0.0.1", port)  # the same address after a restart
    try:
        page.wait_for_selector("#lost", state="hidden", timeout=20000)
        assert "经济发展办公室" in page.text_content("#title")
    finally:
        again.stop()


def test_every_view_draws_in_chromium(served: tuple[Server, Session, Gate], browser: object) -> None:
    server, _session, _gate = served
    page = browser.new_page(viewport={"width": 390, "height": 844})  # type: ignore[attr-defined]
    page.goto(f"{server.url}agenda?v={TOKEN}")
    page.wait_for_selector("#rows li.cur")
    assert "党政办公室工作汇报" in page.text_content("#rows li.cur")
    assert page.text_content("#sched")
    page.goto(f"{server.url}stage?v={TOKEN}")
    page.wait_for_selector("#page.warning")
    page.keyboard.press("n")  # keys typed in the page do nothing
    page.keyboard.press(" ")
    assert page.text_content("#title") == "党政办公室工作汇报"
    assert _session.state.current == 1 and _session.state.item.timer.running



def test_overtime_is_red_and_the_screen_flashes_like_the_stage(served: tuple[Server, Session, Gate],
                                                               browser: object) -> None:
    server, _session, gate = served
    page = browser.new_page(viewport={"width": 1024, "height": 768})  # type: ignore[attr-defined]
    page.goto(f"{server.url}timer?v={TOKEN}")
    page.wait_for_selector("#page.warning")
    gate.run(lambda s: s.handle(Cmd.ADJUST, -60))  # - on the stage: 42 s left becomes 18 s over
    page.wait_for_selector("#page.overtime", timeout=5000)
    assert page.text_content("#digits").startswith("+00:1")
    assert page.text_content("#label") == "超时"
    page.wait_for_selector("body.flash", timeout=3000)  # lit half of every second, as on the stage
    page.wait_for_selector("body:not(.flash)", timeout=3000)
    red = page.eval_on_selector("body", "b => getComputedStyle(b).backgroundColor")
    assert red == "rgb(0, 0, 0)"
    gate.run(lambda s: (s.tick(), s.handle(Cmd.SILENCE)))  # the time-up alarm rings; a silences the alarm: no more flash, still red digits
    page.wait_for_timeout(1500)
    assert page.eval_on_selector("body", "b => b.classList.contains('flash')") is False
    assert page.eval_on_selector("#digits", "d => getComputedStyle(d).color") == "rgb(255, 69, 58)"
