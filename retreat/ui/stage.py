"""The projected stage: one full-screen frame drawn from a `View`.

`Stage(view, options)` lays itself out at render time for whatever size the terminal
has, so a resize only needs a repaint. The big digits get every row the other sections
leave; when rows are short, sections are dropped in a fixed order of importance (the
session path first, then talking points, the schedule, what is next, ...) while the
digits keep at least 5 rows. No emoji and, with `ascii`, no ambiguous-width characters.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, cast

from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from retreat.durations import format_clock
from retreat.i18n import _
from retreat.meeting.timer import Phase
from retreat.ui.bigdigits import BigTime, pick_font, render_lines, supported
from retreat.ui.cjkwrap import CJKText
from retreat.ui.keymap import STAGE
from retreat.ui.view import Point, View

if TYPE_CHECKING:
    from rich.console import ConsoleOptions, OverflowMethod, RenderableType, RenderResult

DIGIT_STYLES = {
    Phase.IDLE: "bold",
    Phase.ON_TIME: "bold green",
    Phase.WARNING: "bold yellow",
    Phase.OVERTIME: "bold red",
}
FLASH_SCREEN = "bold bright_white on red"
MIN_DIGIT_ROWS = 5


@dataclass(frozen=True)
class StageOptions:
    ascii: bool = False
    session_path: str = ""
    phones: str = ""  # with --participate: the address phones open
    join_url: str = ""  # what the QR code opens (the address, with the meeting's PIN filled in); else `phones`
    pin: str = ""  # the meeting's PIN, shown beside the QR code; empty when phones join with one-time codes
    timer_url: str = ""  # with --participate: the podium timer's address, the join screen's other code (Tab)
    show_timer: bool = False  # the join screen shows the podium timer's code (Tab switches)

    @property
    def qr_url(self) -> str:
        return self.join_url or self.phones


def key_help(width: int, keys: dict[str, str] | None = None, drop_order: tuple[str, ...] = STAGE.drop) -> str:
    """The key line, as long as the width allows: every key, with as many labels as fit (the
    labels in `drop_order` go first; the key itself always stays). The stage's keys by default."""
    if keys is None:
        keys = dict(STAGE.help())
    labelled = dict(keys)
    for drop in (None, *drop_order):
        if drop is not None and drop in labelled:
            labelled[drop] = ""
        line = "  ".join(f"{key} {label}".strip() for key, label in labelled.items())
        if cell_len(line) <= width:
            return line
    return " ".join(keys)


def progress_bar(view: View, width: int, ascii: bool) -> list[Segment]:
    """`━━━━───  04:12 / 07:00 (+01:00)`: the bar takes what the figures leave.

    Built as segments, not as a Text: it changes every second and must cost little.
    """
    figures = f"{format_clock(view.elapsed)} / {format_clock(view.limit)}"
    if view.adjusted:
        sign = "+" if view.adjusted > 0 else "-"
        figures += f" ({sign}{format_clock(abs(view.adjusted))})"
    figures = figures[:width]
    bar_width = width - len(figures) - 2
    line: list[Segment] = []
    if bar_width >= 4:
        fraction = min(1.0, view.elapsed / view.limit) if view.limit else 1.0
        filled = round(bar_width * fraction)
        full, empty = ("=", "-") if ascii else ("\u2501", "\u2500")
        done = Style.parse(DIGIT_STYLES[view.phase]) if view.phase is not Phase.IDLE else Style()
        line += [Segment(full * filled, done), Segment(empty * (bar_width - filled), Style(dim=True))]
        line.append(Segment("  "))
    line.append(Segment(figures.ljust(width - sum(len(seg.text) for seg in line))))
    return line


