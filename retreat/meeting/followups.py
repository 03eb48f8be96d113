"""Commitments made in answer to grassroots questions, across one or several sessions.

Each commitment has a short stable id `<session-stem>:<question number>` (e.g.
`retreat-demo:3`) so a secretary can track it for months and across meetings.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from retreat.i18n import _, translator
from retreat.meeting.qa import FOLLOWUP_LABELS, Question, completion
from retreat.meeting.session import Record


@dataclass(frozen=True)
class Commitment:
    id: str
    session: str
    meeting: str
    owner: str
    promise: str
    due: str
    status: str  # open | in progress | done
    overdue: bool
    asker: str
    area: str
    question: str
    progress: tuple[str, ...]


def session_stem(record: Record) -> str:
    return Path(record.path).stem


def commitments(records: list[Record], today: dt.date) -> list[Commitment]:
    out = []
    for record in records:
        stem = session_stem(record)
        for q in record.state.qa.followups():
            if q.followup is None:
                continue
            out.append(
                Commitment(
                    id=f"{stem}:{q.qid}",
                    session=record.path,
                    meeting=record.agenda.meeting.title,
                    owner=record.agenda.department_name(q.followup.owner),
                    promise=q.followup.promise,
                    due=q.followup.due,
                    status=q.followup.status,
                    overdue=q.followup.overdue(today),
                    asker=q.asker,
                    area=q.area,
                    question=q.text,
                    progress=tuple(note for _, note in q.followup.progress),
                )
            )
    return out


def summary(records: list[Record]) -> str:
    """"12 commitments, 7 done, 58.3%"."""
    questions: list[Question] = [q for r in records for q in r.state.qa.followups()]
    total, done, rate = completion(questions)
    return _("{total} commitments, {done} done, {rate}%").format(total=total, done=done, rate=f"{rate:.1f}")


def to_csv(items: list[Commitment], lang: str) -> str:
    """CSV text; the caller writes it with a UTF-8 BOM so spreadsheet programs read Chinese."""
    t = translator(lang).gettext
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([t("ID"), t("Meeting"), t("Owner"), t("Promise"), t("Due"), t("Status"), t("Overdue"),
                     t("Raised by"), t("Affiliation"), t("Question"), t("Progress")])
    for c in items:
        writer.writerow([c.id, c.meeting, c.owner, c.promise, c.due, t(FOLLOWUP_LABELS[c.status]), t("yes") if c.overdue else "",
                         c.asker, c.area, c.question, " / ".join(c.progress)])
    return buf.getvalue()


def split_id(commitment_id: str) -> tuple[str, int]:
    """`retreat-demo:3` -> ("retreat-demo", 3); ValueError when it is not of that form."""
    stem, sep, number = commitment_id.rpartition(":")
    if not sep or not stem or not number.isdigit():
        raise ValueError(commitment_id)
    return stem, int(number)
