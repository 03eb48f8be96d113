"""Session.listeners: told of the events committed, after they are applied (a batch once, after its commit)."""

from __future__ import annotations

import pytest
from support import kinds

from retreat.errors import CommandRefused
from retreat.meeting.engine import Cmd
from retreat.meeting.events import Event, EventKind
from retreat.meeting.session import Session


def test_a_listener_hears_each_commit_after_it_is_applied(session: Session) -> None:
    heard: list[tuple[list[EventKind], str]] = []
    session.listeners.append(lambda events: heard.append(([e.kind for e in events], session.state.item.status)))
    session.handle(Cmd.START)
    assert heard == [([EventKind.ITEM_STARTED], "running")]
    with pytest.raises(CommandRefused):
        session.handle(Cmd.GOTO, "nowhere")
    session.handle(Cmd.TICK)  # nothing due: no events, nobody told
    assert len(heard) == 1


def test_a_batch_is_told_once_after_its_commit(session: Session) -> None:
    heard: list[list[Event]] = []
    on_disk: list[int] = []

    def listener(events: list[Event]) -> None:
        heard.append(events)
        on_disk.append(len(kinds(session)))  # durable by now

    session.listeners.append(listener)
    before = len(kinds(session))
    with session.batch():
        session.handle(Cmd.START)
        session.handle(Cmd.ADJUST, 60)
        assert heard == []
    assert [[e.kind for e in events] for events in heard] == [[EventKind.ITEM_STARTED, EventKind.ITEM_ADJUSTED]]
    assert on_disk == [before + 2]


def test_a_failed_batch_tells_nobody(session: Session) -> None:
    heard: list[list[Event]] = []
    session.listeners.append(heard.append)
    with pytest.raises(RuntimeError), session.batch():
        session.handle(Cmd.START)
        raise RuntimeError("the leader's thread was interrupted")
    assert heard == []
    session.handle(Cmd.START)
    assert len(heard) == 1