def digit_lines(
    console: Console, options: ConsoleOptions, clock: str, style: str, ascii: bool, width: int, rows: int
) -> list[list[Segment]]:
    """The big digits as segment lines (centred by hand), or plain text if no font fits."""
    font = None
    for sample in ("+88:88", clock):
        if supported(sample) and supported(clock):
            font = pick_font(sample, width, rows)
            if font is not None and font.width(clock) <= width:
                break
            font = None
    if font is None:
        return console.render_lines(
            BigTime(clock, style=style, ascii=ascii), options.update(width=width, height=rows), pad=True
        )
    drawn = Style.parse(style)
    indent = (width - font.width(clock)) // 2
    return [
        [Segment(" " * indent), Segment(line, drawn), Segment(" " * (width - indent - len(line)))]
        for line in render_lines(clock, font, ascii=ascii)
    ]


def flashed(lines: list[list[Segment]]) -> list[list[Segment]]:
    """`lines` under the overtime flash: each segment's own style wins over the flash's. A segment
    that sets both its colours (the QR code's black and white) stays as it is: nothing of the
    flash would show on it. One style addition per distinct style, not per segment."""
    screen = Style.parse(FLASH_SCREEN)
    added: dict[Style | None, Style] = {}

    def flash(seg: Segment) -> Segment:
        style = seg.style
        if seg.control:
            return Segment(seg.text, None, seg.control)
        if style is not None and style.color is not None and style.bgcolor is not None:
            return seg
        done = added.get(style)
        if done is None:
            done = added[style] = screen + style if style is not None else screen
        return Segment(seg.text, done)

    return [[flash(seg) for seg in line] for line in lines]


def _overflow(ascii: bool) -> OverflowMethod:
    return "crop" if ascii else "ellipsis"  # the ellipsis character has ambiguous width


BADGE = "bold reverse"  # the rehearsal's mark, top left on the stage, the Q&A stage and the overview
NOTE = "bold reverse"  # the facilitator's message to the speaker, top right


def split_line(left: str, right: str, width: int, style: str = "", ascii: bool = False, badge: str = "",
               note: str = "") -> Text:
    """`left` and `right` on one line; `right` is dropped when both do not fit. A `badge`
    (a rehearsal's mark) comes first, in reverse video, so it is seen from the back. A `note`
    (the facilitator's message to the speaker) sits in the top right corner, in reverse video,
    before `right`; it is kept over `right` and over the end of `left`."""
    text = Text(no_wrap=True, overflow=_overflow(ascii), style=style)
    if badge:
        text.append(f" {badge} ", style=BADGE)
        left = "  " + left
    corner = Text(f" {note} ", style=NOTE) if note else Text()
    if note and right and width - cell_len(text.plain) - cell_len(left) - corner.cell_len - cell_len(right) >= 4:
        corner.append("  " + right)
    elif not note:
        corner = Text(right)
    gap = width - cell_len(text.plain) - cell_len(left) - corner.cell_len
    if note and gap < 2:  # the message wins: the left part is cut short
        room = max(0, width - cell_len(text.plain) - corner.cell_len - 1)
        cut = Text(left)
        cut.truncate(room)
        left = cut.plain
        gap = width - cell_len(text.plain) - cell_len(left) - corner.cell_len
    text.append(left)
    if corner and gap >= (1 if note else 2):
        text.append(" " * gap)
        text.append_text(corner)
    return text


def _line(text: str, style: str = "", justify: str = "left", ascii: bool = False) -> Text:
    return Text(text, style=style, no_wrap=True, overflow=_overflow(ascii), justify=justify)  # type: ignore[arg-type]


Spec = tuple[object, ...]  # a hashable description of one section part; see `_build`


def _build(spec: Spec, width: int) -> RenderableType:
    kind, *args = spec
    if kind == "split":
        left, right, style, ascii, *extra = args
        return split_line(str(left), str(right), width, style=str(style), ascii=bool(ascii),
                          badge=str(extra[0]) if extra else "", note=str(extra[1]) if len(extra) > 1 else "")
    if kind == "cjk":
        text, style = args
        return CJKText(Text(str(text), style=str(style)))
    if kind == "help":
        if args:  # a segment's own keys: labels by key, and the order to drop them in
            keys, drop = cast("tuple[tuple[tuple[str, str], ...], tuple[str, ...]]", tuple(args))
            return _line(key_help(width, dict(keys), drop), style="dim", ascii=True)
        return _line(key_help(width), style="dim", ascii=True)
    text, style, justify, ascii = args
    return _line(str(text), style=str(style), justify=str(justify), ascii=bool(ascii))


