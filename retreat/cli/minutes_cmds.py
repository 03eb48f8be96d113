"""`retreat minutes` and `retreat approve`: the formal record."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from retreat.cli.common import LangOption, choose_language, new_app

app = new_app()

SessionArg = Annotated[Path, typer.Argument(help="The session file (.retreat) of the meeting.")]


@app.command()
def minutes(
    session: SessionArg,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Write to this file (replacing it). Markdown without -o goes to stdout; "
            "html and docx go to <session>-minutes.html/.docx in the current folder.",
        ),
    ] = None,
    template: Annotated[
        str | None,
        typer.Option(
            "--template",
            help="A gallery template (minutes, summary, commitments) or a Jinja2 template file.",
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="md, html (one self-contained file to print to PDF) or docx (Word); "
            "default: from the -o file's extension, else md.",
        ),
    ] = None,
    lang: LangOption = None,
) -> None:
    """Render the formal minutes of a session (marked DRAFT until approved) as Markdown, HTML or Word."""
    from retreat import exports, i18n
    from retreat.exports import gallery
    from retreat.meeting.session import load
    from retreat.minutes import render

    record = load(session)
    language = choose_language(lang, record.agenda.language)
    fmt = exports.choose_format(fmt, output)
    text = render(record, gallery.resolve(template), language)
    if output is None and fmt == "md":
        typer.echo(text, nl=False)
        return
    target = output if output is not None else exports.default_output(session, fmt)
    exports.write_file(target, exports.export(text, fmt, language, draft=not record.state.approvals))
    typer.echo(i18n._("Minutes: {path}").format(path=target), err=True)


@app.command()
def approve(
    session: SessionArg,
    by: Annotated[str, typer.Option("--by", help="Who approves the minutes (name, and role if wanted).")],
    lang: LangOption = None,
) -> None:
    """Record that the minutes were approved, by whom and when (an event in the session)."""
    from retreat import i18n
    from retreat.clock import MonotonicClock
    from retreat.meeting.session import approve as approve_session

    state = approve_session(session, by, MonotonicClock())
    choose_language(lang, state.agenda.language)
    typer.echo(i18n._("Approved by {by}; the minutes of {path} are no longer a draft.").format(by=by, path=session))
