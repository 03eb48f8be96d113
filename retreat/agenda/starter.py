"""A new agenda for `retreat new`: a bundled agenda of the kind of meeting, filled in with the
secretary's answers, or a rundown read from a spreadsheet; written as commented YAML that
`retreat check` accepts.

Pure: no terminal, no prompts. The questions are asked in `retreat/cli/new_cmd.py`; the
answers come here as `Answers`.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retreat.agenda.sheets import SheetError, Table, find_table, read_rows
from retreat.errors import AgendaError, AgendaErrors
from retreat.i18n import _

MEETING_KINDS = ("retreat", "mobilisation", "forum", "symposium")
# The bundled agenda each kind of meeting starts from (in agendas/).
STARTER_FILES = {
    "retreat": "retreat-demo.yaml",
    "mobilisation": "mobilisation.yaml",
    "forum": "forum.yaml",
    "symposium": "symposium.yaml",
}
# What a department's report is called in each kind of meeting, when departments are given.
REPORT_TITLES = {
    "retreat": "{name}工作汇报",
    "mobilisation": "{name}表态发言",
    "forum": "{name}交流分享",
    "symposium": "{name}交流发言",
}


@dataclass
class Answers:
    """What the secretary said; None or empty leaves the bundled agenda's value."""

    title: str = ""
    date: dt.date | None = None
    start: str = ""
    venue: str = ""
    chair: str = ""
    recorder: str = ""
    departments: list[tuple[str, str]] = field(default_factory=list)  # (name, head)
    counts: dict[str, int] = field(default_factory=dict)  # item kind -> how many


def parse_departments(text: str) -> list[tuple[str, str]]:
    """`党政办公室 陈静；经济发展办公室 赵海涛` (or one per line, or `,`/`、`): (name, head)."""
    out = []
    for part in re.split(r"[；;，,、\n]+", text):
        words = part.split()
        if words:
            out.append((words[0], " ".join(words[1:])))
    return out


def fill(data: dict[str, Any], answers: Answers, kind: str) -> dict[str, Any]:
    """The bundled agenda's data with the answers put in."""
    data = copy.deepcopy(data)
    meeting = data.setdefault("meeting", {})
    for key in ("title", "venue", "chair", "recorder", "start"):
        value = getattr(answers, key)
        if value:
            meeting[key] = value
    if answers.date is not None:
        meeting["date"] = answers.date.isoformat()
    items: list[dict[str, Any]] = data["items"]
    if answers.departments:
        departments = [
            {"id": f"d{n}", "name": name, **({"head": head} if head else {})}
            for n, (name, head) in enumerate(answers.departments, start=1)
        ]
        data["departments"] = departments
        names = {d["name"] for d in departments} | {d["id"] for d in departments}
        items = _with_reports(items, departments, REPORT_TITLES.get(kind, "{name}"))
        for item in items:
            if item.get("department") not in names:
                item.pop("department", None)
            if isinstance(item.get("answerers"), list):
                item["answerers"] = [
                    {"department": d["id"], "name": d.get("head", "")} for d in departments
                ]
            if isinstance(item.get("candidates"), list):
                for candidate in item["candidates"]:
                    if isinstance(candidate, dict) and candidate.get("department") not in names:
                        candidate.pop("department", None)
        for person in data.get("participants", []):
            if isinstance(person, dict) and person.get("department") not in names:
                person.pop("department", None)
    for item_kind, count in answers.counts.items():
        if not (item_kind == "report" and answers.departments):
            items = _with_count(items, item_kind, count)
    data["items"] = items
    return data


def _with_reports(items: list[dict[str, Any]], departments: list[dict[str, str]], title: str) -> list[dict[str, Any]]:
    """One report per department, where the bundled reports stood."""
    reports = [item for item in items if item.get("kind") == "report"]
    if not reports:
        return items
    model = reports[0]
    new = []
    for n, dep in enumerate(departments):
        report = copy.deepcopy(reports[n] if n < len(reports) else model)
        report.update(id=f"{dep['id']}-report", title=title.format(name=dep["name"]), department=dep["id"])
        report.pop("presenter", None)
        if dep.get("head"):
            report["presenter"] = dep["head"]
        new.append(report)
    at = items.index(model)
    rest = [item for item in items if item.get("kind") != "report"]
    before = [item for item in items[:at] if item.get("kind") != "report"]
    return before + new + rest[len(before) :]


