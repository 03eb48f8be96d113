"""A vote on the stage in a real terminal (tmux, 80x24, Chinese titles): ballots typed in
by number (one refused, one undone), per-group results, the overall result, then the
minutes and `retreat results` report what the room saw."""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

import pytest
from support.tmux import NEEDS_TMUX, RETREAT, Pane, tmux

AGENDA = Path(__file__).parent / "data" / "agendas" / "vote-stage.yaml"

pytestmark = NEEDS_TMUX


class SmallPane(Pane):
    """A projector-sized pane: 80x24."""

    def __init__(self, cwd: Path) -> None:
        self.name = f"retreat-vote-{uuid.uuid4().hex[:8]}"
        self.cwd = cwd
        tmux("new-session", "-d", "-s", self.name, "-x", "80", "-y", "24", "-c", str(cwd),
             "env", "LANG=C.UTF-8", "TERM=xterm-256color", "sh", check=True)  # fmt: skip

    def line(self, text: str) -> None:
        """Type a ballot line and Enter."""
        tmux("send-keys", "-t", self.name, "-l", text, check=True)
        tmux("send-keys", "-t", self.name, "Enter", check=True)

    def special(self, key: str) -> None:
        tmux("send-keys", "-t", self.name, key, check=True)


@pytest.fixture
def pane(tmp_path: Path):
    p = SmallPane(tmp_path)
    yield p
    p.close()


def test_ballots_by_keyboard_reveal_and_minutes(pane: SmallPane, tmp_path: Path) -> None:
    pane.command(f"{RETREAT} run {AGENDA} --no-sound --lang en; echo EXIT=$?")
    screen = pane.wait_for(r"6 老楼加装电梯协调服务")
    assert "民生实事项目推荐" in screen and "1 社区食堂" in screen and "4 “民愿民规”社区微更新项目" in screen
    assert "第一组 0/4" in screen and "第二组 0/3" in screen

    pane.keys("b")
    pane.wait_for(r"Working group\? 1 第一组  2 第二组")
    pane.keys("1")
    pane.wait_for(r"第一组 > _")
    pane.line("1 2 3")
    pane.wait_for(r"Ballot #1 \(第一组\): 1 2 3")
    pane.line("1 9")  # refused: no candidate 9
    pane.wait_for(r"Not counted: 1 9 \(9 is not a candidate number \(1 to 6\)\)")
    pane.line("2 1 4")
    pane.wait_for(r"Ballot #2 \(第一组\): 2 1 4")
    pane.keys("u")
    pane.wait_for(r"Undone: Ballot #2")
    pane.line("2 1")
    pane.wait_for(r"Ballot #2 \(第一组\): 2 1")
    pane.keys("g", "2")
    pane.wait_for(r"第二组 > _")
    pane.line("3 1 2")
    pane.line("2 3")
    pane.wait_for(r"Ballot #4 \(第二组\): 2 3")
    pane.special("Escape")
    screen = pane.wait_for(r"4 ballots in")
    assert "第一组 2/4" in screen and "第二组 2/3" in screen and "hidden until they are revealed" in screen

    pane.keys("v")
    pane.wait_for(r"Close voting and reveal")
    pane.keys("v")
    screen = pane.wait_for(r"Result of 第一组")
    assert "top" in screen
    pane.keys("v")
    pane.wait_for(r"Result of 第二组")
    pane.keys("v")
    # m = 6: living-room 5+6+4+6 = 21, canteen 6+5+5 = 16, elderly 4+6+5 = 15
    screen = pane.wait_for(r"Chosen: 社区客厅, 社区食堂")
    assert "Overall result: Borda points; 4 ballots" in screen
    assert "21 chosen" in screen and "16 chosen" in screen and "\u2588" in screen
    pane.keys("q", "y")
    pane.wait_for(r"EXIT=0")

    session = tmp_path / "vote-stage.retreat"
    minutes = subprocess.run([str(RETREAT), "minutes", str(session)], cwd=tmp_path, check=True,
                             capture_output=True, text=True).stdout  # fmt: skip
    chosen = [line for line in minutes.splitlines() if "社区客厅" in line and "社区食堂" in line
              and "养老服务联盟" not in line]  # fmt: skip
    assert chosen, minutes
    results = subprocess.run([str(RETREAT), "results", str(session), "projects", "--format", "json"],
                             cwd=tmp_path, check=True, capture_output=True, text=True).stdout  # fmt: skip
    assert json.loads(results)["winners"] == ["社区客厅", "社区食堂"]
