"""`retreat check` and `retreat schema`: the agenda file.

Rich, the agenda loader and pydantic are imported inside the commands so that `retreat --help`
pays for none of them.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from retreat.cli.common import new_app

if TYPE_CHECKING:
    from rich.console import RenderableType

    from retreat.agenda import Agenda, Item

app = new_app()


class Lang(StrEnum):
    zh_CN = "zh-CN"
    en = "en"


@app.command()
def check(
    agenda: Annotated[Path, typer.Argument(help="The agenda YAML file to validate.", metavar="AGENDA")],
    lang: Annotated[
        Lang | None,
        typer.Option(
            "--lang",
            help="Language of the output; default: the agenda's `language` (even when the agenda has "
            "errors), else the system's.",
        ),
    ] = None,
) -> None:
    """Validate an agenda and print its schedule (items, owners, planned times).

    Errors are printed one per line as file:line:column: field: message, and the exit code is 2.
    """
    from rich.console import Console

    from retreat import agenda as agenda_mod
    from retreat import i18n

    # Errors found while loading are worded in --lang, else in the language the agenda
    # declares (read as far as the file can be parsed), else the environment's.
    i18n.set_language(lang.value if lang else declared_language(agenda) or i18n.from_environment())
    loaded = agenda_mod.load(agenda)
    if lang is None:
        i18n.set_language(loaded.language)
    lines = previous_lines(loaded)  # a missing or unreadable previous session: named, exit 2
    console = Console(highlight=False)
    for part in summary(loaded, console.width):
        console.print(part)
    for line in lines:
        console.print(line, soft_wrap=True)


def previous_lines(agenda: Agenda) -> list[str]:
    """One line per session named by `meeting.previous`: its meeting and its tasks' completion.
    Raises AgendaErrors naming each one that is missing or cannot be read."""
    import datetime as dt

    from retreat.i18n import _
    from retreat.meeting.ledger import read_previous, summary, tasks

    records = read_previous(agenda)
    lines = []
    for name, record in zip(agenda.meeting.previous, records, strict=True):
        lines.append(_("Previous session {name} ({meeting}): {summary}").format(
            name=name, meeting=record.agenda.meeting.title, summary=summary(tasks([record], dt.date.min))))
        if record.state.rehearsal is True:
            lines.append(_("{name} is a rehearsal: its commitments and chosen items are not tasks of the year "
                           "and are left out.").format(name=name))
    return lines


def declared_language(path: Path) -> str | None:
    """`meeting.language` of an agenda file, even a broken one: the YAML is read event by event
    and the value is taken as soon as it is seen, so an error further down does not hide it.
    None when the file cannot be read or parsed that far, or declares no known language."""
    import yaml

    try:
        with path.open("rb") as f:
            raw = f.read(1024 * 1024)
    except OSError:
        return None
    text = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
    # One frame per open mapping or sequence: its path, and for a mapping the key just read
    # (None while a key is awaited).
    frames: list[tuple[tuple[object, ...], bool, list[object]]] = []
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                frames.pop()
                continue
            if not isinstance(event, yaml.NodeEvent):
                continue
            where: tuple[object, ...] = ()
            if frames:
                parent, is_map, key = frames[-1]
                if is_map and not key:
                    key.append(event.value if isinstance(event, yaml.ScalarEvent) else None)
                    where = (*parent, "<key>")
                else:
                    where = (*parent, key.pop() if is_map else "[]")
            if isinstance(event, yaml.ScalarEvent) and where == ("meeting", "language"):
                value = str(event.value).strip().lower().replace("_", "-")
                return "zh-CN" if value.startswith("zh") else "en" if value.startswith("en") else None
            if isinstance(event, yaml.MappingStartEvent):
                frames.append((where, True, []))
            elif isinstance(event, yaml.SequenceStartEvent):
                frames.append((where, False, []))
    except yaml.YAMLError:
        pass
    return None


def summary(agenda: Agenda, width: int = 80) -> list[RenderableType]:
    """The meeting heading, the schedule table and the planned end, ready to print."""
    from rich.text import Text

    from retreat.durations import format_date_in, format_duration_in
    from retreat.i18n import _
    from retreat.i18n import language as i18n_language

    heading = Text(agenda.meeting.title, style="bold")
    meeting = agenda.meeting
    chair = _("chair: {name}").format(name=meeting.chair) if meeting.chair else ""
    lang = i18n_language()
    day = format_date_in(meeting.date, lang) if meeting.date else ""
    details = [str(part) for part in (day, meeting.venue, chair) if part]
    total = format_duration_in(agenda.planned_total, lang)
    if agenda.meeting.start is not None:
        end = _clock(_at(agenda.meeting.start, agenda.planned_total))
        footer = _("Planned end: {end} (planned time {total})").format(end=end, total=total)
    else:
        footer = _("Planned time: {total} (give meeting.start to see clock times)").format(total=total)
    head: list[RenderableType] = [heading]
    if details:
        head.append(Text(" · ".join(details)))
    return [*head, schedule_table(agenda, width), *candidate_lists(agenda), Text(footer)]


def candidate_lists(agenda: Agenda) -> list[RenderableType]:
    """Each vote's candidates as read (from the agenda or its spreadsheet): number, title,
    department; so the secretary sees what the sheet gave before the meeting."""
    from rich.text import Text

    from retreat.i18n import _

    out: list[RenderableType] = []
    for item in agenda.items:
        if item.vote is None:
            continue
        out.append(
            Text(
                _("Candidates of {n}. {title} ({count}):").format(
                    n=item.position, title=item.title, count=len(item.vote.candidates)
                ),
                style="bold",
            )
        )
        for n, candidate in enumerate(item.vote.candidates, start=1):
            department = agenda.department_name(candidate.department) if candidate.department else ""
            line = f"  {n:>2}. {candidate.title}" + (f"  ({department})" if department else "")
            out.append(Text(line))
    return out


def schedule_table(agenda: Agenda, width: int = 80) -> RenderableType:
    """One row per item; the free columns (id, title, owner) share what `width` leaves."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from retreat.i18n import _

    headers = ["#", _("id"), _("kind"), _("title"), _("owner"), _("planned"), _("total")]
    if agenda.meeting.start is not None:
        # Start and end share one column: at 80 columns every cell saved goes to the titles.
        headers.append(_("start–end"))
    rows = _rows(agenda)
    widths = _free_widths(headers, rows, width)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, padding=0)
    for n, header in enumerate(headers):
        if n in widths:
            # Folded, never cropped: nothing planned may be hidden from the room.
            table.add_column(header, width=widths[n], overflow="fold")
        else:
            table.add_column(header, no_wrap=True, justify="right" if n in (0, 5, 6) else "left")
    for row in rows:
        # Text, not str: a title like "[重要] 汇报" is the secretary's words, not Rich markup.
        table.add_row(*(Text(cell) for cell in row))
    return table


