"""The facilitator's message to the speaker in a real terminal (tmux, 80x24): 2 shows it in the
top right corner, 0 clears it, and the minutes count it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from support.tmux import NEEDS_TMUX, RETREAT, Pane

AGENDA = Path(__file__).parent / "data" / "agendas" / "stage-e2e.yaml"

pytestmark = NEEDS_TMUX


@pytest.fixture
def pane(tmp_path: Path):
    p = Pane(tmp_path, width=80, height=24)
    yield p
    p.close()


def test_2_shows_a_message_to_the_speaker_and_0_clears_it(pane: Pane, tmp_path: Path) -> None:
    pane.command(f"{RETREAT} run {AGENDA} --no-sound; echo EXIT=$?")
    pane.wait_for(r"Ready\. Press space to start\.")
    pane.keys(" ")
    pane.wait_for(r"00:0[1-9] / 00:20")
    pane.keys("2")
    screen = pane.wait_for(r"Please sum up")
    header = screen.splitlines()[0]
    assert "Please sum up" in header and header.rstrip().endswith(header.rstrip()[-5:])  # top line, clock kept
    assert header.index("Please sum up") > 40  # the right-hand corner
    pane.keys("0")
    screen = pane.wait_for(r"^(?![\s\S]*Please sum up)")
    assert "Please sum up" not in screen
    pane.keys("q")
    pane.wait_for(r"Quit\? Press y")
    pane.keys("y")
    pane.wait_for(r"EXIT=0")

    minutes = subprocess.run(
        [str(RETREAT), "minutes", "stage-e2e.retreat"], cwd=tmp_path, check=True, capture_output=True, text=True
    ).stdout
    assert minutes.count("the speaker was prompted 1 time") == 1
