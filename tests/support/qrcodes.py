"""Reading a QR code back off a drawn screen: half-block cells to pixels, pixels to zbarimg.

The same reading as test_ui_qr's (which also compares modules with segno's matrix); here
only what a test needs to ask "which address does this screen's code open?"."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest
from rich.segment import Segment
from rich.style import Style

from retreat.ui import qr

needs_zbar = pytest.mark.skipif(shutil.which("zbarimg") is None,
                                reason="zbarimg is not installed (.ci/run installs zbar-tools)")


def _shade(style: Style | None, which: str) -> bool | None:
    color = getattr(style, which, None) if style is not None else None
    return {qr.DARK: True, qr.LIGHT: False}.get(color) if color is not None else None


def pixels(lines: Sequence[Sequence[Segment]]) -> list[list[bool]]:
    """The half-block code on a screen as pixels (dark True), two a cell, one above the other."""
    out: list[list[bool]] = []
    for line in lines:
        row: list[tuple[bool, bool]] = []
        for seg in line:
            for ch in seg.text:
                top, bottom = _shade(seg.style, "color"), _shade(seg.style, "bgcolor")
                if ch == qr.UPPER_HALF and top is not None and bottom is not None:
                    row.append((top, bottom))
                elif row:
                    break
            else:
                continue
            break
        if row:
            out += [[t for t, _b in row], [b for _t, b in row]]
    return out


def decode(lines: Sequence[Sequence[Segment]], tmp_path: Path, module: int = 4) -> str:
    """What zbarimg reads in the screen's code (a PGM written by hand, black around it)."""
    dots = pixels(lines)
    assert dots, "no QR code on the screen"
    width = max(len(r) for r in dots) * module
    pad = 8 * module
    rows = []
    for row in dots:
        line = bytes(pad) + b"".join(bytes([0 if dark else 255]) * module for dark in row)
        rows += [line.ljust(width + 2 * pad, b"\0")] * module
    blank = bytes(width + 2 * pad)
    rows = [blank] * pad + rows + [blank] * pad
    path = tmp_path / "code.pgm"
    path.write_bytes(f"P5\n{width + 2 * pad} {len(rows)}\n255\n".encode() + b"".join(rows))
    out = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(path)],
                         capture_output=True, text=True, check=False)
    return out.stdout.strip()
