"""The `l` screen: during a department's work report, that department's tasks of last year.

The first talking point of every report is how last year went (去年工作完成情况): this is
the table it reports against. It reads only the snapshot the session recorded when the
meeting's first item started (`MeetingState.previous_tasks`), never the old sessions
themselves, so what the room sees is what the minutes record.

Like the overview it keeps the item's countdown on its first lines, so the room never loses
the time, and an alarm closes it (the run loop does). Each task is its status in a column of
its own, then its title and, dimmed, where it came from, its due date and its latest
progress, wrapped the CJK way under the title. No emoji; with --ascii no ambiguous-width
characters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style

from retreat.i18n import _, ngettext
from retreat.meeting.ledger import Task, of_department, summary
from retreat.meeting.qa import FOLLOWUP_LABELS
from retreat.ui.cjkwrap import pad_line, wrap
from retreat.ui.keymap import TASKS
from retreat.ui.stage import DIGIT_STYLES, StageOptions, flashed

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

    from retreat.agenda import Item
    from retreat.meeting.engine import MeetingState
    from retreat.ui.view import View

Lines = list[list[Segment]]
BOLD = Style(bold=True)
DIM = Style(dim=True)
MARKS = {"done": Style(color="green", bold=True), "overdue": Style(color="red", bold=True, reverse=True),
         "in progress": Style(color="yellow"), "open": Style()}  # fmt: skip


@dataclass(frozen=True)
class TaskLine:
    mark: str  # done, overdue, in progress, open: how the status is drawn
    status: str  # as shown
    title: str
    detail: tuple[str, ...]  # where it came from; its due date and latest progress (a line each, wrapped)


@dataclass(frozen=True)
class TasksPanel:
    heading: str  # "党政办公室 · 2026年度工作任务完成情况"
    summary: str  # "任务 3 项，已完成 1 项，完成率 33.3%，逾期 1 项"; "" when there is nothing to count
    tasks: tuple[TaskLine, ...]
    empty: str  # said instead of the tasks when there are none to show


def years_heading(years: list[int | None]) -> str:
    """"2026年度工作任务完成情况" (the previous meetings' years), or without a year when none is known."""
    known = sorted({y for y in years if y is not None})
    if not known:
        return _("Tasks of last year: completion")
    return _("Tasks of {year}: completion").format(year="/".join(str(y) for y in known))


def task_line(task: Task) -> TaskLine:
    status = _(FOLLOWUP_LABELS[task.status])
    mark = task.status
    if task.overdue:
        status, mark = _("overdue"), "overdue"
    parts = []
    if task.due:
        parts.append(_("due {date}").format(date=task.due))
    if task.latest is not None:
        parts.append(_("latest {date} {note}").format(date=task.latest[0], note=task.latest[1]))
    return TaskLine(mark, status, task.title, tuple(line for line in (task.origin, " · ".join(parts)) if line))


def panel(state: MeetingState, item: Item) -> TasksPanel:
    """The tasks of `item`'s department from the recorded snapshot, or why there are none."""
    agenda = state.agenda
    department = agenda.department_name(item.department or None)
    heading = years_heading([s.year for s in state.previous_sessions])
    if department:
        heading = f"{department} · {heading}"
    if state.previous_tasks is None:
        if agenda.meeting.previous:
            why = _("The previous sessions' tasks are recorded when the meeting's first item starts.")
        else:
            why = _("No previous session is named in the agenda (meeting.previous), so there are no tasks "
                    "of last year to show.")
        return TasksPanel(heading, "", (), why)
    if not item.department:
        return TasksPanel(heading, "", (), _("This item names no department."))
    theirs = of_department(state.previous_tasks, agenda, item.department)
    if not theirs:
        return TasksPanel(heading, "", (), _("{department} had no tasks in the previous sessions.").format(
            department=department))
    line = summary(theirs)
    overdue = sum(1 for t in theirs if t.overdue)
    if overdue:
        line += _(", {n} overdue").format(n=overdue)
    return TasksPanel(heading, line, tuple(task_line(t) for t in theirs), "")


class TasksScreen:
    """A renderable frame: `frame_lines` gives exactly the screen's lines."""

    def __init__(self, view: View, tasks: TasksPanel, options: StageOptions) -> None:
        self.view = view
        self.tasks = tasks
        self.options = options

    def _t(self, text: str) -> str:
        return text.replace("\u00b7", "|") if self.options.ascii else text

    def frame_lines(self, console: Console, options: ConsoleOptions) -> Lines:
        width = options.max_width
        height = options.height if options.height is not None else console.height
        margin = 1 if width >= 30 else 0
        inner = max(1, width - 2 * margin)
        v, p = self.view, self.tasks
        went = _("How last year went")
        left = f"{v.position}/{v.count}  {v.kind} \u00b7 {went}"
        if v.rehearsal:
            left = f"[{v.rehearsal}]  {left}"
        if v.speaker:
            left = f"{left}  [{v.speaker}]"
        top: Lines = [
            _split(self._t(left), v.time_of_day, inner, BOLD),
            pad_line([Segment(v.clock + "  ", Style.parse(DIGIT_STYLES[v.phase])), Segment(self._t(v.title))], inner),
            *head_lines(p, inner, self._t),
        ]
        bottom: Lines = []
        if v.message:
            bottom.append(pad_line([Segment(self._t(v.message), Style(reverse=True))], inner))
        bottom.append(pad_line([Segment(_(TASKS.reminder), DIM)], inner))
        rows = max(0, height - len(top) - len(bottom))
        body = body_lines(p, inner, rows, self._t)
        lines = [*top, *body, *([[Segment(" " * inner)]] * (rows - len(body))), *bottom][:height]
        pad = [Segment(" " * margin)] if margin else []
        lines = [[*pad, *line, *pad] for line in lines]
        lines += [[Segment(" " * width)]] * (height - len(lines))
        return flashed(lines) if v.flash else lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.frame_lines(console, options):
            yield from line
            yield Segment.line()


def head_lines(p: TasksPanel, width: int, t: Callable[[str], str] = str) -> Lines:
    """The heading and the completion line, then a blank line."""
    lines = [pad_line([Segment(t(p.heading), BOLD)], width)]
    if p.summary:
        lines.append(pad_line([Segment(p.summary)], width))
    return [*lines, [Segment(" " * width)]]


def panel_lines(p: TasksPanel, width: int) -> Lines:
    """The whole panel without the stage around it (for `retreat demo --next-year`)."""
    return [*head_lines(p, width), *body_lines(p, width, 10_000, str)]


def body_lines(p: TasksPanel, width: int, rows: int, t: Callable[[str], str]) -> Lines:
    """The tasks, one block each: the status in its own column, the title and its details
    wrapped beside it. When they do not all fit, the last row counts the ones left out."""
    if not p.tasks:
        return [pad_line([Segment(line)], width) for line in wrap(t(p.empty), max(1, width))][:rows]
    column = max(cell_len(task.status) for task in p.tasks)
    text_width = max(1, width - column - 2)
    blocks: list[Lines] = []
    for task in p.tasks:
        text = [(line, Style()) for line in wrap(t(task.title), text_width)]
        text += [(line, DIM) for detail in task.detail for line in wrap(t(detail), text_width)]
        blocks.append([
            pad_line([Segment(set_cell_size(task.status, column), MARKS.get(task.mark)) if i == 0
                  else Segment(" " * column), Segment("  "), Segment(line, style)], width)
            for i, (line, style) in enumerate(text)
        ])
    if sum(len(b) for b in blocks) <= rows:
        return [line for block in blocks for line in block]
    lines: Lines = []
    for n, block in enumerate(blocks):
        if len(lines) + len(block) > rows - 1:
            left = len(blocks) - n
            more = ngettext("... and {n} more task", "... and {n} more tasks", left).format(n=left)
            return [*lines, pad_line([Segment(more, DIM)], width)][:rows]
        lines += block
    return lines


def _split(left: str, right: str, width: int, style: Style) -> list[Segment]:
    gap = width - cell_len(left) - cell_len(right)
    return pad_line([Segment(left + (" " * gap + right if gap >= 2 else ""), style)], width)
