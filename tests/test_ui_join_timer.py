"""The `j` screen's second code: Tab switches between the phones' join code and the podium
timer's (what the tablet on the lectern opens), and the screen says which one it shows."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from rich.segment import Segment
from support.qrcodes import decode, needs_zbar
from support.stage import Desk

from retreat.meeting.session import Session
from retreat.ui.join import JoinScreen
from retreat.ui.stage import StageOptions

URL = "http://192.168.1.23:8765/"
JOIN = URL + "?pin=482913"
TIMER = URL + "timer?v=Zx0-_abcdefghijKLMNOPq"
PHONES = StageOptions(phones=URL, join_url=JOIN, pin="482913", timer_url=TIMER)


def lines(desk: Desk, width: int = 120, height: int = 40) -> list[list[Segment]]:
    renderable = desk.loop.desk.frame(desk.loop.view(), desk.loop.options)
    assert isinstance(renderable, JoinScreen)
    console = Console(file=io.StringIO(), width=width, height=height, color_system="truecolor")
    return renderable.frame_lines(console, console.options.update(width=width, height=height))


def text(drawn: list[list[Segment]]) -> str:
    return "\n".join("".join(s.text for s in line) for line in drawn)


def opened(vs: Session, options: StageOptions = PHONES) -> Desk:
    desk = Desk(vs)
    desk.loop.options = options
    desk.loop.on_key("j")
    assert desk.loop.join
    return desk


def test_tab_shows_the_timer_address_and_says_which_code_is_shown(vs: Session) -> None:
    desk = opened(vs)
    first = text(lines(desk))
    assert "Join from your phone" in first and "Tab: the podium timer's code" in first and "PIN 482913" in first
    desk.loop.on_key("c-i")
    second = text(lines(desk))
    assert "Podium timer: the speaker's screen" in second and TIMER in text(lines(desk, 200, 60))
    assert "Tab: the phones' join code" in second and "j or Esc: back to the stage" in second
    assert "Join from your phone" not in second and "PIN 482913" not in second
    assert "10:00" in second.splitlines()[0]  # the countdown stays on the first line
    desk.loop.on_key("c-i")
    assert "Join from your phone" in text(lines(desk))
    desk.loop.on_key("c-i")
    desk.loop.on_key("j")  # closed on the timer's code, opened again on the phones' code
    desk.loop.on_key("j")
    assert "Join from your phone" in text(lines(desk))


def test_tab_repaints_though_the_view_did_not_change(vs: Session) -> None:
    desk = opened(vs)
    assert desk.loop.draw()
    assert not desk.loop.draw()
    desk.loop.on_key("c-i")
    assert desk.loop.draw()


def test_tab_off_the_join_screen_says_what_it_does(vs: Session) -> None:
    desk = Desk(vs)
    desk.loop.options = PHONES
    desk.loop.on_key("c-i")
    assert not desk.loop.join and "press j first" in desk.loop.view().message
    desk = Desk(vs)  # no phones: the same sentence as j's
    desk.loop.on_key("c-i")
    assert "Phones are not on" in desk.loop.view().message


def test_without_a_timer_address_there_is_one_code_and_no_tab_sentence(vs: Session) -> None:
    desk = opened(vs, StageOptions(phones=URL, join_url=JOIN, pin="482913"))
    desk.loop.on_key("c-i")
    shown = text(lines(desk))
    assert "Join from your phone" in shown and "Tab" not in shown


@needs_zbar
def test_zbarimg_reads_the_timer_address_after_tab_and_the_join_address_before(vs: Session, tmp_path: Path) -> None:
    desk = opened(vs)
    assert decode(lines(desk), tmp_path) == JOIN
    desk.loop.on_key("c-i")
    for width, height in ((80, 24), (120, 40)):
        assert decode(lines(desk, width, height), tmp_path) == TIMER
