"""Render a tmux pane (what the projector shows) to a PNG, colours and CJK included.

    python scripts/term_shot.py SOCKET TARGET OUT.png

Reads `tmux -L SOCKET capture-pane -e -p -t TARGET` and paints each cell with a CJK
monospace font (Debian's fonts-noto-cjk). A development aid for the README's pictures
and for looking at the stage without a screen; needs Pillow.
"""

from __future__ import annotations

import re
import subprocess
import sys

from PIL import Image, ImageDraw, ImageFont
from rich.cells import cell_len

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
CELL_W, CELL_H = 10, 20
BASIC = [(0, 0, 0), (205, 49, 49), (13, 188, 121), (229, 229, 16), (36, 114, 200), (188, 63, 188),
         (17, 168, 205), (229, 229, 229)]
BRIGHT = [(102, 102, 102), (241, 76, 76), (35, 209, 139), (245, 245, 67), (59, 142, 234), (214, 112, 214),
          (41, 184, 219), (255, 255, 255)]
FG, BG = (229, 229, 229), (24, 24, 24)
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def xterm256(n: int) -> tuple[int, int, int]:
    if n < 8:
        return BASIC[n]
    if n < 16:
        return BRIGHT[n - 8]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return steps[n // 36], steps[(n // 6) % 6], steps[n % 6]
    grey = 8 + (n - 232) * 10
    return grey, grey, grey


def apply(params: list[int], state: dict[str, object]) -> None:
    i = 0
    while i < len(params):
        p = params[i]
        if p == 0:
            state.update(fg=FG, bg=BG, bold=False, reverse=False)
        elif p == 1:
            state["bold"] = True
        elif p == 7:
            state["reverse"] = True
        elif p == 22:
            state["bold"] = False
        elif p == 27:
            state["reverse"] = False
        elif 30 <= p <= 37:
            state["fg"] = BASIC[p - 30]
        elif 90 <= p <= 97:
            state["fg"] = BRIGHT[p - 90]
        elif 40 <= p <= 47:
            state["bg"] = BASIC[p - 40]
        elif 100 <= p <= 107:
            state["bg"] = BRIGHT[p - 100]
        elif p == 39:
            state["fg"] = FG
        elif p == 49:
            state["bg"] = BG
        elif p in (38, 48) and i + 1 < len(params):
            key = "fg" if p == 38 else "bg"
            if params[i + 1] == 5 and i + 2 < len(params):
                state[key] = xterm256(params[i + 2])
                i += 2
            elif params[i + 1] == 2 and i + 4 < len(params):
                state[key] = tuple(params[i + 2:i + 5])
                i += 4
        i += 1


def render(ansi: str, width: int, height: int) -> Image.Image:
    img = Image.new("RGB", (width * CELL_W, height * CELL_H), BG)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 16, index=2)  # index 2: Noto Sans Mono CJK SC
    state: dict[str, object] = {"fg": FG, "bg": BG, "bold": False, "reverse": False}
    for row, line in enumerate(ansi.split("\n")[:height]):
        col, pos = 0, 0
        glyphs: list[tuple[int, int, str, object]] = []  # drawn after the row's backgrounds: wide glyphs overhang
        for m in SGR.finditer(line + "\x1b[m"):
            for ch in line[pos:m.start()]:
                w = max(1, cell_len(ch))
                fg, bg = state["fg"], state["bg"]
                if state["reverse"]:
                    fg, bg = bg, fg
                x, y = col * CELL_W, row * CELL_H
                draw.rectangle([x, y, x + w * CELL_W - 1, y + CELL_H - 1], fill=bg)  # type: ignore[arg-type]
                if ch == "\u2580":  # upper half block: the QR code's modules, drawn exactly
                    draw.rectangle([x, y, x + CELL_W - 1, y + CELL_H // 2 - 1], fill=fg)  # type: ignore[arg-type]
                elif ch == "\u2584":
                    draw.rectangle([x, y + CELL_H // 2, x + CELL_W - 1, y + CELL_H - 1], fill=fg)  # type: ignore[arg-type]
                elif ch == "\u2588":
                    draw.rectangle([x, y, x + w * CELL_W - 1, y + CELL_H - 1], fill=fg)  # type: ignore[arg-type]
                elif ch != " ":
                    glyphs.append((x, y, ch, fg))
                col += w
            apply([int(p) if p else 0 for p in m.group(1).split(";")], state)
            pos = m.end()
        for x, y, ch, fg in glyphs:
            draw.text((x, y), ch, font=font, fill=fg)  # type: ignore[arg-type]
    return img


def main(argv: list[str]) -> int:
    socket, target, out = argv
    size = subprocess.run(["tmux", "-L", socket, "display", "-p", "-t", target, "#{pane_width} #{pane_height}"],
                          capture_output=True, text=True, check=True).stdout.split()
    ansi = subprocess.run(["tmux", "-L", socket, "capture-pane", "-e", "-p", "-t", target],
                          capture_output=True, text=True, check=True).stdout
    render(ansi, int(size[0]), int(size[1])).save(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
