"""The commitments table printed by `retreat followups`."""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text

from retreat.i18n import _
from retreat.meeting.followups import Commitment
from retreat.meeting.qa import FOLLOWUP_LABELS
from retreat.ui.cjkwrap import CJKText


def followups_table(items: list[Commitment]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    table.add_column(_("ID"), no_wrap=True)
    table.add_column(_("Owner"), ratio=0, max_width=10)
    table.add_column(_("Promise"), ratio=1)
    # Due date and status share a column: on a narrow screen Rich would drop a last column,
    # and an overdue mark must never be the thing that disappears.
    table.add_column(_("Due / status"), no_wrap=True)
    for c in items:
        style = "bold red" if c.overdue else "green" if c.status == "done" else ""
        status = Text(c.due + "\n", style=style)
        status.append(_(FOLLOWUP_LABELS[c.status]), style=style)
        if c.overdue:
            status.append("\n" + _("OVERDUE"), style="bold red reverse")
        promise = Text(c.promise)
        promise.append("\n" + _("raised by {asker}").format(asker=c.asker), style="dim")
        if c.progress:
            promise.append("\n" + _("latest: {note}").format(note=c.progress[-1]), style="italic")
        table.add_row(Text(c.id), CJKText(c.owner), CJKText(promise), status)
    return table
