"""Table column widths, shared by the HTML and DOCX exports so both lay a table out alike.

A ten-column agenda on an A4 page: short columns (times, counts, "工作汇报") keep their
natural width so they never wrap; long ones get at least their header and about six
characters, and share what is left in proportion to how much more their text wants. A
table that does not fit that way at the table size is set a size smaller.
"""

from __future__ import annotations

import unicodedata

from retreat.exports.style import MARGIN_LEFT, MARGIN_RIGHT, PAGE_WIDTH, HouseStyle

SHORT_COLUMN = 10  # display columns: "工作汇报", "+00:45", "2026-06-30"
MIN_LONG_COLUMN = 12  # six CJK characters
CELL_PAD_MM = 1.0  # left and right cell padding
USABLE_MM = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
PT_MM = 0.3528

Column = list[tuple[str, bool]]  # (cell text, is a header cell)


def display_width(text: str) -> int:
    """Columns the text takes: East Asian wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def column_widths(columns: list[Column], style: HouseStyle) -> tuple[list[float], float]:
    """Millimetres per column, summing to the page's text width, and the font size in pt."""
    widest = [max((display_width(t) for t, _ in col), default=1) for col in columns]
    heads = [max((display_width(t) for t, head in col if head), default=1) for col in columns]
    pad = 2 * CELL_PAD_MM + 0.5
    for size in (style.table_pt, style.small_pt):
        unit = size * PT_MM / 2  # mm per display column (half an em)
        natural = [max(w, 1) * unit + pad for w in widest]
        if sum(natural) <= USABLE_MM:
            return [n * USABLE_MM / sum(natural) for n in natural], size
        floor = [
            n if w <= SHORT_COLUMN else max(h * unit + pad, min(n, MIN_LONG_COLUMN * unit + pad))
            for n, w, h in zip(natural, widest, heads, strict=True)
        ]
        if sum(floor) > USABLE_MM:
            continue
        grow = [n - f for n, f in zip(natural, floor, strict=True)]
        extra = USABLE_MM - sum(floor)
        return [f + extra * g / sum(grow) for f, g in zip(floor, grow, strict=True)], size
    capped = [min(w, 30) + 2.0 for w in widest]  # far too many columns: in proportion, capped
    return [n * USABLE_MM / sum(capped) for n in capped], style.small_pt
