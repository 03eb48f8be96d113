"""The tasks table printed by `retreat followups`."""

from __future__ import annotations

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from retreat.i18n import _
from retreat.meeting.ledger import Task
from retreat.meeting.qa import FOLLOWUP_LABELS
from retreat.ui.cjkwrap import CJKText


def followups_table(items: list[Task]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    # The id heads its task's cell, never wrapped or cut (a secretary copies it into the next
    # command); the task's text wraps below it, so a long id does not squeeze the text.
    widest = max((len(c.id) for c in items), default=2)
    table.add_column(_("ID") + " / " + _("Task"), ratio=1, min_width=widest)
    table.add_column(_("Owner"), ratio=0, max_width=10)
    # Due date and status share a column: on a narrow screen Rich would drop a last column,
    # and an overdue mark must never be the thing that disappears.
    table.add_column(_("Due / status"), no_wrap=True)
    for c in items:
        style = "bold red" if c.overdue else "green" if c.status == "done" else ""
        status = Text((c.due or "—") + "\n", style=style)
        status.append(_(FOLLOWUP_LABELS[c.status]), style=style)
        if c.overdue:
            status.append("\n" + _("OVERDUE"), style="bold red reverse")
        title = Text(c.title)
        origin = _("raised by {asker}").format(asker=c.asker) if c.kind == "commitment" else c.origin
        title.append("\n" + origin, style="dim")
        if c.latest is not None:
            title.append("\n" + _("latest: {note}").format(note=f"{c.latest[0]} {c.latest[1]}"), style="italic")
        ident = Text(c.id, style="bold", no_wrap=True, overflow="ignore")
        table.add_row(Group(ident, CJKText(title)), CJKText(c.owner), status)
    return table
