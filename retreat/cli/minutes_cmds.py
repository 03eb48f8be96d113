"""`retreat minutes` and `retreat approve`: the formal record."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from retreat.cli.common import new_app

app = new_app()

SessionArg = Annotated[Path, typer.Argument(help="The session file (.retreat) of the meeting.")]


@app.command()
def minutes(
    session: SessionArg,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the minutes to this file (replacing it).")
    ] = None,
    template: Annotated[
        Path | None, typer.Option("--template", help="A Jinja2 template to use instead of the bundled one.")
    ] = None,
) -> None:
    """Render the formal Markdown minutes of a session (marked DRAFT until approved)."""
    from retreat import i18n
    from retreat.minutes import render
    from retreat.session import load
    from retreat.ui.files import write_text

    record = load(session)
    i18n.set_language(record.agenda.language)
    text = render(record, template)
    if output is None:
        typer.echo(text, nl=False)
    else:
        write_text(output, text)
        typer.echo(i18n._("Minutes: {path}").format(path=output), err=True)


@app.command()
def approve(
    session: SessionArg,
    by: Annotated[str, typer.Option("--by", help="Who approves the minutes (name, and role if wanted).")],
) -> None:
    """Record that the minutes were approved, by whom and when (an event in the session)."""
    from retreat import i18n
    from retreat.clock import MonotonicClock
    from retreat.session import approve as approve_session

    state = approve_session(session, by, MonotonicClock())
    i18n.set_language(state.agenda.language)
    typer.echo(i18n._("Approved by {by}; the minutes of {path} are no longer a draft.").format(by=by, path=session))
