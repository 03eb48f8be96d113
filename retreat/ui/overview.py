"""The `o` overview: every item planned against actual, and when the later ones will start.

One row per item (titles are cut, not wrapped, so the whole agenda fits); when the
agenda is longer than the screen, the rows shown are a window that keeps the current
item near the top. The current item's countdown stays on the first line, in its phase
colour, so the room never loses the time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich import box
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from retreat.i18n import _
from retreat.ui.keymap import OVERVIEW
from retreat.ui.stage import DIGIT_STYLES, StageOptions, key_help, split_line
from retreat.ui.view import Row, View

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, OverflowMethod, RenderableType, RenderResult

# Lines around the table: now-line, schedule, blank, table head (2 with its rule), footer.
CHROME = 6


def window(rows: tuple[Row, ...], room: int) -> tuple[Row, ...]:
    """At most `room` rows, keeping the current one in view with two done ones above it."""
    if len(rows) <= room:
        return rows
    current = next((i for i, r in enumerate(rows) if r.current), 0)
    first = max(0, min(current - 2, len(rows) - room))
    return rows[first : first + max(room, 1)]


def table(rows: tuple[Row, ...], width: int, ascii: bool) -> Table:
    wide = width >= 100
    grid = Table(
        box=box.ASCII2 if ascii else box.SIMPLE_HEAD,
        expand=True,
        padding=(0, 1),
        show_edge=False,
        pad_edge=False,
    )
    grid.add_column("#", justify="right", no_wrap=True)
    overflow: OverflowMethod = "crop" if ascii else "ellipsis"
    grid.add_column(_("Item"), ratio=1, no_wrap=True, overflow=overflow)
    if wide:
        grid.add_column(_("Presenter"), no_wrap=True, overflow=overflow, max_width=12)
    grid.add_column(_("Planned"), no_wrap=True)
    grid.add_column(_("Limit"), no_wrap=True)
    grid.add_column(_("Run"), no_wrap=True)
    grid.add_column(_("Start"), no_wrap=True)
    grid.add_column(_("Slip"), no_wrap=True)
    if wide:
        grid.add_column(_("State"), no_wrap=True)
    for row in rows:
        cells: list[str | Text] = [row.number, Text(row.title)]
        if wide:
            cells.append(Text(row.presenter))
        cells += [
            row.planned_start,
            row.planned,
            Text(row.actual, style="red" if row.overrun else ""),
            row.start,
            Text(row.slip, style="red" if row.slip.startswith("+") else "green"),
        ]
        if wide:
            cells.append(row.state)
        grid.add_row(*cells, style="reverse" if row.current else "")
    return grid


class Overview:
    def __init__(self, view: View, options: StageOptions) -> None:
        self.view = view
        self.options = options

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        v = self.view
        width = options.max_width
        height = options.height if options.height is not None else console.height
        a = self.options.ascii
        overflow: OverflowMethod = "crop" if a else "ellipsis"
        now = Text(no_wrap=True, overflow=overflow)
        now.append(f"{v.clock}  ", style=DIGIT_STYLES[v.phase])
        now.append(f"{v.position}/{v.count} {v.title}")
        rows = window(v.overview or (), max(1, height - CHROME))
        lines: list[RenderableType] = [
            split_line(v.overview_title, v.time_of_day, width, style="bold", ascii=a, badge=v.rehearsal),
            now,
            Text(v.schedule.replace("\u00b7", "|") if a else v.schedule, no_wrap=True, overflow=overflow),
            table(rows, width, self.options.ascii),
            Text(v.message, style="reverse", no_wrap=True) if v.message else Text(""),
            Text(_(OVERVIEW.reminder) + "   " + key_help(width - 25, dict(OVERVIEW.help()), OVERVIEW.drop), style="dim",
                 no_wrap=True, overflow="crop"),
        ]  # fmt: skip
        rendered = [console.render_lines(r, options.update(width=width, height=None), pad=True)
                    for r in lines]  # fmt: skip
        out = [line for block in rendered[:-2] for line in block]
        footer = [line for block in rendered[-2:] for line in block]
        out = out[: max(0, height - len(footer))]
        out += [[Segment(" " * width)]] * (height - len(out) - len(footer)) + footer
        for line in out[:height]:
            yield from line
            yield Segment.line()
