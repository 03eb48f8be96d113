"""The ledger as a table: listing and CSV of the year's tasks (see retreat.meeting.ledger).

Commitments made in answer to grassroots questions keep their ids `<session-stem>:<question
number>` (e.g. `retreat-demo:3`); items a vote chose are `<session-stem>:<vote-id>:<candidate-id>`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import TYPE_CHECKING

from retreat.i18n import N_, translator
from retreat.meeting.ledger import Task, session_stem, summary, tasks
from retreat.meeting.qa import FOLLOWUP_LABELS

if TYPE_CHECKING:
    from retreat.meeting.session import Record

__all__ = ["Task", "commitments", "session_stem", "split_id", "summary", "tasks", "to_csv"]

KIND_LABELS = {"commitment": N_("Commitment"), "project": N_("Chosen item")}


def commitments(records: list[Record], today: dt.date) -> list[Task]:
    return tasks(records, today, "commitment")


def to_csv(items: list[Task], lang: str) -> str:
    """CSV text; the caller writes it with a UTF-8 BOM so spreadsheet programs read Chinese."""
    t = translator(lang).gettext
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([t("ID"), t("Meeting"), t("Owner"), t("Task"), t("Due"), t("Status"), t("Overdue"),
                     t("Kind"), t("Origin"), t("Raised by"), t("Affiliation"), t("Question"), t("Progress")])
    for c in items:
        writer.writerow([c.id, c.meeting, c.owner, c.title, c.due, t(FOLLOWUP_LABELS[c.status]),
                         t("yes") if c.overdue else "", t(KIND_LABELS[c.kind]), c.origin,
                         c.asker, c.area, c.question, " / ".join(f"{day} {note}" for day, note in c.progress)])
    return buf.getvalue()


def split_id(commitment_id: str) -> tuple[str, int]:
    """`retreat-demo:3` -> ("retreat-demo", 3); ValueError when it is not of that form."""
    stem, sep, number = commitment_id.rpartition(":")
    if not sep or not stem or not number.isdigit():
        raise ValueError(commitment_id)
    return stem, int(number)
