"""Phone pages in headless Chromium (Debian's package, driven by Playwright; nothing downloaded).

Join, rank by tapping, submit, change, see "received"; ask a question; a closed vote refuses.
Screenshots at phone size are checked (size, not blank) and kept under the test's tmp dir.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from retreat import agenda as agenda_mod
from retreat.clock import FakeClock
from retreat.meeting import phone_codes
from retreat.meeting.engine import Cmd
from retreat.meeting.session import Session

CHROMIUM = os.environ.get("RETREAT_CHROMIUM", "/usr/bin/chromium")
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed (the test extra)")
if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

pytestmark = pytest.mark.slow  # a real browser: seconds per test

VOTE_AGENDA = Path(__file__).parent / "data" / "agendas" / "vote.yaml"
CODE = "PHNE2345"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Session]]:
    from retreat.web.gate import Gate
    from retreat.web.server import start

    s = Session.create(tmp_path / "v.retreat", agenda_mod.load(VOTE_AGENDA), FakeClock())
    s.handle(Cmd.ISSUE_CODES, {"salt": "s", "hashes": [phone_codes.hash_code(CODE, "s")], "group": "g1"})
    s.handle(Cmd.START)
    server = start(Gate(s), "127.0.0.1", 0)
    try:
        yield server.url, s
    finally:
        server.stop()
        s.close()


@pytest.fixture
def page(tmp_path: Path) -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
                                    args=["--no-sandbox"])
        try:
            context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
            yield context.new_page()
        finally:
            browser.close()


def shot(page: object, path: Path) -> Path:
    png = page.screenshot(path=str(path), full_page=False)  # type: ignore[attr-defined]
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (PHONE["width"], PHONE["height"])
    assert len(png) > 8000, "the screenshot looks blank"
    return path


def test_join_rank_submit_change_and_see_received(served: tuple[str, Session], page: object, tmp_path: Path) -> None:
    url, s = served
    p = page
    p.goto(url)  # type: ignore[attr-defined]
    p.fill("input[name=code]", "phne-2345")  # type: ignore[attr-defined]
    p.click("button[type=submit]")  # type: ignore[attr-defined]
    p.click("a.btn.primary")  # type: ignore[attr-defined]  # the open vote
    assert p.is_hidden("#typed")  # type: ignore[attr-defined]  # JS took over from the typed field
    for title in ("养老服务联盟", "社区食堂"):
        p.click(f"button.cand:has-text('{title}')")  # type: ignore[attr-defined]
    assert p.inner_text("#order").split("\n") == ["养老服务联盟", "社区食堂"]  # type: ignore[attr-defined]
    shot(p, tmp_path / "ballot-ranked.png")
    p.click("button.primary")  # type: ignore[attr-defined]
    p.wait_for_selector("#received")  # type: ignore[attr-defined]
    assert [b.ranking for b in s.state.vote().counted] == [("alliance", "canteen")]
    # the POST's answer is the page itself, filed under its own address: a reload reads it, sends nothing
    assert p.url.endswith("/vote?received=1")  # type: ignore[attr-defined]
    events = s.state.events  # how many the log holds
    with p.expect_request(lambda r: r.url.endswith("/vote?received=1")) as reloaded:  # type: ignore[attr-defined]
        p.reload()  # type: ignore[attr-defined]
    assert reloaded.value.method == "GET" and s.state.events == events
    p.wait_for_selector("#received")  # type: ignore[attr-defined]
    shot(p, tmp_path / "ballot-received.png")
    # change: the page shows the ranking as stored; start again and choose another
    assert p.inner_text("#order").split("\n") == ["养老服务联盟", "社区食堂"]  # type: ignore[attr-defined]
    p.click("#clear")  # type: ignore[attr-defined]
    p.click("button.cand:has-text('停车位改造')")  # type: ignore[attr-defined]
    p.click("button.primary")  # type: ignore[attr-defined]
    p.wait_for_selector("#received")  # type: ignore[attr-defined]
    assert [b.ranking for b in s.state.vote().counted] == [("parking",)]
    # ask a question
    p.click("a.btn[href='/']")  # type: ignore[attr-defined]
    p.click("a[href='/ask']")  # type: ignore[attr-defined]
    p.fill("textarea[name=text]", "社区食堂能否对80岁以上老人优惠？")  # type: ignore[attr-defined]
    p.click("button.primary")  # type: ignore[attr-defined]
    p.wait_for_selector("#received")  # type: ignore[attr-defined]
    assert [q.text for q in s.state.qa.proposals.values()] == ["社区食堂能否对80岁以上老人优惠？"]
    shot(p, tmp_path / "question-received.png")
    # the vote closes: the phone is refused with a clear page
    s.handle(Cmd.REVEAL, {"scope": "all", "seed": 7})
    response = p.goto(url + "vote")  # type: ignore[attr-defined]
    assert response.status == 403
    assert p.is_visible(".card.err")  # type: ignore[attr-defined]
    shot(p, tmp_path / "vote-closed.png")
    keep_screenshots(tmp_path)


def keep_screenshots(folder: Path) -> None:
    keep = os.environ.get("RETREAT_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for png in folder.glob("*.png"):
            shutil.copy(png, Path(keep) / png.name)


def test_a_pin_meeting_lets_each_phone_in_from_the_qr_link(page: object, tmp_path: Path) -> None:
    """`meeting.join: pin`: the QR code's link fills the PIN in; one tap joins; each phone
    (not each person) has one ballot, in the working group it chooses."""
    from retreat.web.gate import Gate
    from retreat.web.server import start

    text = VOTE_AGENDA.read_text(encoding="utf-8").replace("meeting:\n", "meeting:\n  join: pin\n", 1)
    s = Session.create(tmp_path / "pin.retreat", agenda_mod.loads(text, "pin.yaml"), FakeClock())
    s.handle(Cmd.SET_PIN, "482913")
    s.handle(Cmd.START)
    server = start(Gate(s), "127.0.0.1", 0)
    try:
        p = page
        p.goto(server.url + "?pin=482913")  # type: ignore[attr-defined]
        assert p.input_value("input[name=code]") == "482913"  # type: ignore[attr-defined]
        shot(p, tmp_path / "pin-join.png")
        p.click("button[type=submit]")  # type: ignore[attr-defined]
        p.click("a.btn.primary")  # type: ignore[attr-defined]
        p.click("button.cand:has-text('社区客厅')")  # type: ignore[attr-defined]
        p.select_option("select[name=group]", "g2")  # type: ignore[attr-defined]
        p.click("button.primary")  # type: ignore[attr-defined]
        p.wait_for_selector("#received")  # type: ignore[attr-defined]
        shot(p, tmp_path / "pin-ballot-received.png")
        p.goto(server.url + "vote")  # type: ignore[attr-defined]  # the same phone again: its own ballot
        assert p.inner_text("select[name=group]") == "第二组"  # type: ignore[attr-defined]
        p.click("#clear")  # type: ignore[attr-defined]
        p.click("button.cand:has-text('社区食堂')")  # type: ignore[attr-defined]
        p.click("button.primary")  # type: ignore[attr-defined]
        p.wait_for_selector("#received")  # type: ignore[attr-defined]
        assert [(b.group, b.ranking) for b in s.state.vote().counted] == [("g2", ("canteen",))]
        keep_screenshots(tmp_path)
    finally:
        server.stop()
        s.close()
