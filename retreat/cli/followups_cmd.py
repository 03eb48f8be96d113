"""`retreat followups`: the commitments made on the spot, tracked after the meeting."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from retreat.cli.common import LangOption, choose_language, new_app

if TYPE_CHECKING:
    from retreat.meeting.session import Record

app = new_app()


@app.command()
def followups(
    sessions: Annotated[list[Path], typer.Argument(help="One or more session files (.retreat).")],
    done: Annotated[
        list[str] | None, typer.Option("--done", help="Mark a commitment done, by its ID (e.g. retreat-demo:3).")
    ] = None,
    progress: Annotated[
        tuple[str, str] | None,
        typer.Option("--progress", help='Record progress on a commitment: --progress ID "what was done".'),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Also export the list as CSV (UTF-8 with BOM).")
    ] = None,
    lang: LangOption = None,
) -> None:
    """List the commitments of one or several sessions, update their status, export CSV.

    Prints the completion rate ("12 commitments, 7 done, 58.3%"); overdue ones are marked.
    Updates are events in that session's log.
    """
    import datetime as dt

    from rich.console import Console

    from retreat import i18n
    from retreat.clock import MonotonicClock
    from retreat.files import write_text
    from retreat.meeting.engine import Cmd, Command
    from retreat.meeting.followups import commitments, summary, to_csv
    from retreat.meeting.session import load, record
    from retreat.ui.followups_view import followups_table

    clock = MonotonicClock()
    records = [load(path) for path in sessions]
    choose_language(lang, records[0].agenda.language)
    updates = [(Cmd.FOLLOWUP_DONE, ident, "") for ident in done or []]
    if progress is not None:
        updates.append((Cmd.FOLLOWUP_PROGRESS, progress[0], progress[1]))
    for kind, ident, note in updates:
        path, qid = _resolve(ident, records)
        record(path, Command(kind, {"qid": qid, "note": note}), clock)
    if updates:
        records = [load(path) for path in sessions]
    offset = dt.timezone(dt.timedelta(seconds=records[0].utc_offset))
    today = dt.datetime.fromtimestamp(clock.now(), offset).date()
    items = commitments(records, today)
    console = Console(highlight=False)
    console.print(followups_table(items))
    console.print(summary(records))
    if output is not None:
        write_text(output, "\ufeff" + to_csv(items, i18n.language()))
        console.print(i18n._("Exported: {path}").format(path=output))


def _resolve(ident: str, records: list[Record]) -> tuple[str, int]:
    from retreat.errors import UsageError
    from retreat.i18n import _
    from retreat.meeting.followups import split_id
    known = [f"{Path(r.path).stem}:{q.qid}" for r in records for q in r.state.qa.followups()]
    try:
        stem, qid = split_id(ident)
    except ValueError:
        raise UsageError(_('"{id}" is not a commitment ID; IDs look like retreat-demo:3 (known: {known})').format(
            id=ident, known=", ".join(known) or "-")) from None
    matches = [r for r in records if Path(r.path).stem == stem and any(q.qid == qid for q in r.state.qa.followups())]
    if len(matches) > 1:
        raise UsageError(_('"{id}" is in several of these sessions ({paths}); update them one at a time').format(
            id=ident, paths=", ".join(r.path for r in matches)))
    if matches:
        return matches[0].path, qid
    raise UsageError(_('no commitment "{id}" in these sessions (known: {known})').format(
        id=ident, known=", ".join(known) or "-"))
