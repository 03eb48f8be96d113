"""`retreat check` and `retreat schema`: the agenda file."""

from __future__ import annotations

from pathlib import Path

import typer

from retreat.cli.common import new_app

app = new_app()


@app.command()
def check(
    agenda: Path = typer.Argument(..., help="The agenda YAML file to validate."),
) -> None:
    """Validate an agenda and print its schedule (items, owners, planned times)."""
    typer.echo(f"check {agenda}")


@app.command()
def schema() -> None:
    """Print the JSON Schema of the agenda format (for editor completion)."""
    typer.echo("{}")
