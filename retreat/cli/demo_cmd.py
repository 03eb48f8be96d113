"""`retreat demo`: the bundled retreat in accelerated time."""

from __future__ import annotations

import typer

from retreat.cli.common import new_app

app = new_app()


@app.command()
def demo() -> None:
    """Run the bundled retreat agenda in accelerated time and write its minutes."""
    typer.echo("demo")
