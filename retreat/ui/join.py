"""The `j` screen: how phones join, for the whole room: the QR code as large as fits, the
address to type, the meeting's PIN in big digits, and, during a vote, how many ballots
phones have sent to it. `Tab` switches to the podium timer's code (the read-only view the
tablet on the lectern opens) and back; the title says which code is shown.

The item's countdown stays on the first line, so the room never loses the time; an alarm
closes this screen (the run loop does, as it closes the overview). Like `Stage` it lays
itself out at render time: the QR code beside the text when that gives the larger code,
else above it. No emoji; with --ascii no ambiguous-width characters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style

from retreat.i18n import _, ngettext
from retreat.ui.bigdigits import FONTS, render_lines, supported
from retreat.ui.cjkwrap import pad_line, wrap
from retreat.ui.keymap import JOIN, JOIN_TAB, TIMER_TAB
from retreat.ui.qr import draw, fit_scale, size
from retreat.ui.stage import StageOptions, flashed

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

    from retreat.ui.view import View

Lines = list[list[Segment]]
GAP = 4  # columns between the code and the text beside it
MAX_PIN_ROWS = 10  # the big PIN stays smaller than the code
MIN_TEXT = 24  # the text beside the code keeps at least this many columns
BOLD = Style(bold=True)
LONG = Style(bold=True)  # bold too, but a long address (the timer's) may break across lines, unlike BOLD
DIM = Style(dim=True)


def ballots_line(view: View) -> str:
    """During an open vote: how many ballots came from phones."""
    vote = view.vote
    if vote is None or vote.outcome is not None:
        return ""
    return ngettext("{n} ballot from phones in this vote so far", "{n} ballots from phones in this vote so far",
                    vote.phones).format(n=vote.phones)


class JoinScreen:
    """A renderable frame: `frame_lines` gives exactly the screen's lines."""

    def __init__(self, view: View, options: StageOptions) -> None:
        self.view = view
        self.options = options
        self.timer = options.show_timer and bool(options.timer_url)  # the podium timer's code, not the join code

    def _reminder(self) -> str:
        """How to leave, and, when there is a timer code, what Tab shows instead."""
        if not self.options.timer_url:
            return _(JOIN.reminder)
        return f"{_(JOIN.reminder)}   {_(TIMER_TAB if self.timer else JOIN_TAB)}"

    def _info(self) -> list[tuple[str, Style | None]]:
        """The text beside (or under) the code, line by line, before the big PIN."""
        o = self.options
        if self.timer:
            return [
                (_("On the tablet at the podium, scan the code or open:"), None),
                (o.timer_url, LONG),
                ("", None),
                (_("The speaker's countdown and your messages, read-only: it cannot join, vote or see questions."),
                 None),
            ]
        lines: list[tuple[str, Style | None]] = [
            (_("Connect to this network, then scan the code or open:"), None),
            (o.phones, BOLD),
        ]
        if o.pin:
            lines += [("", None), (_("PIN {pin}").format(pin=o.pin), BOLD)]
        else:
            lines.append((_("Then type the code on your slip."), None))
        ballots = ballots_line(self.view)
        if ballots:
            lines += [("", None), (ballots, None)]
        return lines

    def frame_lines(self, console: Console, options: ConsoleOptions) -> Lines:
        """Exactly `height` lines of exactly `width` cells (what `DiffScreen` paints)."""
        width = options.max_width
        height = options.height if options.height is not None else console.height
        margin = 1 if width >= 30 else 0
        inner = max(1, width - 2 * margin)
        v = self.view
        left = v.meeting if v.ended else f"{v.position}/{v.count}  {v.kind}"
        if v.rehearsal:
            left = f"[{v.rehearsal}]  {left}"
        right = f"{v.clock}  {v.time_of_day}" if not v.ended else v.time_of_day
        title = _("Podium timer: the speaker's screen") if self.timer else _("Join from your phone")
        top = [_split(left, right, inner, BOLD), _centred(title, inner, BOLD)]
        bottom = []
        if v.message:
            bottom.append([Segment(_fit(self._t(v.message), inner), Style(reverse=True))])
        bottom.append([Segment(_fit(self._reminder(), inner), DIM)])
        if height < len(top) + len(bottom) + 1:
            top = top[:1]
        rows = max(0, height - len(top) - len(bottom))
        color = console.color_system is not None and not console.no_color
        url, pin = (self.options.timer_url, "") if self.timer else (self.options.qr_url, self.options.pin)
        body = _body(url, tuple((self._t(t), s) for t, s in self._info()), pin, inner, rows, self.options.ascii,
                     color)
        lines = [*top, *body, *bottom][:height]
        pad = [Segment(" " * margin)] if margin else []
        lines = [[*pad, *line, *pad] for line in lines]
        lines += [[Segment(" " * width)]] * (height - len(lines))
        if v.flash:  # the code keeps its own colours: its segments set both
            lines = flashed(lines)
        return lines

    def _t(self, text: str) -> str:
        return text.replace("\u00b7", "|") if self.options.ascii else text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.frame_lines(console, options):
            yield from line
            yield Segment.line()


