"""The stage on a Q&A item ("Questions from the grassroots").

Laid out like the ordinary stage (sections above and below, the middle takes the rest),
with a different middle: while a department answers, the answer countdown in big digits;
once an asker is drawn and no answer runs, the asker's name, spaced out in a reversed
band, and their residential area, as large as a terminal can make text; before the first
draw, the segment's own countdown. The segment's countdown otherwise sits on a small line
with the tally of questions, so the room always sees both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style

from retreat.ui.cjkwrap import wrap
from retreat.ui.keymap import QA
from retreat.ui.stage import DIGIT_STYLES, FLASH_SCREEN, Lines, Spec, Stage, _render

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions

    from retreat.ui.view import QAView

BANNER = "bold reverse"


def qa_help(waiting: bool, phones: bool) -> tuple[tuple[str, str], ...]:
    """The Q&A keys for the help line: m (a phone question) only while accepted ones wait, j (the
    phones' QR code) only with --participate."""
    return QA.help(*(("waiting",) if waiting else ()), *(("phones",) if phones else ()))


def spaced(name: str) -> str:
    """`林 秀 英`: a short CJK name is read from further away with air between its characters."""
    if len(name) <= 6 and all(cell_len(ch) == 2 for ch in name):
        return " ".join(name)
    return name


class QAStage(Stage):
    TOP = ("header", "title", "asker", "question", "answering")
    BOTTOM = ("result", "caption", "hint", "phones", "pending", "bar", "segment", "message", "session", "help")
    PRIORITY = ("header", "help", "hint", "caption", "message", "asker", "question", "answering", "segment",
                "phones", "pending", "result", "title", "bar", "session")  # fmt: skip
    PARTIAL: ClassVar[dict[str, int]] = {"title": 1, "question": 3}

    @property
    def qa(self) -> QAView:
        assert self.view.qa is not None
        return self.view.qa

    def _sections(self) -> dict[str, list[Spec]]:
        v, q, a = self.view, self.qa, self.options.ascii
        sections = super()._sections()
        in_band = q.mode != "answer" and bool(q.asker)  # the middle shows the asker
        asker = " · ".join(p for p in (q.asker, q.area) if p)
        segment_style = DIGIT_STYLES[q.segment_phase].replace("bold", "").strip()
        sections.update({
            "title": [("cjk", v.title, "bold")],
            "asker": [("cjk", self._plain(asker), BANNER)] if asker and not in_band else [],
            "question": [("cjk", q.question, "bold")] if q.question else [],
            "answering": [("line", self._plain(q.answering), "", "left", a)] if q.answering else [],
            "result": [("line", self._plain(q.result), "", "left", a)] if q.result else [],
            "hint": [("cjk", q.hint, "reverse" if q.phase.value == "overtime" else "bold")],
            "segment": [("split", q.segment, self._plain(q.tally), segment_style, a)],
            "phones": [("line", q.phones, "bold", "left", a)] if q.phones else [],
            # only with --participate: the desk page is where they are decided
            "pending": [("line", q.pending, "", "left", a)] if q.pending and self.options.phones else [],
            "help": [("help", qa_help(bool(q.phones), bool(self.options.phones)), QA.drop)],
        })
        return sections

    def _middle(self, console: Console, options: ConsoleOptions, rows: int, width: int) -> Lines:
        q = self.qa
        if q.mode == "answer":
            style = FLASH_SCREEN if self.view.flash else DIGIT_STYLES[q.phase]
            return _render(console, options, ("digits", q.clock, style, self.options.ascii, rows), width)
        if q.asker:
            return banner(q, rows, width)
        return super()._middle(console, options, rows, width)


def _centred(text: str, width: int, style: str = "") -> list[Segment]:
    text = text if cell_len(text) <= width else wrap(text, width)[0]
    left = (width - cell_len(text)) // 2
    right = width - left - cell_len(text)
    return [Segment(" " * left), Segment(text, Style.parse(style) if style else None), Segment(" " * right)]


def _pad(text: str, width: int) -> str:
    spare = max(0, width - cell_len(text))
    return " " * (spare // 2) + text + " " * (spare - spare // 2)


def banner(q: QAView, rows: int, width: int) -> Lines:
    """The drawn asker: the ordinal, the name in a reversed band, the area; centred."""
    name = spaced(q.asker)
    names = wrap(name, max(1, width - 4)) if cell_len(name) > width - 4 else [name]
    band_width = min(width, max(cell_len(n) for n in names) + 8)
    band = [_centred(_pad(n, band_width), width, BANNER) for n in names]
    pad = [_centred(" " * band_width, width, BANNER)]
    area = [_centred(part, width, "bold") for part in wrap(q.area, width)] if q.area else []
    ordinal = [_centred(q.ordinal, width, "dim")] if q.ordinal else []
    blank = [Segment(" " * width)]
    layouts = [
        [*ordinal, blank, *pad, *band, *pad, blank, *area],
        [*ordinal, *pad, *band, *pad, *area],
        [*ordinal, *band, *area],
        [*band, *area],
        band,
    ]
    return next((lay for lay in layouts if len(lay) <= rows), band[:rows])
