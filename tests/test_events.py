"""The log's contract: every kind of event has one payload type, checked when an event is
appended and when it is read back, and sessions written in an older shape still replay."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from retreat import agenda as agenda_mod
from retreat.agenda import Agenda
from retreat.clock import FakeClock
from retreat.errors import SessionError
from retreat.meeting.engine import Cmd
from retreat.meeting.events import PAYLOADS, TIMER_EVENTS, Event, EventKind, Stamp, problem, upgrade
from retreat.meeting.session import Session, load
from retreat.meeting.store import Store

QA_AGENDA = Path(__file__).parent / "data" / "agendas" / "qa.yaml"


def rows(path: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        found = conn.execute(sql, args).fetchall()
        conn.commit()
        return found
    finally:
        conn.close()


def test_every_kind_has_a_payload_type_whose_fields_can_be_checked() -> None:
    assert set(PAYLOADS) == set(EventKind)
    for kind in EventKind:
        problem(kind, {})  # compiles the kind's checks: a field type without one raises


@pytest.mark.parametrize(
    ("kind", "data", "found"),
    [
        (EventKind.ITEM_STARTED, {"item": "a"}, None),
        (EventKind.ITEM_STARTED, {}, ("item", "missing")),
        (EventKind.ITEM_ADJUSTED, {"item": "a", "seconds": "60"}, ("seconds", "a whole number")),
        (EventKind.ITEM_ADJUSTED, {"item": "a", "seconds": True}, ("seconds", "a whole number")),
        (EventKind.TIME_UP, {"item": "a", "timer": "item", "overtime": 2}, None),  # a whole number is a number
        (EventKind.TIME_UP, {"item": "a", "timer": "coffee"}, ("timer", "answer / item")),
        (EventKind.BALLOT_CAST, {"item": "v", "vote": "v", "ballot": "b", "ranking": ["a", 2]},
         ("ranking", "a list of texts")),
        (EventKind.ASKER_DRAWN, {"item": "q", "asker": "", "proposal": None, "seed": None}, None),
        (EventKind.QUESTION_EDITED, {"item": "q", "qid": 1, "changes": {"text": 3}},
         ("changes", "an object of known fields")),
        (EventKind.NOTE_ADDED, {"item": "a", "text": "x", "from_a_newer_retreat": 1}, None),
    ],
)
def test_payloads_are_checked_field_by_field(kind: EventKind, data: dict[str, object],
                                             found: tuple[str, str] | None) -> None:
    assert problem(kind, data) == found


def test_old_timer_events_say_which_countdown_by_the_answer_key() -> None:
    assert upgrade(EventKind.TIME_UP, {"item": "q", "answer": 1, "count": 1})["timer"] == "answer"
    assert upgrade(EventKind.WARNING_REACHED, {"item": "a"})["timer"] == "item"
    assert upgrade(EventKind.NOTE_ADDED, {"item": "a", "text": "x"}) == {"item": "a", "text": "x"}
    assert all(k in PAYLOADS for k in TIMER_EVENTS)


def test_an_old_shape_answer_alarm_still_replays(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "qa.retreat"
    with Session.create(path, agenda_mod.load(QA_AGENDA), clock) as s:
        s.handle(Cmd.START)
        s.handle(Cmd.DRAW, 1)
        s.handle(Cmd.ASK, {"text": "路灯什么时候修好？", "department": "司法所"})
        clock.advance(120)
        fired = s.tick()
        assert [e.data["timer"] for e in fired] == ["answer", "answer"]  # warning, then time up
    # As a session written before the `timer` field: the answer countdown was told by `answer`.
    for seq, data in rows(path, "SELECT seq, data FROM events WHERE kind IN ('warning_reached', 'time_up')"):
        old = {k: v for k, v in json.loads(str(data)).items() if k != "timer"}
        rows(path, "UPDATE events SET data = ? WHERE seq = ?", json.dumps(old), seq)
    state = load(path).state
    assert state.qa.answer_timer is not None and state.qa.answer_timer.time_up
    assert not state.item.timer.warned and not state.item.timer.time_up


def test_an_old_shape_item_alarm_still_replays(tmp_path: Path, short_agenda: Agenda, clock: FakeClock) -> None:
    path = tmp_path / "s.retreat"
    with Session.create(path, short_agenda, clock) as s:
        s.handle(Cmd.START)
        clock.advance(short_agenda.items[0].limit + 1)
        assert EventKind.TIME_UP in [e.kind for e in s.tick()]
    rows(path, "UPDATE events SET data = json_remove(data, '$.timer') WHERE kind IN ('warning_reached', 'time_up')")
    assert load(path).state.item.timer.time_up


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("UPDATE events SET data = json_remove(data, '$.text') WHERE kind = 'note_added'",
         "event {seq} is damaged: its note_added has no text"),
        ("UPDATE events SET data = json_set(data, '$.text', 7) WHERE kind = 'note_added'",
         "event {seq} is damaged: its note_added field text should be a text, not 7"),
        ("UPDATE events SET data = json_set(data, '$.item', json('[1]')) WHERE kind = 'note_added'",
         "event {seq} is damaged: its note_added field item should be a text, not [1]"),
    ],
)
def test_a_malformed_stored_payload_names_the_file_the_event_and_the_field(
        tmp_path: Path, short_agenda: Agenda, clock: FakeClock, sql: str, message: str) -> None:
    path = tmp_path / "s.retreat"
    with Session.create(path, short_agenda, clock) as s:
        s.handle(Cmd.START)
        [note] = s.handle(Cmd.NOTE, "数据翔实")
    rows(path, sql)
    with pytest.raises(SessionError) as caught:
        load(path)
    assert str(caught.value) == f"{path}: " + message.format(seq=note.seq)
    with pytest.raises(SessionError, match=f"event {note.seq} is damaged"):
        Session.resume(path, clock)


def test_a_malformed_payload_is_refused_before_anything_is_written(tmp_path: Path, short_agenda: Agenda,
                                                                   clock: FakeClock) -> None:
    path = tmp_path / "s.retreat"
    Session.create(path, short_agenda, clock).close()
    with Store.open(path) as store:
        before = store.last_seq()
        good = Event(EventKind.ITEM_STARTED, Stamp(1.0, 1.0, 1), {"item": "a"})
        bad = Event(EventKind.ITEM_ADJUSTED, Stamp(1.0, 1.0, 1), {"item": "a", "seconds": "sixty"})
        with pytest.raises(ValueError, match="item_adjusted payload: seconds should be a whole number"):
            store.append([good, bad])
        assert store.last_seq() == before
