"""The phones' address as a QR code on the stage, drawn with terminal cells.

`modules(url)` is the code as a grid of dark (True) and light modules with a quiet zone
of 2; `qr_lines(url, cols, rows)` draws it as large as fits a box, at the largest whole
scale. Normally one module is one column by half a row: an upper half block whose
foreground is the upper module and whose background the lower one, both set to black or
white explicitly (RGB, so neither a dark nor a light terminal theme turns the code into
its negative). With `ascii` (no ambiguous-width characters) one module is two spaces on a
black or white background: two columns by one row. Without colour (`color=False`, NO_COLOR)
the code is drawn with block characters for a light-on-dark terminal (as `segno` prints
it), or `##` for light modules with `ascii`.

Both the grid and the drawn lines are cached: the stage repaints once a second, and
segno (imported here, lazily: ~50 ms) runs once per address.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from rich.color import Color
from rich.segment import Segment
from rich.style import Style

QUIET = 2  # modules of light border around the code
Grid = tuple[tuple[bool, ...], ...]
QRLines = tuple[tuple[Segment, ...], ...]

DARK = Color.from_rgb(0, 0, 0)
LIGHT = Color.from_rgb(255, 255, 255)
_COLOUR = {True: DARK, False: LIGHT}
UPPER_HALF = "\u2580"
# Without colour, light modules are drawn (light text on a dark terminal), as segno does.
_BLOCKS = {(True, True): " ", (True, False): "\u2584", (False, True): UPPER_HALF, (False, False): "\u2588"}


@lru_cache(maxsize=8)
def modules(url: str) -> Grid:
    """The QR code of `url` (error correction M or better, never a Micro QR) with its quiet zone."""
    import segno

    code = segno.make(url, error="m", micro=False)
    return tuple(tuple(bool(m) for m in row) for row in code.matrix_iter(scale=1, border=QUIET))


def size(url: str, scale: int, *, ascii: bool = False) -> tuple[int, int]:
    """(columns, rows) the code of `url` takes at `scale`."""
    n = len(modules(url)) * scale
    return (2 * n, n) if ascii else (n, (n + 1) // 2)


def fit_scale(url: str, cols: int, rows: int, *, ascii: bool = False, most: int = 12) -> int:
    """The largest whole scale (at most `most`) that fits `cols` x `rows`; 0 if none does."""
    n = len(modules(url))
    per_col = 2 * n if ascii else n
    per_row = n if ascii else n / 2
    if cols < per_col or rows <= 0:
        return 0
    scale = min(most, cols // per_col, int(rows // per_row))
    while scale > 0 and size(url, scale, ascii=ascii)[1] > rows:
        scale -= 1
    return max(0, scale)


def qr_lines(url: str, cols: int, rows: int, *, ascii: bool = False, color: bool = True,
             most: int = 12) -> QRLines | None:
    """The code as lines of segments, as large as fits `cols` x `rows`; None if it cannot fit.

    Every line is exactly `size(url, scale)[0]` cells wide; place it, do not change it
    (the lines are shared by every frame that shows this code).
    """
    if not url:
        return None
    scale = fit_scale(url, cols, rows, ascii=ascii, most=most)
    return draw(url, scale, ascii=ascii, color=color) if scale else None


@lru_cache(maxsize=32)
def draw(url: str, scale: int, *, ascii: bool = False, color: bool = True) -> QRLines:
    """The code of `url` at `scale` (see the module's docstring for the cell shapes)."""
    grid = modules(url)
    pixels = [tuple(m for m in row for _s in range(scale)) for row in grid for _r in range(scale)]
    if ascii:
        return tuple(_runs(((m, m) for m in row), ascii=True, color=color) for row in pixels)
    if len(pixels) % 2:  # the half row under an odd last row: more quiet zone, or the terminal's own
        pixels.append((not color,) * len(pixels[0]))  # background (without colour, as segno prints it)
    return tuple(_runs(zip(pixels[i], pixels[i + 1], strict=True), ascii=False, color=color)
                 for i in range(0, len(pixels), 2))


def _runs(cells: Iterable[tuple[bool, bool]], *, ascii: bool, color: bool) -> tuple[Segment, ...]:
    """One line: runs of equal cells merged into one segment each."""
    out: list[Segment] = []
    run, count = (False, False), 0
    for cell in cells:
        if cell != run and count:
            out.append(_segment(run, count, ascii, color))
            count = 0
        run = cell
        count += 1
    if count:
        out.append(_segment(run, count, ascii, color))
    return tuple(out)


def _segment(cell: tuple[bool, bool], count: int, ascii: bool, color: bool) -> Segment:
    upper, lower = cell
    if ascii:
        if color:
            return Segment("  " * count, Style(bgcolor=_COLOUR[upper]))
        return Segment(("  " if upper else "##") * count)
    if color:
        return Segment(UPPER_HALF * count, Style(color=_COLOUR[upper], bgcolor=_COLOUR[lower]))
    return Segment(_BLOCKS[cell] * count)