def _with_count(items: list[dict[str, Any]], kind: str, count: int) -> list[dict[str, Any]]:
    of_kind = [n for n, item in enumerate(items) if item.get("kind") == kind]
    if not of_kind or count == len(of_kind) or count < 0:
        return items
    if count < len(of_kind):
        dropped = set(of_kind[count:])
        return [item for n, item in enumerate(items) if n not in dropped]
    last = of_kind[-1]
    extra = []
    for k in range(len(of_kind) + 1, count + 1):
        item = copy.deepcopy(items[last])
        base = str(item.get("id") or f"{kind}")
        item["id"] = f"{base}-{k}"
        item["title"] = f"{item.get('title', '')}（{k}）"
        extra.append(item)
    return items[: last + 1] + extra + items[last + 1 :]


# ---- writing the YAML -----------------------------------------------------------------

_PLAIN = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`+.~][^:#\[\]{},\n]*$")
_SPECIAL = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}


def scalar(value: object) -> str:
    """A YAML scalar that reads back as written: plain when safe, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    import json

    import yaml

    if _PLAIN.match(text) and text == text.strip() and text.lower() not in _SPECIAL:
        try:
            if yaml.safe_load(text) == text:  # not a number, date or time once read back
                return text
        except yaml.YAMLError:
            pass

    return json.dumps(text, ensure_ascii=False)


def _flow(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return scalar(value)


_ITEM_KEYS = ("id", "kind", "title", "department", "presenter", "limit", "warning", "points")


def emit(data: dict[str, Any], header: list[str], notes: dict[int, list[str]] | None = None) -> str:
    """Commented YAML: a header, one section per top-level key, one block per item.

    `notes`: comment lines to write above the item at that index (0-based)."""
    notes = notes or {}
    lines = [f"# {line}" if line else "#" for line in header]
    lines.append("version: 1")
    lines.append("meeting:")
    for key, value in data["meeting"].items():
        if value not in (None, ""):
            lines.append(f"  {key}: {scalar(value)}")
    for section, comment in (
        ("departments", _("who reports: an item's department is one of these ids or names")),
        ("participants", _("attendance, in the minutes")),
        ("representatives", _("residents' representatives who may be drawn to ask")),
        ("groups", _("working groups that vote")),
    ):
        entries = data.get(section) or []
        if entries:
            lines += ["", f"{section}:  # {comment}"]
            lines += [f"  - {_flow(entry)}" for entry in entries]
    lines += ["", "items:  # " + _("kind: report, remarks, qa, vote, break or discussion")]
    for n, item in enumerate(data["items"]):
        lines.append("")
        lines += [f"  # {note}" for note in notes.get(n, [])]
        keys = [k for k in _ITEM_KEYS if k in item] + [k for k in item if k not in _ITEM_KEYS]
        first = True
        for key in keys:
            value = item[key]
            if value is None or value == "":
                continue
            lead = "  - " if first else "    "
            first = False
            if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
                lines.append(f"{lead}{key}:")
                lines += [f"      - {scalar(v)}" for v in value]
            else:
                lines.append(f"{lead}{key}: {_flow(value)}")
    return "\n".join(lines) + "\n"


def starter_header(kind: str, source: str) -> list[str]:
    return [
        _("Agenda written by `retreat new --kind {kind}` from {source}.").format(kind=kind, source=source),
        _("Durations: 7m, 90s, 1h30m or 7分钟; check it with `retreat check` before the meeting."),
        _("The full format is in the README (The agenda) and `retreat schema`."),
    ]


# ---- a rundown from a spreadsheet ------------------------------------------------------

RUNDOWN_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("议程", "title", "议题", "内容", "事项", "议程内容", "item"),
    "number": ("序号", "no", "#", "number"),
    "kind": ("类型", "kind", "type", "环节"),
    "presenter": ("汇报人", "presenter", "发言人", "主讲人", "汇报人发言人"),
    "department": ("部门", "department", "单位", "责任部门", "汇报部门"),
    "limit": ("时长", "limit", "时间", "用时", "duration", "时长分钟", "时长分"),
    "points": ("要点", "points", "汇报要点", "发言要点"),
}

# The words for each kind: the English kind, what `retreat check` prints, what the stage says.
_KIND_WORDS = {
    "report": ("report", "汇报", "工作汇报", "发言", "交流发言", "表态发言"),
    "remarks": ("remarks", "点评", "领导点评", "讲话", "领导讲话", "总结讲话"),
    "qa": ("qa", "q&a", "基层提问", "提问", "问答"),
    "vote": ("vote", "表决", "推荐表决", "投票", "推荐投票"),
    "break": ("break", "茶歇", "休息"),
    "discussion": ("discussion", "讨论", "交流讨论", "自由讨论"),
}
_KIND_OF_WORD = {word: kind for kind, words in _KIND_WORDS.items() for word in words}
_NEEDS_LIMIT = ("qa", "vote", "break", "discussion")


def _limit(table: Table, row: Any, errors: list[AgendaError]) -> str | None:
    from retreat.durations import DurationError, format_duration, parse_duration

    value = table.cell(row, "limit")
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.time):  # a cell formatted as a time: 0:07:00
        seconds = value.hour * 3600 + value.minute * 60 + value.second
    elif isinstance(value, dt.timedelta):  # a cell formatted as a duration: [h]:mm:ss
        seconds = round(value.total_seconds())
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = round(float(value) * 60)  # a bare number in 时长 means minutes
    else:
        text = str(value).strip()
        if re.fullmatch(r"\d+(\.\d+)?", text):
            seconds = round(float(text) * 60)
        else:
            try:
                seconds = parse_duration(text)
            except DurationError:
                errors.append(
                    table.error(row, "limit", _('"{value}" is not a duration (use 7, 7m, 90s or 7分钟)').format(value=text))
                )
                return None
    if seconds <= 0:
        errors.append(table.error(row, "limit", _("{value} is not a time longer than zero").format(value=value)))
        return None
    return format_duration(seconds)


def rundown(path: Path, shown: str, sheet: str | None = None) -> tuple[dict[str, Any], dict[int, list[str]]]:
    """An agenda's data from a rundown sheet, and notes to write above some items."""
    table = find_table(read_rows(path, shown, sheet), shown, RUNDOWN_FIELDS, "title")
    errors: list[AgendaError] = []
    items: list[dict[str, Any]] = []
    notes: dict[int, list[str]] = {}
    departments: list[str] = []
    for row in table.rows:
        title = table.text(row, "title")
        if not title:
            errors.append(table.error(row, "title", _("empty; every row of the rundown needs a title")))
            continue
        word = table.text(row, "kind")
        kind = _KIND_OF_WORD.get(word.lower().replace(" ", ""), None) if word else "report"
        if kind is None:
            errors.append(
                table.error(
                    row, "kind",
                    _('"{word}" is not a kind of item; use one of: {words}').format(
                        word=word, words=", ".join(w for ws in _KIND_WORDS.values() for w in ws[:2])
                    ),
                )
            )
            continue
        item: dict[str, Any] = {"kind": kind, "title": title}
        for key in ("department", "presenter"):
            if value := table.text(row, key):
                item[key] = value
        if item.get("department") and item["department"] not in departments:
            departments.append(item["department"])
        limit = _limit(table, row, errors)
        if limit is None and kind in _NEEDS_LIMIT and table.text(row, "limit") == "":
            errors.append(
                table.error(row, "limit", _('empty; a {kind} item needs a time limit, e.g. 20').format(kind=word or kind))
            )
        if limit is not None:
            item["limit"] = limit
        points = [p.strip() for p in re.split(r"[；;\n]+", table.text(row, "points")) if p.strip()]
        if points:
            item["points"] = points
        if kind == "vote":
            item["candidates"] = [_("candidate one"), _("candidate two")]
            notes[len(items)] = [
                _("Replace these with the real candidates, or read them from a sheet: "
                  "candidates: {file: 候选项目.xlsx}")
            ]
        items.append(item)
    if errors:
        raise AgendaErrors(errors)
    if not items:
        raise SheetError(_("no items below the header; list one per row"), file=shown, row=table.header_row)
    data: dict[str, Any] = {
        "meeting": {"title": meeting_title(table.title) or path.stem},
        "departments": [{"id": f"d{n}", "name": name} for n, name in enumerate(departments, start=1)],
        "items": items,
    }
    return data, notes


def meeting_title(sheet_title: str) -> str:
    """`2026年度工作务虚会议程` names the sheet; the meeting is `2026年度工作务虚会`."""
    title = sheet_title.strip()
    for suffix in ("议程安排", "议程表", "议程", "日程安排", "日程", "流程", "rundown", "agenda"):
        if title.lower().endswith(suffix) and len(title) > len(suffix):
            return title[: -len(suffix)].rstrip(" -—:：")
    return title


def rundown_header(source: str) -> list[str]:
    return [
        _("Agenda written by `retreat new --from {source}`.").format(source=source),
        _("Add the date, start, venue, chair and recorder under meeting; check it with `retreat check`."),
        _("Durations: 7m, 90s, 1h30m or 7分钟. The full format is in the README (The agenda)."),
    ]
