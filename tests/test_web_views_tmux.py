"""End to end: `retreat run --participate` in tmux, the podium timer in headless Chromium.

Space, `+`, a message key and `n` typed on the real stage change the page the tablet on the
lectern shows; the address comes from `retreat links`, as the facilitator would get it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.tmux import NEEDS_TMUX, RETREAT, Pane

CHROMIUM = os.environ.get("RETREAT_CHROMIUM", "/usr/bin/chromium")
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed (the test extra)")
if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)
EXE = CHROMIUM if Path(CHROMIUM).exists() else str(shutil.which("chromium"))

pytestmark = NEEDS_TMUX

AGENDA = """\
version: 1
meeting:
  title: 讲台计时测试
  language: zh-CN
departments:
  - {id: pgo, name: 党政办公室}
items:
  - {id: r1, kind: report, title: 党政办公室工作汇报, department: pgo, presenter: 陈静, limit: 7m}
  - {id: r2, kind: remarks, title: 领导点评, presenter: 王书记, limit: 5m}
"""


@pytest.fixture
def stage(tmp_path: Path) -> Iterator[tuple[Pane, str]]:
    (tmp_path / "podium.yaml").write_text(AGENDA, encoding="utf-8")
    pane = Pane(tmp_path, 100, 30)
    try:
        pane.command(f"{RETREAT} run podium.yaml --participate --host 127.0.0.1 --port 0 --no-sound; echo EXIT=$?")
        pane.wait_for("Press any key|按任意键")
        links = subprocess.run([str(RETREAT), "links", "podium.retreat", "--format", "json"], cwd=tmp_path,
                               capture_output=True, text=True, timeout=30, check=True)
        url = json.loads(links.stdout)["timer"]
        pane.keys("x")
        pane.wait_for("07:00")
        yield pane, url
    finally:
        pane.keys("q")
        pane.close()


def test_keys_on_the_stage_change_the_podium_page(stage: tuple[Pane, str]) -> None:
    pane, url = stage
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=EXE, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1024, "height": 768})
            page.goto(url)
            page.wait_for_selector("#page.ready")
            assert page.text_content("#title") == "党政办公室工作汇报"
            assert page.text_content("#digits") == "07:00"
            pane.keys(" ")  # start
            page.wait_for_selector("#page.running", timeout=10000)
            pane.keys("+")  # a minute more
            page.wait_for_selector("#digits:text-matches('^0(7:5|8:00)')", timeout=10000)
            pane.keys("1")  # a message to the speaker
            page.wait_for_selector("#msg:visible", timeout=10000)
            assert page.text_content("#msg") == "请抓紧时间"
            pane.keys("n")  # the next item: the message goes with the item
            page.wait_for_selector("#title:text('领导点评')", timeout=10000)
            page.wait_for_selector("#msg", state="hidden", timeout=10000)
            assert page.text_content("#who") == "王书记"
            assert page.text_content("#digits") == "05:00"
        finally:
            browser.close()