# Rendered lines by (spec, width), per console: most sections do not change from one
# second to the next, and re-rendering them was most of the cost of a frame.
_CACHE: weakref.WeakKeyDictionary[Console, dict[tuple[Spec, int], list[list[Segment]]]] = (
    weakref.WeakKeyDictionary()
)


def _render(console: Console, options: ConsoleOptions, spec: Spec, width: int) -> list[list[Segment]]:
    cache = _CACHE.setdefault(console, {})
    key = (spec, width)
    lines = cache.get(key)
    if lines is None:
        if len(cache) > 512:
            cache.clear()
        kind, *args = spec
        if kind == "bar":
            view, ascii = args
            assert isinstance(view, View)
            lines = [progress_bar(view, width, bool(ascii))]
        elif kind == "digits":
            clock, style, ascii, rows = (str(args[0]), str(args[1]), bool(args[2]), int(str(args[3])))
            lines = digit_lines(console, options, clock, style, ascii, width, rows)
        else:
            lines = console.render_lines(_build(spec, width), options.update(width=width, height=None), pad=True)
        cache[key] = lines
    return lines


# Above the digits, then below them, in screen order.
TOP = ("header", "title", "who")
BOTTOM = ("caption", "bar", "points", "next", "schedule", "message", "session", "help")
# Kept first when rows are short.
PRIORITY = ("header", "help", "caption", "message", "title", "bar", "who", "next", "schedule",
            "points", "session")  # fmt: skip


