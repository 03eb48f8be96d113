"""`retreat followups`: the year's tasks (chosen items and commitments), tracked after the meeting."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from retreat.cli.common import LangOption, choose_language, new_app

if TYPE_CHECKING:
    from retreat.meeting.engine import Command
    from retreat.meeting.session import Record

app = new_app()


@app.command()
def followups(
    sessions: Annotated[list[Path], typer.Argument(help="One or more session files (.retreat).")],
    kind: Annotated[
        str, typer.Option("--kind", help="commitment (made in answer to questions), project (chosen by a vote) or all.")
    ] = "all",
    done: Annotated[
        list[str] | None, typer.Option("--done", help="Mark a task done, by its ID (e.g. retreat-demo:3).")
    ] = None,
    progress: Annotated[
        tuple[str, str] | None,
        typer.Option("--progress", help='Record progress on a task: --progress ID "what was done".'),
    ] = None,
    due: Annotated[
        tuple[str, str] | None, typer.Option("--due", help="Set a task's due date: --due ID YYYY-MM-DD.")
    ] = None,
    owner: Annotated[
        tuple[str, str] | None,
        typer.Option("--owner", help="Give a task to a department: --owner ID DEPARTMENT (its id or name)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Also export: .csv (UTF-8 with BOM), or a public progress report "
                     "as .md, .html or .docx."),
    ] = None,
    lang: LangOption = None,
) -> None:
    """List the year's tasks of one or several sessions, update them, export them.

    Every item a vote chose and every commitment made in answer to a question is a task.
    Prints the completion rate ("12 tasks, 5 done, 41.7%") and one line per department;
    overdue tasks are marked. Updates are events in the owning session's log.
    """
    import datetime as dt

    from rich.console import Console

    from retreat import i18n
    from retreat.clock import MonotonicClock
    from retreat.errors import UsageError
    from retreat.files import write_text
    from retreat.meeting.followups import to_csv
    from retreat.meeting.ledger import KINDS, by_department, department_line, summary, tasks
    from retreat.meeting.session import load, record
    from retreat.ui.followups_view import followups_table

    clock = MonotonicClock()
    records = [load(path) for path in sessions]
    language = choose_language(lang, records[0].agenda.language)
    if kind not in (*KINDS, "all"):
        raise UsageError(i18n._("--kind takes commitment, project or all, not {kind}").format(kind=kind))
    fmt = _export_format(output)
    updates: list[tuple[str, str, str, str]] = [("done", ident, "", "") for ident in done or []]
    if progress is not None:
        updates.append(("progress", progress[0], progress[1], ""))
    if due is not None:
        updates.append(("due", due[0], "", due[1]))
    if owner is not None:
        updates.append(("owner", owner[0], "", owner[1]))
    for what, ident, note, value in updates:
        path, command = _command(what, ident, note, value, records)
        record(path, command, clock)
    if updates:
        records = [load(path) for path in sessions]
    offset = dt.timezone(dt.timedelta(seconds=records[0].utc_offset))
    today = dt.datetime.fromtimestamp(clock.now(), offset).date()
    items = tasks(records, today, kind)
    console = Console(highlight=False)
    console.print(followups_table(items))
    console.print(summary(items, kind))
    for department, theirs in by_department(items):
        console.print("  " + department_line(department, theirs))
    for rehearsal in (r for r in records if r.state.rehearsal is True):
        console.print(i18n._("{path} is a rehearsal: its commitments and chosen items are not tasks "
                             "of the year and are left out.").format(path=rehearsal.path), soft_wrap=True)
    if output is None:
        return
    if fmt == "csv":
        write_text(output, "\ufeff" + to_csv(items, i18n.language()))
    else:
        from retreat import exports
        from retreat.progress import render_progress

        text = render_progress(records, items, kind, today, language)
        exports.write_file(output, exports.export(text, fmt, language))
    console.print(i18n._("Exported: {path}").format(path=output))


def _export_format(output: Path | None) -> str:
    from retreat import exports

    if output is None or output.suffix.lower() == ".csv":
        return "csv"
    return exports.choose_format(None, output) if output.suffix else "md"


def _command(what: str, ident: str, note: str, value: str, records: list[Record]) -> tuple[str, Command]:
    """The session holding task `ident` and the command that records the update there."""
    from retreat.errors import UsageError
    from retreat.i18n import _
    from retreat.meeting.engine import Cmd, Command
    from retreat.meeting.ledger import department_id, find, session_stem

    paths, known = find(records, ident)
    if not paths:
        raise UsageError(_('no task "{id}" in these sessions; IDs look like retreat-demo:3 or '
                           "retreat-demo:vote-id:candidate-id (known: {known})").format(
            id=ident, known=", ".join(known) or "-"))
    if len(paths) > 1:
        raise UsageError(_('"{id}" is in several of these sessions ({paths}); update them one at a time').format(
            id=ident, paths=", ".join(paths)))
    rec = next(r for r in records if r.path == paths[0])
    key = ident[len(session_stem(rec)) + 1:]
    commitment = key.isdigit()
    if what == "owner":
        department = department_id(rec.agenda, value)
        if department is None:
            raise UsageError(_('"{owner}" is not one of the departments of {path} ({all})').format(
                owner=value, path=rec.path, all=", ".join(f"{d.id} {d.name}" for d in rec.agenda.departments)))
        return rec.path, Command(Cmd.TASK_OWNER, {"task": key, "owner": department})
    if what == "due":
        return rec.path, Command(Cmd.TASK_DUE, {"task": key, "due": value})
    if commitment:
        kind = Cmd.FOLLOWUP_DONE if what == "done" else Cmd.FOLLOWUP_PROGRESS
        return rec.path, Command(kind, {"qid": int(key), "note": note})
    kind = Cmd.TASK_DONE if what == "done" else Cmd.TASK_PROGRESS
    return rec.path, Command(kind, {"task": key, "note": note})
