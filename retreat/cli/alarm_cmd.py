"""`retreat alarm-test`: try the bell, the tone and the overtime flash before the meeting."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from retreat.cli.common import new_app

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from retreat.ui.alarm import Alarm

app = new_app()

FLASH_ON = "bold bright_white on red"
FLASH_OFF = "bold red on black"


@app.command("alarm-test")
def alarm_test(
    no_sound: bool = typer.Option(
        False, "--no-sound", help="Leave the tone out; ring the bell and flash only."
    ),
    seconds: int = typer.Option(
        5, "--seconds", min=1, max=600, help="How long the flashing overtime screen stays up."
    ),
    ascii: bool = typer.Option(
        False, "--ascii", help="Draw digits with # (for terminals that draw block characters wide)."
    ),
) -> None:
    """Try the alarm before the meeting: terminal bell, tone and the red overtime flash."""

    from retreat.i18n import _
    from retreat.ui.alarm import Alarm
    from retreat.ui.screen import stage_console

    console = stage_console()
    on_terminal = sys.stdout.isatty()
    alarm = Alarm.detect(sound=not no_sound, bell=console.bell if on_terminal else None)
    typer.echo(_("Alarm test"))
    typer.echo("  " + alarm.describe())
    if not on_terminal:
        alarm.fire()
        typer.echo("  " + _sound_outcome(alarm))
        typer.echo(
            "  "
            + _(
                "bell and flash: skipped, stdout is not a terminal (the visual alarm always works on the stage)"
            )
        )
        return
    typer.echo("  " + _("bell: sent; whether it sounds is up to the terminal (tmux passes it on)"))
    typer.echo(
        "  " + _("flash: the overtime screen, for {n} s; any key stops it").format(n=seconds)
    )
    from retreat import platforms

    # as `retreat run` does: GBK has no block characters, and CJK consoles draw them wide
    interrupted = _flash(console, alarm, seconds, ascii or platforms.wants_ascii(sys.stdout))
    typer.echo("  " + _sound_outcome(alarm))
    if alarm.player is not None:
        typer.echo(_("Done. No tone? Check the volume and the output device."))
    typer.echo(_("The red flash is the alarm that always works."))
    if interrupted:
        raise typer.Exit(130)


def _sound_outcome(alarm: Alarm) -> str:
    from retreat.i18n import _

    if alarm.player is None:
        return _("tone: not played")
    if alarm.last_error:
        return _("tone: the player could not be started: {error}").format(error=alarm.last_error)
    return _(
        "tone: started {player}; a player cannot tell whether the speakers work, so listen"
    ).format(player=alarm.player.name)


def _flash(console: Console, alarm: Alarm, seconds: int, ascii: bool) -> bool:
    """Show the overtime screen until `seconds` pass or a key is pressed; True after Ctrl-C."""
    import time
    from contextlib import nullcontext

    from rich.live import Live

    from retreat.clock import MonotonicClock
    from retreat.ui.keys import KeyReader
    from retreat.ui.loop import FlashLoop, Outcome, Sleeper

    clock = MonotonicClock()
    reader = KeyReader() if sys.stdin.isatty() else None
    flash = FlashLoop(clock, reader or Sleeper(clock, time.sleep), alarm, seconds,
                      lambda overtime: _screen(console, overtime, seconds, ascii))
    with reader or nullcontext(), Live(console=console, screen=True, auto_refresh=False) as live:
        return flash.run(live) is Outcome.INTERRUPTED


def _screen(console: Console, overtime: float, seconds: int, ascii: bool) -> RenderableType:
    from rich.align import Align
    from rich.console import Group
    from rich.text import Text

    from retreat.i18n import _
    from retreat.ui.alarm import flash_on
    from retreat.ui.bigdigits import BigTime

    style = FLASH_ON if flash_on(overtime) else FLASH_OFF
    width, height = console.size
    minutes, secs = divmod(int(overtime), 60)
    caption = _("Alarm test: this is how overtime looks on the stage.")
    hint = _("Press any key to stop; it stops by itself after {n} s.").format(n=seconds)
    body = Group(
        BigTime(f"+{minutes:02d}:{secs:02d}", ascii=ascii, style=style, fit="+88:88",
                max_height=max(1, height - 4)),
        Text(""),
        Text(caption, style=style, justify="center"),
        Text(hint, style=style, justify="center"),
    )  # fmt: skip
    return Align(body, "center", style=style, vertical="middle", width=width, height=height)