class Stage:
    """A renderable frame of the stage; `Overview` replaces it while `o` is on."""

    TOP: tuple[str, ...] = TOP
    BOTTOM: tuple[str, ...] = BOTTOM
    PRIORITY: tuple[str, ...] = PRIORITY
    PARTIAL: ClassVar[dict[str, int]] = {"title": 2}

    def __init__(self, view: View, options: StageOptions) -> None:
        self.view = view
        self.options = options

    def _sections(self) -> dict[str, list[Spec]]:
        v = self.view
        header = f"{v.position}/{v.count}  {v.kind}" if not v.ended else v.meeting
        caption_style = "reverse" if v.alert or v.status == "paused" else "bold"
        path = self.options.session_path
        if self.options.phones:
            label = _("Phones")
            path = f"{path} \u00b7 {label}: {self.options.phones}"
            if self.options.pin:
                path += " \u00b7 " + _("PIN {pin}").format(pin=self.options.pin)
        a = self.options.ascii
        return {
            "header": [("split", header, v.time_of_day, "bold", a, v.rehearsal, v.speaker)],
            "title": [("cjk", v.title, "bold")] if not v.ended else [],
            "who": [("line", self._plain(v.who), "", "left", a)] if v.who and not v.ended else [],
            "caption": [("line", v.caption, caption_style, "center", a)] if v.caption else [],
            "bar": [("bar", v, self.options.ascii)] if not v.ended else [],
            "points": [self._point(p) for p in v.points] if not v.ended else [],
            "next": [("line", self._plain(v.next), "", "left", a)] if not v.ended else [],
            "schedule": [("line", self._plain(v.schedule), "", "left", a)],
            "message": [("line", v.message, "reverse", "left", a)] if v.message else [],
            "session": [("line", self._plain(_("Session: {path}").format(path=path)), "dim", "left", a)] if path else [],
            "help": [("help", STAGE.help("phones"), STAGE.drop)] if self.options.phones else [("help",)],
        }

    def _plain(self, text: str) -> str:
        """With --ascii the separator dot (ambiguous width) becomes a bar."""
        return text.replace("\u00b7", "|") if self.options.ascii else text

    @staticmethod
    def _point(point: Point) -> Spec:
        mark = "[x]" if point.ticked else "[ ]"
        style = "dim" if point.ticked else ("bold" if point.next else "")
        return ("cjk", f"{mark} {point.text}", style)

    def frame_lines(self, console: Console, options: ConsoleOptions) -> list[list[Segment]]:
        """Exactly `height` lines of exactly `width` cells (what `DiffScreen` paints)."""
        width = options.max_width
        height = options.height if options.height is not None else console.height
        margin = 1 if width >= 30 else 0
        inner = max(1, width - 2 * margin)
        flash = self.view.flash
        rendered = {
            name: [_render(console, options, spec, inner) for spec in specs]
            for name, specs in self._sections().items()
        }
        chosen = _choose(rendered, height, self.PRIORITY, self.PARTIAL)
        digit_rows = max(1, height - sum(len(lines) for lines in chosen.values()))
        digits = self._middle(console, options, digit_rows, inner)
        body = _assemble(chosen, digits, digit_rows, inner, self.TOP, self.BOTTOM)[:height]
        pad = [Segment(" " * margin)] if margin else []
        lines = [[*pad, *line, *pad] for line in body]
        lines += [[Segment(" " * width)]] * (height - len(lines))
        if flash:
            lines = flashed(lines)
        return lines

    def _middle(self, console: Console, options: ConsoleOptions, rows: int, width: int) -> Lines:
        """What fills the rows the sections leave: the big digits."""
        style = FLASH_SCREEN if self.view.flash else DIGIT_STYLES[self.view.phase]
        return _render(console, options, ("digits", self.view.clock, style, self.options.ascii, rows), width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.frame_lines(console, options):
            yield from line
            yield Segment.line()


Lines = list[list[Segment]]


def _choose(
    rendered: dict[str, list[Lines]],
    height: int,
    priority: tuple[str, ...] = PRIORITY,
    partial: dict[str, int] | None = None,
) -> dict[str, Lines]:
    """The sections that fit while the digits keep their minimum, most important first.

    A section is shown whole or not at all, except the title (its first two lines; any
    section named in `partial`: that many lines at most) and the talking points (as many
    as fit, two lines each at most).
    """
    partial = {"title": 2} if partial is None else partial
    budget = height - (MIN_DIGIT_ROWS if height >= MIN_DIGIT_ROWS + 3 else 1)
    chosen: dict[str, Lines] = {}
    used = 0
    for name in priority:
        room, parts = budget - used, rendered.get(name, [])
        lines: Lines = []
        if name in partial:
            lines = parts[0][: min(partial[name], room)] if parts else []
        elif name == "points":
            for part in parts:
                if len(lines) + len(part[:2]) > room:
                    break
                lines.extend(part[:2])
        else:
            every = [line for part in parts for line in part]
            lines = every if len(every) <= room else []
        chosen[name] = lines
        used += len(lines)
    return chosen


def _assemble(
    chosen: dict[str, Lines],
    digits: Lines,
    digit_rows: int,
    width: int,
    top_names: tuple[str, ...] = TOP,
    bottom_names: tuple[str, ...] = BOTTOM,
) -> Lines:
    top: Lines = [line for name in top_names for line in chosen.get(name, [])]
    bottom: Lines = [line for name in bottom_names for line in chosen.get(name, [])]
    # Blank rows of the middle go; a reversed band of spaces (the Q&A asker's) is not blank.
    drawn = [line for line in digits if any(seg.text.strip() or (seg.style and seg.style.reverse)
                                             for seg in line)] or digits[:1]  # fmt: skip
    spare = digit_rows - len(drawn)
    blank = [Segment(" " * width)]
    above = spare // 2
    return [*top, *([blank] * above), *drawn, *([blank] * (spare - above)), *bottom]


def frame(view: View, options: StageOptions) -> RenderableType:
    """The whole screen for `view`: the stage, or the overview or the join screen while it is on."""
    if view.overview is not None:
        from retreat.ui.overview import Overview

        return Overview(view, options)
    if view.join:
        from retreat.ui.join import JoinScreen

        return JoinScreen(view, options)
    if view.qa is not None:
        from retreat.ui.qa_stage import QAStage

        return QAStage(view, options)
    return Stage(view, options)


def lines_text(lines: Iterable[list[Segment]]) -> str:
    return "\n".join("".join(s.text for s in line) for line in lines)
