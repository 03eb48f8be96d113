"""Large block digits for the projected countdown, readable from the back of a hall.

One 3x5 bitmap per glyph, scaled by whole cells: thick strokes read better at a distance
than a finer font would, and integer scaling keeps every font pixel-exact. Horizontal
scale is about twice the vertical one because a terminal cell is about twice as tall as
it is wide.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from rich.measure import Measurement
from rich.text import Text

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, JustifyMethod, RenderResult
    from rich.style import StyleType

GLYPHS: dict[str, tuple[str, ...]] = {
    "0": ("###", "#.#", "#.#", "#.#", "###"),
    "1": (".#.", "##.", ".#.", ".#.", "###"),
    "2": ("###", "..#", "###", "#..", "###"),
    "3": ("###", "..#", "###", "..#", "###"),
    "4": ("#.#", "#.#", "###", "..#", "..#"),
    "5": ("###", "#..", "###", "..#", "###"),
    "6": ("###", "#..", "###", "#.#", "###"),
    "7": ("###", "..#", "..#", "..#", "..#"),
    "8": ("###", "#.#", "###", "#.#", "###"),
    "9": ("###", "#.#", "###", "..#", "###"),
    ":": (".", "#", ".", "#", "."),
    "+": ("...", ".#.", "###", ".#.", "..."),
    "-": ("...", "...", "###", "...", "..."),
    " ": (".", ".", ".", ".", "."),
}
ROWS = 5

# U+2588 has East Asian "ambiguous" width: a terminal set to draw ambiguous characters
# wide doubles every block and wrecks the layout, hence the ASCII fill for --ascii.
BLOCK = "\u2588"
ASCII_BLOCK = "#"


@dataclass(frozen=True, order=True)
class Font:
    """A scale of the bitmap font: each bitmap dot becomes `sx` cells by `sy` rows."""

    sy: int
    sx: int

    @property
    def height(self) -> int:
        return ROWS * self.sy

    def width(self, text: str) -> int:
        """Cells needed for `text`, glyphs separated by one blank dot column."""
        dots = sum(len(GLYPHS[ch][0]) for ch in text) + max(len(text) - 1, 0)
        return dots * self.sx


def _fonts(max_sy: int = 12) -> tuple[Font, ...]:
    # The slightly narrower (2*sy - 1) step lets `+07:00` stay as tall as `07:00`
    # at 80 columns, so the digits do not shrink the moment overtime starts.
    fonts = {Font(sy=1, sx=2)}
    for sy in range(2, max_sy + 1):
        fonts.update({Font(sy=sy, sx=2 * sy - 1), Font(sy=sy, sx=2 * sy)})
    return tuple(sorted(fonts))


FONTS: tuple[Font, ...] = _fonts()
"""Every font, smallest first."""


def supported(text: str) -> bool:
    """True if every character of `text` has a glyph (digits, `:`, `+`, `-`, space)."""
    return bool(text) and all(ch in GLYPHS for ch in text)


def pick_font(text: str, width: int, height: int) -> Font | None:
    """The largest font that draws `text` within `width` cells and `height` rows, or None."""
    if not supported(text):
        return None
    best = None
    for font in FONTS:
        if font.height <= height and font.width(text) <= width:
            best = font
    return best


@lru_cache(maxsize=64)
def render_lines(text: str, font: Font, *, ascii: bool = False) -> tuple[str, ...]:
    """`text` drawn in `font`: `font.height` lines of equal cell width.

    Cached because a countdown redraws the same few strings once a second.
    """
    fill = ASCII_BLOCK if ascii else BLOCK
    gap = " " * font.sx
    lines = []
    for row in range(ROWS):
        dots = [GLYPHS[ch][row] for ch in text]
        line = gap.join(
            "".join((fill if dot == "#" else " ") * font.sx for dot in glyph_row)
            for glyph_row in dots
        )
        lines.extend([line] * font.sy)
    return tuple(lines)


def big_text(
    text: str,
    width: int,
    height: int,
    *,
    ascii: bool = False,
    style: StyleType = "",
    justify: JustifyMethod = "center",
) -> Text:
    """`text` in the largest font that fits, or as plain text on a terminal too small for any."""
    return _layout(text, pick_font(text, width, height), width, ascii, style, justify)


def _layout(
    text: str,
    font: Font | None,
    width: int,
    ascii: bool,
    style: StyleType,
    justify: JustifyMethod,
) -> Text:
    if font is None:
        return Text(text, style=style, justify=justify, no_wrap=True, overflow="crop")
    # Placed by hand: Rich centres each line after stripping its trailing spaces, which
    # shifts rows that end in a blank dot and shears the digits.
    spare = max(width - font.width(text), 0)
    indent = {"center": spare // 2, "right": spare}.get(justify or "left", 0)
    lines = (" " * indent + line for line in render_lines(text, font, ascii=ascii))
    return Text("\n".join(lines), style=style, justify="left", no_wrap=True, overflow="crop")


class BigTime:
    """A renderable countdown that picks its font at render time, so resizing re-lays out.

    `fit` sizes the font for a wider string than the one shown (e.g. `+88:88`), so the
    digits keep one size when a countdown turns into overtime.
    """

    def __init__(
        self,
        text: str,
        *,
        ascii: bool = False,
        style: StyleType = "",
        justify: JustifyMethod = "center",
        fit: str | None = None,
        max_height: int | None = None,
    ) -> None:
        self.text = text
        self.ascii = ascii
        self.style = style
        self.justify: JustifyMethod = justify
        self.fit = fit
        self.max_height = max_height

    def _font(self, width: int, height: int) -> Font | None:
        for sample in (self.fit, self.text):
            if sample and supported(sample) and supported(self.text):
                font = pick_font(sample, width, height)
                if font and font.width(self.text) <= width:
                    return font
        return None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        height = options.height if options.height is not None else options.max_height
        if self.max_height is not None:
            height = min(height, self.max_height)
        font = self._font(options.max_width, height)
        yield _layout(self.text, font, options.max_width, self.ascii, self.style, self.justify)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = FONTS[-1].width(self.text) if supported(self.text) else len(self.text)
        return Measurement(len(self.text), widest)
