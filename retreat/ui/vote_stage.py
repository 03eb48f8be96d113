"""The projected vote screen: the board while ballots come in, then the revealed results.

Board: the candidates by number (two columns when there are many, so 14 Chinese titles
fit 80x24), ballots in per working group against its size, the countdown in big digits
with whatever rows are left, and the secretary's entry line. Results: one horizontal bar
per candidate (`#` with --ascii), winners marked `*` and named, the STV quota as `|`, what
happened in the round on show, and the tie and the agenda's rule for it. Like `Stage`, it
lays itself out for the terminal's size at render time and drops whole sections, least
important first, when rows are short. No emoji; with --ascii no ambiguous-width characters.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from retreat.i18n import _
from retreat.ui.cjkwrap import CJKText
from retreat.ui.keymap import with_join
from retreat.ui.qr import qr_lines
from retreat.ui.stage import DIGIT_STYLES, StageOptions, digit_lines, flashed, split_line
from retreat.ui.vote_view import ELECTED, OUT, TIED, TOP, WINNER, Bar, Outcome, VoteView

if TYPE_CHECKING:
    from rich.console import ConsoleOptions, RenderableType, RenderResult

    from retreat.ui.view import View

Lines = list[list[Segment]]
BAR_STYLES = {WINNER: "bold green", ELECTED: "green", TOP: "bold", TIED: "bold yellow", OUT: "dim", "": ""}
MARKS = {WINNER: "*", ELECTED: "*", TOP: "+", TIED: "=", OUT: " ", "": " "}
MIN_DIGIT_ROWS = 5
# The phones' QR code stands beside the board from this many columns, when the board keeps
# BOARD_MIN_WIDTH of them (two columns of candidates) and the code fits the rows.
QR_MIN_WIDTH = 110
BOARD_MIN_WIDTH = 70
QR_GAP = 2
# Curly quotes are ambiguous width; with --ascii they become straight ones on screen.
_ASCII_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'", "\u00b7": "|"})


def _cell(text: str, width: int) -> str:
    """`text` cropped or padded to exactly `width` cells (CJK-aware)."""
    return set_cell_size(text, max(0, width))


def _columns(n: int, width: int, rows: int | None = None) -> int:
    """Columns for `n` candidates: two for many (14 titles at 80x24), more if rows are short."""
    cols = 1 if n <= 6 or width < 44 else (3 if width >= 150 and n > 12 else 2)
    while rows is not None and -(-n // cols) > rows and (width - 2 * cols) // (cols + 1) >= 8:
        cols += 1
    return cols


class VoteStage:
    """A renderable frame of a vote item; `frame_lines` gives exactly the screen's lines."""

    def __init__(self, view: View, vote: VoteView, options: StageOptions) -> None:
        self.view = view
        self.vote = vote
        self.options = options

    def _t(self, text: str) -> str:
        return text.translate(_ASCII_QUOTES) if self.options.ascii else text

    # --- sections, each a list of Text lines or wrapped paragraphs ---------------------
    def _header(self, width: int, clock: bool) -> Text:
        v = self.view
        left = f"{v.position}/{v.count}  {v.kind}"
        right = f"{v.clock}  {v.time_of_day}" if clock else v.time_of_day
        return split_line(left, right, width, style="bold", ascii=self.options.ascii, badge=v.rehearsal,
                          note=self._t(v.speaker))

    def _choices(self, width: int, rows: int | None = None) -> list[Text]:
        choices = self.vote.choices
        cols = _columns(len(choices), width, rows)
        rows = -(-len(choices) // cols)
        col_width = (width - 2 * (cols - 1)) // cols
        digits = len(str(len(choices)))
        lines = []
        for r in range(rows):
            line = Text(no_wrap=True, overflow="crop")
            for c in range(cols):
                i = c * rows + r
                if i >= len(choices):
                    break
                if c:
                    line.append("  ")
                ch = choices[i]
                number = f"{ch.number:>{digits}} "
                line.append(number, style="bold")
                line.append(_cell(self._t(ch.title), col_width - len(number)))
            lines.append(line)
        return lines

    def _groups(self) -> Text:
        text = Text()
        for g in self.vote.groups:
            cell = f"{g.name} {g.received}/{g.size}" if g.size else f"{g.name} {g.received}"
            style = "reverse" if g.current else ("bold yellow" if g.over else "")
            text.append(cell + ("!" if g.over else ""), style=style)
            text.append("   ")
        if self.options.phones or self.vote.phones:  # ballots received from phones, live
            text.append(_("phones: {n}").format(n=self.vote.phones), style="bold")
            text.append("   ")
        text.append(self.vote.total, style="bold")
        return text

    def _phones(self, width: int, hint: bool = True) -> list[Text]:
        """With --participate: where phones go, on one line: the long form, the PIN and the hint
        that j shows the QR code, as much of it as fits (the hint first goes, then the long form)."""
        url = self.options.phones
        if not url:
            return []
        long = _("Phones: connect to this network and open {url}").format(url=url)
        short = _("{first}: {then}").format(first=_("Phones"), then=url)
        pin = "   " + _("PIN {pin}").format(pin=self.options.pin) if self.options.pin else ""
        more = "   " + _("j: QR code") if hint else ""
        tries = (long + pin + more, short + pin + more, long + pin, short + pin)
        line = next((t for t in tries if cell_len(self._t(t)) <= width), short + pin)
        return [Text(self._t(line), style="bold", no_wrap=True, overflow="crop")]

    def _entry(self, width: int) -> list[Text]:
        e = self.vote.entry
        if e is None:
            return []
        line = Text(no_wrap=True, overflow="crop")
        line.append(self._t(e.prompt) + " ", style="bold")
        line.append("> " + e.text)
        line.append("_", style="blink")
        lines = [line]
        if e.hint:
            lines.append(Text(("! " if e.bad else "= ") + self._t(e.hint), style="bold red" if e.bad else "dim",
                              no_wrap=True, overflow="crop"))
        if e.last:
            lines.append(Text(self._t(e.last), style="dim", no_wrap=True, overflow="crop"))
        return lines

    def _help(self, width: int) -> Text:
        keys = self.vote.keys
        if self.options.phones and self.vote.entry is None and keys:  # j: the join screen, before q
            keys = with_join(keys)
        line = ""
        for labelled in range(len(keys), -1, -1):  # labels go from the end first
            line = "  ".join(f"{k} {label}" if i < labelled else k for i, (k, label) in enumerate(keys))
            if cell_len(line) <= width:
                break
        return Text(line, style="dim", no_wrap=True, overflow="crop")

    def _bars(self, outcome: Outcome, width: int) -> list[Text]:
        bars = outcome.bars
        place_w = max((len(b.place) for b in bars), default=1)
        num_w = len(str(max((b.number for b in bars), default=1)))
        value_w = max((len(b.value) for b in bars), default=1)
        label_w = max((cell_len(b.label) for b in bars), default=0)
        title_w = min(max((cell_len(self._t(b.title)) for b in bars), default=4), max(8, width * 2 // 5))
        fixed = 2 + place_w + 1 + num_w + 1 + title_w + 1 + 1 + value_w + (1 + label_w if label_w else 0)
        bar_w = width - fixed
        if bar_w < 4:  # narrow: drop the labels, then shrink the titles
            label_w = 0
            fixed = 2 + place_w + 1 + num_w + 1 + title_w + 2 + value_w
            bar_w = max(3, width - fixed)
            title_w = max(4, title_w - max(0, 3 - (width - fixed)))
        return [self._bar(b, outcome.quota, place_w, num_w, title_w, bar_w, value_w, label_w) for b in bars]

    def _bar(self, b: Bar, quota: float | None, place_w: int, num_w: int, title_w: int, bar_w: int,
             value_w: int, label_w: int) -> Text:
        style = BAR_STYLES[b.state]
        full = "#" if self.options.ascii else "\u2588"
        filled = round(bar_w * b.fraction)
        if b.fraction > 0:
            filled = max(1, filled)
        cells = [full] * filled + [" "] * (bar_w - filled)
        if quota is not None:
            at = min(bar_w - 1, max(0, round(bar_w * quota) - 1))
            if cells[at] == " " or at >= filled - 1:
                cells[at] = "|"
        line = Text(no_wrap=True, overflow="crop")
        line.append(MARKS[b.state] + " ", style=style)
        line.append(f"{b.place:>{place_w}} {b.number:>{num_w}} ", style=style)
        line.append(_cell(self._t(b.title), title_w) + " ", style=style)
        line.append("".join(cells), style=style or "")
        line.append(f" {b.value:>{value_w}}", style=style)
        if label_w:
            line.append(" " + _cell(b.label, label_w), style=style)
        return line

    def _sections(self, width: int, clock_in_header: bool) -> dict[str, list[RenderableType]]:
        v, vote = self.view, self.vote
        para = self._paragraph
        sections: dict[str, list[RenderableType]] = {
            "header": [self._header(width, clock_in_header)],
            "title": [para(vote.title, "bold")],
            "message": [Text(self._t(v.message), style="reverse", no_wrap=True, overflow="crop")] if v.message else [],
            "help": [self._help(width)],
        }
        outcome = vote.outcome
        sections["entry"] = list(self._entry(width))
        if outcome is None:
            sections.update({
                "rule": [para(vote.rule, "dim")],
                "choices": list(self._choices(width)),
                "groups": [self._groups()],
                "phones": list(self._phones(width)),
                "status": [Text(self._t(vote.status), style="italic", no_wrap=True, overflow="crop")],
                "report": [para(line, "") for line in vote.report],
            })
        else:
            measure = _("{first}: {then}").format(first=outcome.heading, then=outcome.measure)
            sections.update({
                "measure": [para(measure, "bold")],
                "bars": list(self._bars(outcome, width)),
                "notes": [para(n, "") for n in outcome.notes],
                "tie": [para(outcome.tie, "bold yellow")] if outcome.tie else [],
                "chosen": [para(outcome.chosen, "bold green")] if outcome.chosen else [],
            })
        return sections

    def _paragraph(self, text: str, style: str) -> RenderableType:
        return CJKText(Text(self._t(text), style=style))

    # --- layout ------------------------------------------------------------------------
    def frame_lines(self, console: Console, options: ConsoleOptions) -> Lines:
        """Exactly `height` lines of exactly `width` cells (what `DiffScreen` paints)."""
        width = options.max_width
        height = options.height if options.height is not None else console.height
        margin = 1 if width >= 30 else 0
        inner = max(1, width - 2 * margin)
        if self.vote.outcome is not None:
            body = self._result(console, options, inner, height)
        else:
            body = self._board_with_qr(console, options, inner, height) or self._board(console, options, inner, height)
        pad = [Segment(" " * margin)] if margin else []
        lines = [[*pad, *line, *pad] for line in body[:height]]
        lines += [[Segment(" " * width)]] * (height - len(lines))
        if self.view.flash:
            lines = flashed(lines)
        return lines

    def _render(self, console: Console, options: ConsoleOptions, parts: list[RenderableType], width: int) -> Lines:
        return [line for part in parts for line in _render_one(console, options, part, width)]

    def _fit(self, console: Console, options: ConsoleOptions, sections: dict[str, list[RenderableType]],
             order: tuple[str, ...], partial: tuple[str, ...], budget: int, width: int) -> dict[str, Lines]:
        chosen: dict[str, Lines] = {}
        used = 0
        for name in order:
            lines = self._render(console, options, sections.get(name, []), width)
            room = budget - used
            if len(lines) > room:
                lines = lines[:room] if name in partial else []
            chosen[name] = lines
            used += len(lines)
        return chosen

    def _board(self, console: Console, options: ConsoleOptions, width: int, height: int, qr: bool = False) -> Lines:
        priority = ("header", "help", "entry", "message", "choices", "groups", "phones", "title", "status", "report",
                    "rule")
        sections = self._sections(width, clock_in_header=False)
        sections["phones"] = list(self._phones(width, hint=not qr))
        essential = ("header", "help", "entry", "message")
        room = height - sum(len(self._render(console, options, sections.get(n, []), width)) for n in essential)
        sections["choices"] = list(self._choices(width, room))
        needed = sum(len(self._render(console, options, sections.get(n, []), width)) for n in priority)
        digit_rows = height - needed
        if digit_rows < MIN_DIGIT_ROWS:  # no room for big digits: the countdown joins the header
            header: list[RenderableType] = [self._header(width, clock=True)]
            sections["header"] = header
            digit_rows = 0
        chosen = self._fit(console, options, sections, priority, ("choices", "report"), height, width)
        top = [*chosen["header"], *chosen["title"], *chosen["choices"], *chosen["groups"], *chosen["status"]]
        bottom = [*chosen["entry"], *chosen["report"], *chosen["message"], *chosen["rule"], *chosen["phones"],
                  *chosen["help"]]
        spare = height - len(top) - len(bottom)
        middle: Lines = []
        if digit_rows and spare >= MIN_DIGIT_ROWS:
            style = DIGIT_STYLES[self.view.phase]
            digits = _digits(console, options, self.view.clock, style, self.options.ascii, width, spare)
            drawn = [line for line in digits if any(seg.text.strip() for seg in line)] or digits[:1]
            above = (spare - len(drawn)) // 2
            middle = [*_blank(width, above), *drawn]
        middle += _blank(width, spare - len(middle))
        return [*top, *middle, *bottom]

    def _board_with_qr(self, console: Console, options: ConsoleOptions, width: int, height: int) -> Lines | None:
        """The board beside the phones' QR code (and the PIN), when the terminal is wide enough that
        the candidates keep a board of `BOARD_MIN_WIDTH` columns; None when it is not."""
        url = self.options.qr_url
        if not self.options.phones or not url or width < QR_MIN_WIDTH - 2:
            return None
        caption = [_("Scan to vote from your phone")]
        if self.options.pin:
            caption.append(_("PIN {pin}").format(pin=self.options.pin))
        board_width = max(BOARD_MIN_WIDTH, width * 3 // 5)
        color = console.color_system is not None and not console.no_color
        qr = qr_lines(url, width - board_width - QR_GAP, height - 1 - len(caption), ascii=self.options.ascii,
                      color=color)
        if qr is None:
            return None
        qr_width = sum(cell_len(seg.text) for seg in qr[0])
        board = self._board(console, options, width - qr_width - QR_GAP, height, qr=True)
        gap = Segment(" " * QR_GAP)
        column: Lines = [[Segment(" " * qr_width)], *([*line] for line in qr)]
        column += [[Segment(_centre(self._t(line), qr_width), Style(bold=True))] for line in caption]
        column += _blank(qr_width, height - len(column))
        return [[*left, gap, *right] for left, right in zip(board, column, strict=False)]

    def _result(self, console: Console, options: ConsoleOptions, width: int, height: int) -> Lines:
        priority = ("header", "help", "entry", "chosen", "message", "bars", "tie", "measure", "title", "notes")
        sections = self._sections(width, clock_in_header=True)
        chosen = self._fit(console, options, sections, priority, ("bars", "notes"), height, width)
        bars = chosen["bars"]
        below = [*chosen["notes"], *chosen["tie"], *chosen["chosen"]]
        spare = height - sum(len(lines) for lines in chosen.values())
        if bars and spare > len(bars) + 1:  # room to spare: space the bars out for the back of the hall
            bars = [line for bar in bars for line in (bar, *_blank(width, 1))][:-1]
            spare -= len(chosen["bars"]) - 1
        top = [*chosen["header"], *chosen["title"], *chosen["measure"], *bars]
        gap = min(1, spare) if below else 0
        bottom = [*chosen["entry"], *chosen["message"], *chosen["help"]]
        return [*top, *_blank(width, gap), *below, *_blank(width, spare - gap), *bottom]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.frame_lines(console, options):
            yield from line
            yield Segment.line()


def _centre(text: str, width: int) -> str:
    text = _cell(text, width) if cell_len(text) > width else text
    left = (width - cell_len(text)) // 2
    return " " * left + text + " " * (width - left - cell_len(text))


def _blank(width: int, n: int) -> Lines:
    return [[Segment(" " * width)] for _ in range(max(0, n))]


# Rendered lines by (text, width), per console: the board does not change from one second
# to the next, only the digits do.
_CACHE: weakref.WeakKeyDictionary[Console, dict[tuple[object, ...], Lines]] = weakref.WeakKeyDictionary()


def _render_one(console: Console, options: ConsoleOptions, part: RenderableType, width: int) -> Lines:
    cache = _CACHE.setdefault(console, {})
    key: tuple[object, ...] | None = None
    if isinstance(part, Text):
        key = ("t", part.plain, tuple(part.spans), str(part.style), width)
    elif isinstance(part, CJKText):
        key = ("c", part.text.plain, str(part.text.style), width)
    lines = cache.get(key) if key is not None else None
    if lines is None:
        lines = console.render_lines(part, options.update(width=width, height=None), pad=True)
        if key is not None:
            if len(cache) > 1024:
                cache.clear()
            cache[key] = lines
    return lines


def _digits(console: Console, options: ConsoleOptions, clock: str, style: str, ascii: bool, width: int,
            rows: int) -> Lines:
    cache = _CACHE.setdefault(console, {})
    key = ("d", clock, style, ascii, width, rows)
    lines = cache.get(key)
    if lines is None:
        lines = digit_lines(console, options, clock, style, ascii, width, rows)
        cache[key] = lines
    return lines
