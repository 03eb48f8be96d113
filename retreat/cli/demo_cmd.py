"""`retreat demo`: the bundled retreat in accelerated time."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from retreat.cli.common import new_app

if TYPE_CHECKING:
    from rich.console import Console

app = new_app()

SESSION_NAME = "retreat-demo.retreat"
MINUTES_STEM = "retreat-demo-minutes"
MINUTES_NAME = f"{MINUTES_STEM}.md"
NEXT_SESSION_NAME = "retreat-demo-next.retreat"
NEXT_MINUTES_STEM = "retreat-demo-next-minutes"


@app.command()
def demo(
    out: Annotated[
        Path, typer.Option("--out", help="Folder to write the session and minutes into.")
    ] = Path("."),
    lang: Annotated[
        str, typer.Option("--lang", help="zh-CN (the bundled Chinese agenda) or en (its English sibling).")
    ] = "zh-CN",
    formats: Annotated[
        str,
        typer.Option(
            "--format",
            help="Which minutes to write, comma-separated: md, html (print-ready), docx (Word).",
        ),
    ] = "md",
    participate: Annotated[
        bool,
        typer.Option("--participate", help="Afterwards, open the demo's first vote to phones on the room's network "
                     "(Ctrl-C stops)."),
    ] = False,
    host: Annotated[str, typer.Option("--host", help="With --participate: the address to listen on.")] = "0.0.0.0",
    port: Annotated[int, typer.Option("--port", help="With --participate: the port to listen on.")] = 8765,
    next_year: Annotated[
        bool,
        typer.Option("--next-year", help="Then a year of follow-up on its tasks, and the next year's shorter "
                     "meeting, which reports against them (retreat-demo-next.retreat and its minutes)."),
    ] = False,
) -> None:
    """Run the bundled retreat agenda in simulated time (no input needed) and write its minutes.

    Writes retreat-demo.retreat and retreat-demo-minutes.md (and .html, .docx with
    --format md,html,docx) into the current folder (or --out), replacing those of an
    earlier demo.

    With --next-year, some of its tasks are then recorded as under way, done or overdue, and
    the next year's meeting is run too: its agenda names retreat-demo.retreat as
    `meeting.previous`, and its minutes (retreat-demo-next-minutes.md) report against its tasks.
    """
    from contextlib import closing

    from rich.console import Console

    from retreat import agenda as agenda_mod
    from retreat import exports, i18n
    from retreat.demo import run_demo
    from retreat.errors import UsageError
    from retreat.files import session_aside
    from retreat.paths import bundled_agenda

    if i18n.normalise(lang) != lang.strip() and lang.strip().lower() not in ("zh", "zh-cn", "zh_cn", "en"):
        raise UsageError(i18n._("--lang takes zh-CN or en, not {lang}").format(lang=lang))
    lang = i18n.set_language(lang)
    wanted = exports.parse_formats(formats)
    agenda = agenda_mod.load(bundled_agenda(lang))
    if not out.is_dir():
        raise UsageError(i18n._("{out} is not a folder").format(out=out))
    session_path = out / SESSION_NAME
    console = Console(highlight=False)
    _ = i18n._
    from retreat.ui.progress import demo_line

    # Built beside the earlier demo, which it replaces only once complete: a full disk or
    # Ctrl-C leaves the earlier demo as it was, never half a meeting that reads as whole.
    with session_aside(session_path) as building:
        console.print(f"[bold]{agenda.meeting.title}[/]  " + _("(simulated time, no input needed)"))
        with closing(run_demo(agenda, building)) as steps:
            for step in steps:
                console.print(demo_line(step), soft_wrap=True)
        if next_year:
            from retreat.demo import record_the_year

            n = record_the_year(building, lang)
            console.print(_("A year of follow-up: {n} updates recorded on its tasks.").format(n=n))
    _write_minutes(console, session_path, out / MINUTES_STEM, wanted, lang)
    if next_year:
        _next_year(console, out, wanted, lang)
    if participate:  # nothing listens without --participate
        from retreat.web.launch import demo_phones

        phones_path, ballots = demo_phones(bundled_agenda(lang), out, (host, port), console)
        console.print(_("{n} ballots from phones in {path}").format(n=ballots, path=phones_path))


def _write_minutes(console: Console, session_path: Path, stem: Path, wanted: list[str], lang: str) -> None:
    """The session's minutes in each format wanted, beside it."""
    from retreat import exports
    from retreat.files import write_text
    from retreat.i18n import _
    from retreat.meeting.session import load
    from retreat.minutes import render

    record = load(session_path)
    text = render(record)
    console.print(_("Session: {path}").format(path=session_path))
    for fmt in wanted:
        minutes_path = stem.with_name(f"{stem.name}{exports.SUFFIXES[fmt][0]}")
        if fmt == "md":
            write_text(minutes_path, text)
        else:
            data = exports.export(text, fmt, lang, draft=not record.state.approvals)
            exports.write_file(minutes_path, data)
        console.print(_("Minutes: {path}").format(path=minutes_path))


def _next_year(console: Console, out: Path, wanted: list[str], lang: str) -> None:
    """The next year's meeting, against the demo's tasks; one report's `l` screen is printed."""
    from contextlib import closing

    from rich.text import Text

    from retreat import agenda as agenda_mod
    from retreat.demo import run_next_year
    from retreat.files import session_aside
    from retreat.i18n import _
    from retreat.meeting.session import load
    from retreat.paths import data_dir
    from retreat.ui.previous_view import panel, panel_lines
    from retreat.ui.progress import demo_line

    stem = "retreat-demo-next" if lang == "zh-CN" else "retreat-demo-next-en"
    agenda = agenda_mod.load(data_dir("agendas") / "next-year" / f"{stem}.yaml")
    session_path = out / NEXT_SESSION_NAME
    console.print()
    console.print(f"[bold]{agenda.meeting.title}[/]  " + _("(simulated time, no input needed)"))
    with session_aside(session_path) as building, closing(run_next_year(agenda, out, building)) as steps:
        for step in steps:
            console.print(demo_line(step), soft_wrap=True)
    record = load(session_path)
    report = next(item for item in agenda.items if item.kind == "report")
    console.print()
    console.print(_("During {title}, l shows:").format(title=report.title), style="bold")
    for line in panel_lines(panel(record.state, report), min(console.width, 100) - 2):
        text = Text("  ")
        for seg in line:
            text.append(seg.text, seg.style)
        text.rstrip()
        console.print(text, soft_wrap=True)
    console.print()
    _write_minutes(console, session_path, out / NEXT_MINUTES_STEM, wanted, lang)
