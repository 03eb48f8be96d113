"""`retreat run`: the projected stage, run from the keyboard."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from retreat.cli.common import new_app

if TYPE_CHECKING:
    from retreat.meeting.session import Session

app = new_app()


@app.command()
def run(
    agenda: Annotated[
        Path | None,
        typer.Argument(help="The agenda YAML file. Without it: the bundled demo agenda."),
    ] = None,
    session: Annotated[
        Path | None,
        typer.Option("--session", help="The session file (default: <agenda-stem>.retreat here)."),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Carry on with an existing session after a crash or a quit.")
    ] = False,
    no_sound: Annotated[
        bool, typer.Option("--no-sound", help="No tone; the bell and the red flash still work.")
    ] = False,
    ascii: Annotated[
        bool, typer.Option("--ascii", help="Draw digits and lines with ASCII only (for terminals that draw blocks wide).")
    ] = False,
    lang: Annotated[
        str | None, typer.Option("--lang", help="zh-CN or en (default: the agenda's language).")
    ] = None,
    participate: Annotated[
        bool, typer.Option("--participate", help="Serve the phone pages (vote, questions) on the room's network.")
    ] = False,
    host: Annotated[
        str, typer.Option("--host", help="With --participate: the address to listen on (0.0.0.0: every interface).")
    ] = "0.0.0.0",
    port: Annotated[int, typer.Option("--port", help="With --participate: the port to listen on.")] = 8765,
) -> None:
    """Run the meeting on the projected screen: big countdown, keys, alarms.

    Keys: space start/pause/resume, n next, p back, + and - a minute, a silence the alarm, t tick a talking point, o overview, q quit (then y).

    On a Q&A item: d draw the next asker, k (or Enter) record the question, r record the answer, e edit or w withdraw a question, m put an accepted phone question to the room.

    On a vote item: b enter ballots, u undo the last ballot, i import a ballot file, v reveal (each group, then the overall result), . and , step through the rounds, c the chair decides a tie, f open a runoff.

    Every key is saved to the session file at once; after a crash, run again with --resume.
    """
    web = (host, port) if participate else None  # nothing listens without --participate
    try:
        outcome, path = _run(agenda, session, resume, no_sound, ascii, lang, web)
    except KeyboardInterrupt:  # before raw mode, or a SIGTERM/SIGHUP (see _run)
        outcome, path = "interrupted", str(session or "")
    _report(outcome, path)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _run(
    agenda_file: Path | None,
    session_file: Path | None,
    resume: bool,
    no_sound: bool,
    ascii: bool,
    lang: str | None,
    web: tuple[str, int] | None = None,
) -> tuple[str, str]:
    import signal
    import sys

    from retreat import agenda as agenda_mod
    from retreat import i18n, platforms
    from retreat.errors import SessionError, UsageError
    from retreat.meeting.session import default_path
    from retreat.paths import bundled_agenda
    from retreat.ui.keys import no_terminal

    if lang is not None:
        if lang.strip().lower().replace("_", "-") not in ("zh", "zh-cn", "en"):
            raise UsageError(i18n._("--lang takes zh-CN or en, not {lang}").format(lang=lang))
        lang = i18n.set_language(lang)
    source = agenda_file or bundled_agenda(lang or "zh-CN")
    path = session_file or default_path(source)
    agenda = None
    if not resume:
        agenda = agenda_mod.load(source)  # a bad agenda is reported before anything is created
        if lang is None:
            i18n.set_language(agenda.language)
        if agenda.meeting.previous:  # as `retreat check` names them: refused before anything is created
            from retreat.meeting.ledger import read_previous

            read_previous(agenda)
        if path.exists():
            raise SessionError(
                i18n._("{path} already exists; resume it with --resume or choose another with --session NEW").format(
                    path=path
                )
            )
    elif not path.exists():
        raise SessionError(
            i18n._("{path}: no such session file; start a new meeting without --resume").format(path=path)
        )
    if sys.stdin is None or not sys.stdin.isatty() or sys.stdout is None or not sys.stdout.isatty():
        raise no_terminal()
    for sig in platforms.termination_signals():  # SIGTERM; SIGHUP, or SIGBREAK on Windows
        signal.signal(sig, _interrupt)  # leave raw mode and the alternate screen on the way out
    ascii = ascii or platforms.wants_ascii(sys.stdout)  # GBK lacks blocks; CJK consoles draw them wide
    return _stage(agenda, path, resume, no_sound, ascii, lang, web), str(path)


def _stage(agenda: object, path: Path, resume: bool, no_sound: bool, ascii: bool, lang: str | None,
           web: tuple[str, int] | None = None) -> str:

    from retreat import i18n
    from retreat.agenda import Agenda
    from retreat.clock import MonotonicClock
    from retreat.meeting.session import Session
    from retreat.ui.alarm import Alarm
    from retreat.ui.keys import KeyReader
    from retreat.ui.prompts import QuestionaryPrompter
    from retreat.ui.runloop import RunLoop
    from retreat.ui.stage import StageOptions

    clock = MonotonicClock()
    if isinstance(agenda, Agenda):
        stage_session = Session.create(path, agenda, clock)
    else:
        stage_session = Session.resume(path, clock)
        if lang is None:
            i18n.set_language(stage_session.agenda.language)
    with stage_session:
        previous = _previous_reader(stage_session)
        from retreat.ui.screen import stage_console

        console = stage_console()
        alarm = Alarm.detect(sound=not no_sound, bell=console.bell)
        options = StageOptions(ascii=ascii, session_path=str(path))
        phones = None
        try:
            if web is not None:
                from retreat.web.launch import serve

                phones = serve(stage_session, web, console)
                # The stage's footer and the vote board show where phones go.
                options = StageOptions(ascii=ascii, session_path=str(path), phones=phones.url,
                                       join_url=phones.join_url, pin=phones.pin, timer_url=phones.timer_url)
            with KeyReader() as reader:
                keys = reader if phones is None else phones.hold(reader)
                try:
                    loop = RunLoop(stage_session, keys, console, alarm=alarm, options=options,
                                   prompter=QuestionaryPrompter(), previous=previous)  # fmt: skip
                    loop.say(alarm.describe())
                    return loop.run().value
                finally:
                    if phones is not None:
                        phones.release()
        finally:
            alarm.stop()
            if phones is not None:
                phones.stop()


def _previous_reader(session: Session) -> Callable[[], Mapping[str, object]] | None:
    """What the stage records as the first item starts: the tasks of the sessions the agenda
    names as `meeting.previous`, read then. They are read once now too, so that one missing or
    unreadable is a sentence naming it (exit 2) before the stage opens, not a surprise in front
    of the room; if one disappears in between, the tasks as read now are recorded.
    None when there is nothing to record (no previous session, or already recorded)."""
    import datetime as dt

    from retreat.errors import RetreatError
    from retreat.meeting.ledger import previous_paths, read_snapshot

    state, agenda, clock = session.state, session.agenda, session.clock
    if not agenda.meeting.previous or state.previous_tasks is not None:
        return None
    if any(s.started_at is not None for s in state.items):
        return None

    # The agenda's folder as it was named when the session began: relative to where that was.
    # A --resume from another folder looks beside the session, where `retreat run` puts it.
    base = None
    if not all(found.exists() for _name, found in previous_paths(agenda)):
        beside = Path(session.path).parent
        if all(found.exists() for _name, found in previous_paths(agenda, beside)):
            base = beside

    def read() -> Mapping[str, object]:
        today = dt.datetime.fromtimestamp(clock.now(), dt.timezone(dt.timedelta(seconds=clock.utc_offset()))).date()
        return cast("Mapping[str, object]", read_snapshot(agenda, today, base))

    first = read()

    def at_first_start() -> Mapping[str, object]:
        try:
            return read()
        except (RetreatError, OSError, ValueError):  # gone or damaged since the launch: not in front of the room
            return first

    return at_first_start


def _report(outcome: str, path: str) -> None:
    from retreat.i18n import _

    if path:
        typer.echo(_("Session saved in {path}.").format(path=path))
    if outcome == "quit":
        typer.echo(_("Carry on later with: retreat run --resume --session {path}").format(path=path))
        typer.echo(_("Minutes: retreat minutes {path}").format(path=path))
        return
    if path:
        typer.echo(
            _("Interrupted; nothing is lost. Carry on with: retreat run --resume --session {path}").format(path=path)
        )
    raise typer.Exit(130)
