"""The phones' QR code in a real terminal (tmux, 120x40): `retreat run --participate --port 0`
on a PIN meeting's vote, the code beside the board, then `j` for the join screen; each time
the pane is captured with its colours (`capture-pane -e`), the code's modules are rebuilt
from the half blocks and their colours, and zbarimg decodes them into the join address.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from support.tmux import NEEDS_TMUX, RETREAT, Pane

pytestmark = [*NEEDS_TMUX, pytest.mark.skipif(shutil.which("zbarimg") is None,
                                              reason="zbarimg is not installed (.ci/run installs zbar-tools)")]  # fmt: skip

AGENDA = """\
version: 1
meeting: {title: Phones vote, language: en, join: pin}
items:
  - id: v
    kind: vote
    title: Projects for next year
    limit: 5m
    seats: 2
    ranks: 3
    candidates:
      - {id: a, title: 社区食堂}
      - {id: b, title: 老楼加装电梯协调服务}
      - {id: c, title: Parking}
      - {id: d, title: Living room}
"""
SGR = re.compile(r"\x1b\[([0-9;]*)m")
UPPER_HALF = "\u2580"


def _luminance(params: list[int]) -> tuple[int | None, list[int]]:
    """A colour (as 0-255 grey level) from the parameters after 38/48, and what follows it."""
    if params[0] == 5:
        n = params[1]
        if n < 16:
            level = {0: 0, 7: 192, 8: 128, 15: 255}.get(n, 128 if n < 8 else 200)
        elif n < 232:
            n -= 16
            r, g, b = n // 36, (n // 6) % 6, n % 6
            level = round(sum((0, 95, 135, 175, 215, 255)[c] for c in (r, g, b)) / 3)
        else:
            level = 8 + 10 * (n - 232)
        return level, params[2:]
    r, g, b = params[1:4]
    return round((r + g + b) / 3), params[4:]


def screen_cells(ansi: str) -> list[list[tuple[str, int | None, int | None]]]:
    """Each row of the pane as (character, foreground grey, background grey); None is the default."""
    rows = []
    for line in ansi.split("\n"):
        fg: int | None = None
        bg: int | None = None
        row = []
        at = 0
        for match in [*SGR.finditer(line), None]:
            end = match.start() if match else len(line)
            row += [(ch, fg, bg) for ch in line[at:end]]
            if match is None:
                break
            at = match.end()
            params = [int(p) if p else 0 for p in match.group(1).split(";")]
            while params:
                p, params = params[0], params[1:]
                if p == 0:
                    fg = bg = None
                elif p in (38, 48):
                    level, params = _luminance(params)
                    fg, bg = (level, bg) if p == 38 else (fg, level)
                elif p == 39:
                    fg = None
                elif p == 49:
                    bg = None
                elif 30 <= p <= 37 or 90 <= p <= 97:
                    fg = 0 if p == 30 else 255
                elif 40 <= p <= 47 or 100 <= p <= 107:
                    bg = 0 if p == 40 else 255
        rows.append(row)
    return rows


def code_pixels(ansi: str) -> list[list[bool]]:
    """The code as pixels (dark True): per row, the run of half blocks in explicit black or white."""
    pixels = []
    for row in screen_cells(ansi):
        run: list[tuple[bool, bool]] = []
        for ch, fg, bg in row:
            if ch == UPPER_HALF and fg in (0, 255) and bg in (0, 255):
                run.append((fg == 0, bg == 0))
            elif run:
                break
        if len(run) >= 21 + 4:
            pixels += [[top for top, _b in run], [bottom for _t, bottom in run]]
    return pixels


def decode(pixels: list[list[bool]], tmp_path: Path, dot: int = 4) -> str:
    """zbarimg on a PGM written by hand: each pixel a `dot` square, a black margin (a dark terminal)."""
    pad = 8 * dot
    width = len(pixels[0]) * dot + 2 * pad
    lines = [bytes(width)] * pad
    for row in pixels:
        line = bytes(pad) + b"".join(bytes([0 if dark else 255]) * dot for dark in row) + bytes(pad)
        lines += [line] * dot
    lines += [bytes(width)] * pad
    path = tmp_path / f"screen-{uuid.uuid4().hex[:6]}.pgm"
    path.write_bytes(f"P5\n{width} {len(lines)}\n255\n".encode() + b"".join(lines))
    out = subprocess.run(["zbarimg", "--quiet", "--raw", str(path)], capture_output=True, text=True)
    return out.stdout.strip()


@pytest.fixture
def pane(tmp_path: Path):
    # An exported COLUMNS/LINES (a tmux server keeps the environment of whoever started it)
    # must not shrink the stage: it measures the 120x40 window itself.
    p = Pane(tmp_path, 120, 40, env=("COLUMNS=80", "LINES=24"))
    yield p
    p.close()


def test_the_code_on_the_board_and_on_the_join_screen_scans(pane: Pane, tmp_path: Path) -> None:
    (tmp_path / "pin-vote.yaml").write_text(AGENDA, encoding="utf-8")
    pane.command(f"{RETREAT} run pin-vote.yaml --participate --port 0 --no-sound; echo EXIT=$?")
    screen = pane.wait_for(r"Press any key to open the stage", timeout=60)
    url = re.search(r"open (http://\S+/)", screen)
    pin = re.search(r"PIN for this meeting: (\d+)", screen)
    assert url and pin, screen
    join = f"{url.group(1)}?pin={pin.group(1)}"
    pane.keys("x")

    screen = pane.wait_for(r"Scan to vote from your phone")
    assert f"PIN {pin.group(1)}" in screen and "1 社区食堂" in screen and "j: QR code" not in screen
    pixels = code_pixels(pane.colours())
    assert decode(pixels, tmp_path) == join
    assert len(pixels[0]) < 60  # the board keeps most of the width

    pane.keys("j")
    screen = pane.wait_for(r"Join from your phone")
    assert url.group(1) in screen and f"PIN {pin.group(1)}" in screen
    assert "0 ballots from phones in this vote so far" in screen
    pixels = code_pixels(pane.colours())
    assert decode(pixels, tmp_path) == join
    assert len(pixels[0]) >= 2 * 25  # drawn larger than on the board (scale 2 at 120x40)

    pane.keys("j")
    pane.wait_for(r"Scan to vote from your phone")
    pane.keys("q", "y")
    pane.wait_for(r"EXIT=0")
