"""`retreat minutes` and `retreat approve`: the formal record."""

from __future__ import annotations

import typer

from retreat.cli.common import new_app

app = new_app()


@app.command()
def minutes() -> None:
    """Render the minutes of a session."""
    typer.echo("minutes")