def _rows(agenda: Agenda) -> list[list[str]]:
    from retreat.durations import format_duration_in
    from retreat.i18n import language as i18n_language

    start = agenda.meeting.start
    rows, elapsed = [], 0
    for item in agenda.items:
        row = [str(item.position), item.id, _kind_label(item.kind), item.title, owner(agenda, item)]
        lang = i18n_language()
        # The running total as h:mm keeps the column narrow in every language.
        total = elapsed + item.limit
        hours, minutes, secs = total // 3600, total % 3600 // 60, total % 60
        running = f"{hours}:{minutes:02d}" + (f":{secs:02d}" if secs else "")
        row += [format_duration_in(item.limit, lang), running]
        if start is not None:
            row.append(f"{_clock(_at(start, elapsed))}–{_clock(_at(start, elapsed + item.limit))}")
        elapsed += item.limit
        rows.append(row)
    return rows


_ID, _TITLE, _OWNER = 1, 3, 4


def _free_widths(headers: list[str], rows: list[list[str]], width: int) -> dict[int, int]:
    """Widths of the id, title and owner columns so that the table fits `width` cells.

    Rich left to itself crops the unwrappable clock column once long ids and CJK titles
    push past 80 columns; sharing out the room here keeps every time visible.
    """
    from rich.cells import cell_len

    natural = [
        max(cell_len(line) for cell in (header, *(row[n] for row in rows)) for line in cell.splitlines())
        for n, header in enumerate(headers)
    ]
    fixed = sum(w for n, w in enumerate(natural) if n not in (_ID, _TITLE, _OWNER))
    room = max(width - fixed - (len(headers) - 1), 24)
    # Titles first: ids (a third) and owners (a quarter) are capped, then take what titles leave.
    id_width = min(natural[_ID], max(room // 3, 10))
    owner_width = min(natural[_OWNER], max(room // 4, 6))
    title = min(natural[_TITLE], room - id_width - owner_width)
    owner_width = min(natural[_OWNER], room - id_width - title)
    id_width = min(natural[_ID], room - title - owner_width)
    return {_ID: id_width, _TITLE: title, _OWNER: owner_width}


def owner(agenda: Agenda, item: Item) -> str:
    """Who answers for the item: the presenter and the department's name, as far as given."""
    parts = [item.presenter, agenda.department_name(item.department or None)]
    # One per line: the column stays as narrow as the longer of the two.
    return "\n".join(part for part in parts if part)


def _kind_label(kind: str) -> str:
    from retreat.i18n import _

    labels = {
        "report": _("report"),
        "remarks": _("remarks"),
        "qa": _("Q&A"),
        "vote": _("vote"),
        "break": _("break"),
        "discussion": _("discussion"),
    }
    return labels.get(kind, kind)


def _at(start: dt.time, seconds: int) -> dt.datetime:
    return dt.datetime.combine(dt.date(2000, 1, 1), start) + dt.timedelta(seconds=seconds)


def _clock(moment: dt.datetime) -> str:
    return moment.strftime("%H:%M:%S" if moment.second else "%H:%M")


@app.command()
def schema(
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write the schema to this file instead of stdout."),
    ] = None,
) -> None:
    """Print the JSON Schema of the agenda format (for editor completion)."""
    import json

    from retreat.agenda import json_schema
    from retreat.errors import UsageError
    from retreat.i18n import _

    text = json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
        return
    from retreat.files import WriteError, write_text

    try:
        write_text(output, text)  # atomic: a full disk leaves the old file, never an empty one
    except WriteError as e:
        raise UsageError(
            _("cannot write the schema to {file}: {reason}").format(file=output, reason=e.reason)
        ) from None
