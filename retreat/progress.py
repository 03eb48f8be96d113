"""The public progress report (阶段性进展反馈) of `retreat followups -o FILE.md|.html|.docx`.

Rendered from templates/progress.md.j2 like the minutes, and exported by the same machinery.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from retreat.durations import format_date_in
from retreat.i18n import translator
from retreat.meeting.ledger import Task, by_department, completion, department_line, summary
from retreat.meeting.qa import FOLLOWUP_LABELS
from retreat.minutes import markdown_env
from retreat.paths import bundled_template

if TYPE_CHECKING:
    from retreat.meeting.session import Record

TEMPLATE = "progress.md.j2"


def progress_context(records: list[Record], items: list[Task], kind: str, today: dt.date, lang: str) -> dict[str, Any]:
    t = translator(lang).gettext
    total, done, rate = completion(items)
    departments = []
    for owner, theirs in by_department(items):
        departments.append({
            "name": owner or t("(no owner)"),
            "line": department_line(owner, theirs),
            "tasks": [{
                "id": task.id, "title": task.title, "origin": task.origin, "owner": task.owner,
                "due": task.due or "—", "status": t(FOLLOWUP_LABELS[task.status]), "overdue": task.overdue,
                "latest": task.latest[1] if task.latest else "—", "latest_date": task.latest[0] if task.latest else "",
            } for task in theirs],
        })
    return {
        "lang": lang,
        "meetings": [{"title": r.agenda.meeting.title, "date": _date(r.agenda.meeting.date, lang),
                      "file": r.path} for r in records],
        "as_of": format_date_in(today, lang),
        "summary": summary(items, kind),
        "total": total, "done": done, "rate": f"{rate:.1f}",
        "overdue": sum(1 for task in items if task.overdue),
        "departments": departments,
    }


def render_progress(records: list[Record], items: list[Task], kind: str, today: dt.date, lang: str) -> str:
    context = progress_context(records, items, kind, today, lang)
    env = markdown_env(lang)
    source = bundled_template(TEMPLATE).read_text(encoding="utf-8")
    return env.from_string(source).render(**context)


def _date(day: object, lang: str) -> str:
    return format_date_in(day, lang) if isinstance(day, dt.date) else str(day or "")
