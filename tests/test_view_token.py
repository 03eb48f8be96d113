"""The room's views share one read-only token: set once, in the log, kept across a resume."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from retreat.clock import FakeClock
from retreat.errors import CommandRefused
from retreat.meeting.engine import Cmd
from retreat.meeting.events import EventKind
from retreat.meeting.session import Session, load

TOKEN = "Zx0-_abcdefghijKLMNOPq"


def test_the_view_token_is_set_once_and_replayed(session: Session) -> None:
    assert session.state.view_token is None
    [event] = session.handle(Cmd.SET_VIEW_TOKEN, TOKEN)
    assert event.kind is EventKind.VIEW_TOKEN_SET and event.data == {"token": TOKEN}
    assert session.state.view_token == TOKEN
    with pytest.raises(CommandRefused):
        session.handle(Cmd.SET_VIEW_TOKEN, "another-token-of-22chr")
    assert load(session.path).state.view_token == TOKEN


@pytest.mark.parametrize("bad", ["", "short", "0123456789", "has space in it!", "汉字汉字汉字汉字汉字汉字", "a/b+c=d/e+f="])
def test_a_weak_or_odd_view_token_is_refused(session: Session, bad: str) -> None:
    with pytest.raises(CommandRefused):
        session.handle(Cmd.SET_VIEW_TOKEN, bad)
    assert session.state.view_token is None


def test_the_view_token_leaves_the_meetings_last_moment_alone(session: Session, clock: FakeClock) -> None:
    session.handle(Cmd.START)
    last = session.state.last
    clock.advance(30)
    session.handle(Cmd.SET_VIEW_TOKEN, TOKEN)
    assert session.state.last == last  # not a moment of the meeting: durations and downtime unchanged


def test_an_ended_meeting_still_takes_a_view_token(session: Session) -> None:
    session.handle(Cmd.END_MEETING)
    session.handle(Cmd.SET_VIEW_TOKEN, TOKEN)  # `--resume --participate` on it shows the ended state
    assert session.state.view_token == TOKEN


@pytest.mark.slow  # a real server
def test_serve_makes_a_strong_token_once_and_a_resume_keeps_it(tmp_path: Path, session: Session,
                                                              clock: FakeClock) -> None:
    from rich.console import Console

    from retreat.web.launch import serve

    out = io.StringIO()
    phones = serve(session, ("127.0.0.1", 0), Console(file=out, width=300), wait_for_key=False)
    phones.stop()
    token = session.state.view_token
    printed = out.getvalue()
    for line in (f"Podium timer (the tablet on the lectern; j then Tab shows its QR code): {phones.url}timer?v={token}",
                 f"Agenda for the room: {phones.url}agenda?v={token}",
                 f"Stage in a browser: {phones.url}stage?v={token}"):
        assert line in printed
    assert token is not None and len(token) >= 22  # secrets.token_urlsafe(16): 128 bits
    assert token not in (phones.server.desk_token, phones.pin)
    path = session.path
    session.close()
    with Session.resume(path, clock) as again:
        phones = serve(again, ("127.0.0.1", 0), Console(file=io.StringIO()), wait_for_key=False)
        phones.stop()
        assert again.state.view_token == token
        assert [e.kind for e in again.store.events()].count(EventKind.VIEW_TOKEN_SET) == 1