# The body by everything it depends on: the screen repaints every second for the clock
# in the first line, and the body does not change with it.
_CACHE: dict[tuple[object, ...], Lines] = {}


def _body(url: str, info: tuple[tuple[str, Style | None], ...], pin: str, width: int, rows: int, ascii: bool,
          color: bool) -> Lines:
    key = (url, info, pin, width, rows, ascii, color)
    body = _CACHE.get(key)
    if body is None:
        if len(_CACHE) > 16:
            _CACHE.clear()
        body = _CACHE[key] = _layout(url, info, pin, width, rows, ascii, color)
    return body


def _wrapped(info: tuple[tuple[str, Style | None], ...], width: int) -> Lines:
    """The text lines wrapped to `width` (the bold ones, address and PIN, are never broken)."""
    lines: Lines = []
    for text, style in info:
        parts = [text] if style is BOLD or cell_len(text) <= width else wrap(text, max(1, width))
        lines += [[Segment(part, style)] for part in parts]
    return lines


def _layout(url: str, info: tuple[tuple[str, Style | None], ...], pin: str, width: int, rows: int, ascii: bool,
            color: bool) -> Lines:
    """The code beside the text, or above it, whichever gives the larger code (beside on a tie)."""
    least = max([MIN_TEXT, *(cell_len(t) for t, s in info if s is BOLD)])  # the text column's narrowest
    beside = under = 0
    if url:
        beside = fit_scale(url, width - least - GAP, rows, ascii=ascii)
        while beside and len(_wrapped(info, width - size(url, beside, ascii=ascii)[0] - GAP)) > rows:
            beside -= 1
        under_text = len(_wrapped(info, width))
        under = fit_scale(url, width, rows - under_text - 1, ascii=ascii)
    if not beside and not under:
        text = _wrapped(info, width)
        text.append([Segment(_("The terminal is too small for the QR code."), DIM)])
        return _middle([pad_line(line, width) for line in text], width, rows)
    if beside >= under:
        qr = draw(url, beside, ascii=ascii, color=color)
        qr_w, qr_h = size(url, beside, ascii=ascii)
        col_w = width - qr_w - GAP
        text = _wrapped(info, col_w)
        text += _big_pin(pin, col_w, min(MAX_PIN_ROWS, rows - len(text) - 1), ascii)
        text_w = min(col_w, max(sum(cell_len(s.text) for s in line) for line in text))
        above = max(0, (qr_h - len(text)) // 2)
        column = [*([[]] * above), *text]
        indent = max(0, (width - qr_w - GAP - text_w) // 2)
        block: Lines = []
        for i in range(max(qr_h, len(column))):
            code = list(qr[i]) if i < len(qr) else [Segment(" " * qr_w)]
            words = pad_line(column[i], text_w) if i < len(column) else [Segment(" " * text_w)]
            block.append([Segment(" " * indent), *code, Segment(" " * GAP), *words,
                          Segment(" " * (width - indent - qr_w - GAP - text_w))])
        return _middle(block, width, rows)
    qr = draw(url, under, ascii=ascii, color=color)
    qr_w, qr_h = size(url, under, ascii=ascii)
    text = _wrapped(info, width)
    text += _big_pin(pin, width, min(MAX_PIN_ROWS, rows - qr_h - len(text) - 2), ascii)
    indent = (width - qr_w) // 2
    block = [[Segment(" " * indent), *line, Segment(" " * (width - indent - qr_w))] for line in qr]
    block.append([Segment(" " * width)])
    block += [_centre_line(line, width) for line in text]
    return _middle(block, width, rows)


def _big_pin(pin: str, width: int, rows: int, ascii: bool) -> Lines:
    """The PIN in big digits under its line, when a font fits (one blank row above it)."""
    if not pin or not supported(pin) or rows < 6:
        return []
    fitting = [f for f in FONTS if f.height <= rows - 1 and f.width(pin) <= width]
    if not fitting:
        return []
    drawn = render_lines(pin, fitting[-1], ascii=ascii)
    return [[], *([Segment(line, BOLD)] for line in drawn)]


def _middle(block: Lines, width: int, rows: int) -> Lines:
    """`block` centred in `rows` rows (its end cut when it is taller)."""
    block = block[:rows]
    above = (rows - len(block)) // 2
    blank = [Segment(" " * width)]
    return [*([blank] * above), *block, *([blank] * (rows - above - len(block)))]


def _centre_line(line: list[Segment], width: int) -> list[Segment]:
    used = sum(cell_len(s.text) for s in line)
    if used >= width:
        return pad_line(line, width)
    left = (width - used) // 2
    return pad_line([Segment(" " * left), *line], width)


def _fit(text: str, width: int) -> str:
    return set_cell_size(text, width)


def _centred(text: str, width: int, style: Style) -> list[Segment]:
    return _centre_line([Segment(text, style)], width)


def _split(left: str, right: str, width: int, style: Style) -> list[Segment]:
    gap = width - cell_len(left) - cell_len(right)
    return [Segment(_fit(left + (" " * gap + right if gap >= 2 else ""), width), style)]
