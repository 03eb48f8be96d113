"""`retreat new`: a commented agenda to start from, from a bundled agenda of the kind of
meeting (filled in with a few answers in a terminal) or from a rundown spreadsheet.

The agenda modules, yaml and questionary are imported inside the command.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from retreat.cli.common import new_app

if TYPE_CHECKING:
    from retreat.agenda.starter import Answers
    from retreat.ui.prompts import Prompter

app = new_app()


class Kind(StrEnum):
    retreat = "retreat"
    mobilisation = "mobilisation"
    forum = "forum"
    symposium = "symposium"


def _terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _prompter() -> Prompter:
    from retreat.ui.prompts import QuestionaryPrompter

    return QuestionaryPrompter()


# Replaced by tests: whether questions may be asked, and who asks them.
IS_TERMINAL: Callable[[], bool] = _terminal
PROMPTER: Callable[[], Prompter] = _prompter


@app.command()
def new(
    output: Annotated[Path, typer.Option("-o", "--output", help="The agenda file to write.")] = Path("agenda.yaml"),
    kind: Annotated[
        Kind,
        typer.Option("--kind", help="The kind of meeting: retreat, mobilisation, forum or symposium."),
    ] = Kind.retreat,
    source: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="A rundown sheet (.xlsx or .csv) with columns 序号, 议程/title, 类型/kind, 汇报人/presenter, "
            "部门/department, 时长/limit, 要点/points.",
        ),
    ] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="The sheet of the .xlsx to read (default: the first).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace OUTPUT if it exists.")] = False,
) -> None:
    """Write a new commented agenda that `retreat check` accepts.

    Starts from the bundled agenda of the kind of meeting and, in a terminal, asks for the
    title, date, start, venue, chair, recorder, departments and how many of each segment;
    or, with --from, reads the rundown of a spreadsheet.
    """
    from retreat import agenda as agenda_mod
    from retreat.agenda import starter
    from retreat.errors import UsageError
    from retreat.files import WriteError, write_text
    from retreat.i18n import _
    from retreat.paths import data_dir

    if output.exists() and not force:
        raise UsageError(
            _("{file} exists; choose another file with -o, or add --force to replace it").format(file=output)
        )
    if source is not None:
        data, notes = starter.rundown(source, str(source), sheet)
        text = starter.emit(data, starter.rundown_header(source.name), notes)
        said = _("Read {n} items from {source}.").format(n=len(data["items"]), source=source)
    else:
        bundled = data_dir("agendas") / starter.STARTER_FILES[kind.value]
        text = bundled.read_text(encoding="utf-8")
        if IS_TERMINAL():
            import yaml

            from retreat.ui.prompts import Cancelled

            data = yaml.safe_load(text)
            try:
                answers = ask(PROMPTER(), data, kind.value)
            except Cancelled:
                typer.echo(_("Cancelled; nothing was written."), err=True)
                raise typer.Exit(130) from None
            text = starter.emit(
                starter.fill(data, answers, kind.value), starter.starter_header(kind.value, bundled.name)
            )
            said = _("Filled in the {kind} agenda with your answers.").format(kind=kind.value)
        else:
            said = _("No terminal to ask in: wrote the bundled {kind} agenda ({file}) unchanged; edit it "
                     "in any editor.").format(kind=kind.value, file=bundled.name)
    # Never write what `retreat check` would refuse.
    agenda = agenda_mod.loads(text, str(output))
    try:
        write_text(output, text)
    except WriteError as e:
        raise UsageError(_("cannot write {file}: {reason}").format(file=output, reason=e.reason)) from None
    typer.echo(said)
    typer.echo(
        _("Wrote {file}: {n} items. Check it with: retreat check {file}").format(file=output, n=len(agenda.items))
    )


def ask(p: Prompter, data: dict[str, Any], kind: str) -> Answers:
    """The few questions of `retreat new`, each defaulting to the bundled agenda's value."""
    import datetime as dt

    from retreat.agenda.starter import Answers, parse_departments
    from retreat.i18n import _

    meeting = data.get("meeting", {})

    def date_check(value: str) -> str | None:
        try:
            dt.date.fromisoformat(value.strip())
        except ValueError:
            return _("write the date like 2026-01-08")
        return None

    def time_check(value: str) -> str | None:
        import re

        return None if re.fullmatch(r"\s*\d{1,2}:\d\d\s*", value) else _("write the time like 08:30")

    def count_check(value: str) -> str | None:
        return None if value.strip().isdigit() else _("write a whole number, e.g. 3")

    answers = Answers()
    answers.title = p.text(_("Title of the meeting:"), default=str(meeting.get("title", ""))).strip()
    answers.date = dt.date.fromisoformat(
        p.text(_("Date:"), default=str(meeting.get("date", "")), validate=date_check).strip()
    )
    start = p.text(_("Planned start:"), default=str(meeting.get("start", "")), validate=time_check).strip()
    answers.start = start.zfill(5)
    answers.venue = p.text(_("Venue:"), default=str(meeting.get("venue", ""))).strip()
    answers.chair = p.text(_("Chair:"), default=str(meeting.get("chair", ""))).strip()
    answers.recorder = p.text(_("Recorder (who keeps the minutes):"), default=str(meeting.get("recorder", ""))).strip()
    shown = "；".join(
        f"{d.get('name', '')} {d.get('head', '')}".strip() for d in data.get("departments", []) if isinstance(d, dict)
    )
    departments = p.text(
        _("Departments and heads (e.g. 党政办公室 陈静；经济发展办公室 赵海涛), one report each:"), default=shown
    )
    if departments.strip() != shown:
        answers.departments = parse_departments(departments)
    labels = {
        "remarks": _("How many leaders' remarks?"),
        "qa": _("How many Q&A segments?"),
        "vote": _("How many votes?"),
        "break": _("How many breaks?"),
        "discussion": _("How many discussions?"),
    }
    for item_kind, question in labels.items():
        present = sum(1 for item in data.get("items", []) if item.get("kind") == item_kind)
        if present:
            answers.counts[item_kind] = int(p.text(question, default=str(present), validate=count_check))
    return answers
