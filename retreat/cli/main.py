"""The `retreat` command: composes one Typer app per command group.

Only typer is imported here; each command imports what it needs inside its body so that
`retreat --help` starts as fast as a bare Typer app.
"""

from __future__ import annotations

import typer

from retreat.cli import (
    agenda_cmds,
    alarm_cmd,
    codes_cmd,
    demo_cmd,
    followups_cmd,
    links_cmd,
    minutes_cmds,
    new_cmd,
    run_cmd,
    tally_cmd,
    votes_cmds,
)
from retreat.cli.common import DEBUG, new_app

app = new_app(
    help="Run a street office's work retreat from one laptop: timed reports, "
    "grassroots Q&A, ranked votes and formal minutes.",
)


def _version(value: bool) -> None:
    if value:
        from retreat import __version__

        typer.echo(f"retreat {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    DEBUG["on"] = debug
    from retreat import i18n

    # Until a command knows the meeting's language, messages follow the system's locale.
    i18n.set_language(i18n.from_environment())


for group in (
    agenda_cmds, new_cmd, alarm_cmd, demo_cmd, run_cmd, minutes_cmds, followups_cmd, tally_cmd, votes_cmds, codes_cmd,
    links_cmd,
):
    app.add_typer(group.app)


def main() -> None:
    app()
