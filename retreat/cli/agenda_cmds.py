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
        typer.Option("--lang", help="Language of the output; default: the agenda's `language`."),
    ] = None,
) -> None:
    """Validate an agenda and print its schedule (items, owners, planned times).

    Errors are printed one per line as file:line:column: field: message, and the exit code is 2.
    """
    from rich.console import Console

    from retreat import agenda as agenda_mod
    from retreat import i18n

    # Errors found while loading are worded in --lang, else the environment's language.
    i18n.set_language(lang.value if lang else i18n.from_environment())
    loaded = agenda_mod.load(agenda)
    if lang is None:
        i18n.set_language(loaded.language)
    console = Console(highlight=False)
    for part in summary(loaded):
        console.print(part)


def summary(agenda: Agenda) -> list[RenderableType]:
    """The meeting heading, the schedule table and the planned end, ready to print."""
    from rich.text import Text

    from retreat.durations import format_duration
    from retreat.i18n import _

    heading = Text(agenda.meeting.title, style="bold")
    details = [
        str(part)
        for part in (agenda.meeting.date, agenda.meeting.venue, agenda.meeting.chair and _("chair: {name}").format(
            name=agenda.meeting.chair
        ))
        if part
    ]
    total = format_duration(agenda.planned_total)
    if agenda.meeting.start is not None:
        end = _clock(_at(agenda.meeting.start, agenda.planned_total))
        footer = _("Planned end: {end} (planned time {total})").format(end=end, total=total)
    else:
        footer = _("Planned time: {total} (give meeting.start to see clock times)").format(total=total)
    head: list[RenderableType] = [heading]
    if details:
        head.append(Text(" · ".join(details)))
    return [*head, schedule_table(agenda), Text(footer)]


def schedule_table(agenda: Agenda) -> RenderableType:
    from rich import box
    from rich.table import Table

    from retreat.durations import format_duration
    from retreat.i18n import _

    start = agenda.meeting.start
    # Narrow padding and unwrapped short columns leave the width to titles and owners, which
    # wrap (CJK by cell width) rather than truncate: nothing planned may be hidden.
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 1, 0, 0))
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column(_("id"), overflow="fold")
    table.add_column(_("kind"), no_wrap=True)
    table.add_column(_("title"), overflow="fold")
    table.add_column(_("owner"), overflow="fold")
    table.add_column(_("planned"), justify="right", no_wrap=True)
    table.add_column(_("total"), justify="right", no_wrap=True)
    if start is not None:
        table.add_column(_("start"), no_wrap=True)
        table.add_column(_("end"), no_wrap=True)
    elapsed = 0
    for item in agenda.items:
        row = [str(item.position), item.id, _kind_label(item.kind), item.title, owner(agenda, item)]
        row += [format_duration(item.limit), format_duration(elapsed + item.limit)]
        if start is not None:
            row += [_clock(_at(start, elapsed)), _clock(_at(start, elapsed + item.limit))]
        elapsed += item.limit
        table.add_row(*row)
    return table


def owner(agenda: Agenda, item: Item) -> str:
    """Who answers for the item: the presenter and the department's name, as far as given."""
    parts = [item.presenter, agenda.department_name(item.department or None)]
    return " / ".join(part for part in parts if part)


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
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as e:
        raise UsageError(
            _("cannot write the schema to {file}: {reason}").format(file=output, reason=e.strerror)
        ) from None
