"""Line breaking that suits Chinese as well as English, measured in terminal cells.

Rich breaks lines only at spaces, so an unspaced Chinese sentence wraps as one long
word. Here a line may break between any two CJK characters, at spaces in Latin text,
and between CJK and Latin text, with the basic kinsoku rules of Chinese and Japanese
typesetting: no line starts with closing punctuation (，。、！？）」...) and none ends
with opening punctuation (（「...). Spaces at a break are dropped, as Rich drops them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len, get_character_cell_size, set_cell_size
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Text

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, JustifyMethod, RenderResult
    from rich.style import StyleType

# Not allowed at the start of a line.
CLOSING = frozenset(
    "，。、！？；：）」』】》〉〕｝］・…‥ー〜～”’"
    "\u3000\u30fb\u3001\u3002\uff0e\uff09\uff3d\uff5d"
    ",.;:!?)]}%"
    "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々"
)
# Not allowed at the end of a line.
OPENING = frozenset("（「『【《〈〔｛［“‘([{\uff08\uff3b\uff5b")

_SPACE, _WORD, _WIDE = 0, 1, 2


def _graphemes(text: str) -> list[tuple[int, int, int]]:
    """(start, end, cells) of each grapheme; zero-width marks stay with their base."""
    try:
        from rich.cells import split_graphemes  # Rich >= 14 also joins ZWJ sequences
    except ImportError:  # pragma: no cover - depends on the installed Rich
        spans: list[tuple[int, int, int]] = []
        for i, ch in enumerate(text):
            size = get_character_cell_size(ch)
            if size == 0 and spans and not ch.isspace():
                start, _, cells = spans[-1]
                spans[-1] = (start, i + 1, cells)
            else:
                spans.append((i, i + 1, size if not ch.isspace() else 1))
        return spans
    return split_graphemes(text)[0]


def _atoms(text: str) -> list[list[int]]:
    """Units no line break may split: [start, end, cells, kind]. Latin words, CJK chars, spaces."""
    atoms: list[list[int]] = []
    for start, end, cells in _graphemes(text):
        ch = text[start]
        if ch.isspace():
            kind, cells = _SPACE, max(cells, 1)
        else:
            kind = _WIDE if cells == 2 else _WORD
        if atoms and kind != _WIDE and atoms[-1][3] == kind:
            atoms[-1][1] = end
            atoms[-1][2] += cells
        else:
            atoms.append([start, end, cells, kind])
    return atoms


def _may_break_before(text: str, atoms: list[list[int]], k: int) -> bool:
    """May a line end before atoms[k] (after dropping any spaces in between)?"""
    before, after = atoms[k - 1], atoms[k]
    if after[3] == _SPACE:
        return False  # breaks happen after a run of spaces, which is then dropped
    if before[3] == _SPACE:
        if k < 2:
            return False  # leading indentation of a paragraph is not a break
        before = atoms[k - 2]
    elif before[3] != _WIDE and after[3] != _WIDE:
        return False  # inside a Latin word
    return text[after[0]] not in CLOSING and text[before[1] - 1] not in OPENING


def _split_word(text: str, atom: list[int], width: int) -> tuple[list[int], list[int]]:
    """Cut an over-long word so that its head fills `width` cells (at least one grapheme)."""
    start, end, _, kind = atom
    cut, used = start, 0
    for _g_start, g_end, cells in _graphemes(text[start:end]):
        if used + cells > width and cut > start:
            break
        cut, used = start + g_end, used + cells
    if cut < end and text[cut] in CLOSING and cut > start + 1:
        # Take one more grapheme along, so the tail does not start with a comma or full stop.
        head = _graphemes(text[start:cut])[-1]
        cut, used = start + head[0], used - head[2]
    return [start, cut, used, kind], [cut, end, cell_len(text[cut:end]), kind]


def _paragraph_spans(text: str, offset: int, width: int) -> list[tuple[int, int]]:
    atoms = _atoms(text)
    spans: list[tuple[int, int]] = []
    s = 0
    while s < len(atoms):
        if spans:
            while s < len(atoms) and atoms[s][3] == _SPACE:
                s += 1
            if s == len(atoms):
                break
        used, k, best, pending = 0, s, None, 0
        while k < len(atoms):
            atom = atoms[k]
            if k > s and _may_break_before(text, atoms, k):
                best = k
            if atom[3] == _SPACE:
                pending += atom[2]  # trailing spaces cost nothing until a word follows
            elif used + pending + atom[2] <= width:
                used, pending = used + pending + atom[2], 0
            else:
                break
            k += 1
        if k == len(atoms):
            end = k
        elif best is not None:
            end = best
        elif used == 0 and k > s:
            s = k  # indentation wider than the line allows: drop it rather than overflow
            continue
        elif k > s:
            end = k  # no legal break fits: breaking a kinsoku rule beats overflowing
        elif atoms[k][3] == _WORD:
            head, tail = _split_word(text, atoms[k], max(width, 1))
            atoms[k : k + 1] = [head, tail]
            end = k + 1
        else:
            end = k + 1  # one wide character on a one-cell line: nothing fits better
        last = end - 1
        while last > s and atoms[last][3] == _SPACE:
            last -= 1
        stop = atoms[last][1] if atoms[last][3] != _SPACE else atoms[s][0]
        spans.append((offset + atoms[s][0], offset + stop))
        s = end
    if not spans:
        spans.append((offset, offset))
    return spans


def line_spans(text: str, width: int) -> list[tuple[int, int]]:
    """(start, end) offsets of each wrapped line of `text`; what lies between lines is whitespace."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for paragraph in text.split("\n"):
        spans.extend(_paragraph_spans(paragraph, offset, width))
        offset += len(paragraph) + 1
    return spans


def wrap(text: str, width: int) -> list[str]:
    """`text` broken into lines of at most `width` cells (a lone CJK character on a 1-cell line excepted)."""
    return [text[start:end] for start, end in line_spans(text, width)]


class CJKText:
    """A Text that wraps the CJK way at render time, so a resized terminal re-lays it out."""

    def __init__(
        self,
        text: str | Text,
        *,
        style: StyleType = "",
        justify: JustifyMethod = "left",
        end: str = "\n",
    ) -> None:
        self.text = text if isinstance(text, Text) else Text(text, style=style)
        self.justify: JustifyMethod = justify
        self.end = end

    def lines(self, width: int) -> list[Text]:
        return [self.text[start:end] for start, end in line_spans(self.text.plain, width)]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        text = Text("\n").join(self.lines(options.max_width))
        text.justify, text.no_wrap, text.overflow, text.end = self.justify, True, "crop", self.end
        yield text

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        plain = self.text.plain
        widest_atom = max((a[2] for a in _atoms(plain) if a[3] != _SPACE), default=0)
        widest_line = max((cell_len(p) for p in plain.split("\n")), default=0)
        return Measurement(widest_atom, widest_line).clamp(max_width=options.max_width)


def pad_line(line: list[Segment], width: int) -> list[Segment]:
    """`line` cropped or padded on the right to exactly `width` cells."""
    out: list[Segment] = []
    used = 0
    for seg in line:
        room = width - used
        if room <= 0:
            break
        text = seg.text if cell_len(seg.text) <= room else set_cell_size(seg.text, room)
        out.append(Segment(text, seg.style))
        used += cell_len(text)
    if used < width:
        out.append(Segment(" " * (width - used)))
    return out
