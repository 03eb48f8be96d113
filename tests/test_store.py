from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from retreat.errors import SessionError
from retreat.meeting.events import Event, EventKind, Stamp
from retreat.meeting.store import APPLICATION_ID, SCHEMA_VERSION, Store, is_session

STAMP = Stamp(at=1_767_832_200.0, mono=5.0, run=1)


def new_store(path: Path) -> Store:
    return Store.create(path, {"agenda_text": "version: 1", "agenda_file": "x.yaml"})


def test_append_is_visible_to_another_connection_before_close(tmp_path: Path) -> None:
    path = tmp_path / "m.retreat"
    store = new_store(path)
    committed = store.append([Event(EventKind.NOTE_ADDED, STAMP, {"item": "r1", "text": "居民代表发言"})])
    assert committed[0].seq == 1
    other = sqlite3.connect(path)
    assert other.execute("SELECT kind, data FROM events").fetchall() == [
        ("note_added", '{"item": "r1", "text": "居民代表发言"}')
    ]
    other.close()
    store.close()


def test_events_round_trip_in_order(tmp_path: Path) -> None:
    path = tmp_path / "m.retreat"
    with new_store(path) as store:
        store.append([Event(EventKind.ITEM_STARTED, STAMP, {"item": "a"})])
        store.append([Event(EventKind.ITEM_ENDED, Stamp(STAMP.at + 9, 14.0, 1), {"item": "a"})])
    with Store.open(path) as store:
        events = list(store.events())
    assert [(e.seq, e.kind, e.stamp.mono) for e in events] == [
        (1, EventKind.ITEM_STARTED, 5.0),
        (2, EventKind.ITEM_ENDED, 14.0),
    ]


def test_closed_session_is_one_self_contained_file(tmp_path: Path) -> None:
    path = tmp_path / "m.retreat"
    store = new_store(path)
    store.append([Event(EventKind.ITEM_STARTED, STAMP, {"item": "a"})])
    store.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.retreat"]


def test_create_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "m.retreat"
    path.write_text("precious")
    with pytest.raises(SessionError, match="already exists.*--resume.*--session"):
        new_store(path)
    assert path.read_text() == "precious"


def test_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.retreat"
    path.write_bytes("会议记录".encode())
    with pytest.raises(SessionError, match="is not a retreat session"):
        Store.open(path)
    assert path.read_bytes() == "会议记录".encode()
    assert not is_session(path)


def test_other_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t(x)")
    conn.commit()
    conn.close()
    with pytest.raises(SessionError, match="not a retreat session"):
        Store.open(path)


def test_newer_session_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.retreat"
    new_store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(SessionError, match="newer retreat"):
        Store.open(path)


def test_corrupt_session_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.retreat"
    with new_store(path) as store:
        for i in range(200):
            store.append([Event(EventKind.NOTE_ADDED, STAMP, {"item": "a", "text": "x" * 200 + str(i)})])
    raw = bytearray(path.read_bytes())
    raw[4096 * 2 : 4096 * 4] = b"\xff" * 8192  # smash two pages of the event table
    path.write_bytes(bytes(raw))
    with pytest.raises(SessionError):
        store = Store.open(path)
        list(store.events())


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(SessionError, match="no such session file"):
        Store.open(tmp_path / "nope.retreat")
    with pytest.raises(SessionError, match="is a folder"):
        Store.open(tmp_path)
    with pytest.raises(SessionError, match="folder does not exist"):
        new_store(tmp_path / "missing" / "m.retreat")


def test_application_id_marks_our_files(tmp_path: Path) -> None:
    path = tmp_path / "m.retreat"
    new_store(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    conn.close()
    assert is_session(path)


def test_an_append_decided_on_an_old_log_is_refused_whole(tmp_path: Path) -> None:
    from retreat.errors import StaleLog

    path = tmp_path / "s.retreat"
    mine, theirs = new_store(path), Store.open(path)
    seen = mine.last_seq()
    theirs.append([Event(EventKind.NOTE_ADDED, Stamp(1.0, 1.0, 1), {"item": "a", "text": "from another terminal"})])
    with pytest.raises(StaleLog):
        mine.append([Event(EventKind.NOTE_ADDED, Stamp(2.0, 2.0, 1), {"item": "a", "text": "stale"})], after=seen,
                     scratch=[("links:v", "code", "ballot")])
    assert [e.data["text"] for e in mine.events(after=seen)] == ["from another terminal"]
    assert mine.scratch("links:v") == {}  # the scratch rows went with the refused events
    mine.append([Event(EventKind.NOTE_ADDED, Stamp(2.0, 2.0, 1), {"item": "a", "text": "decided again"})],
                after=mine.last_seq(), scratch=[("links:v", "code", "ballot")])
    assert mine.scratch_get("links:v", "code") == "ballot"
    theirs.close()
    mine.close()


def test_a_dropped_scratch_space_is_gone_from_the_bytes(tmp_path: Path) -> None:
    path = tmp_path / "s.retreat"
    store = new_store(path)
    store.put_scratch("links:v", "c0de", "b4110t-" + "7" * 40)
    store.put_scratch("phones", "p", "{}")
    assert store.drop_scratch("links:v") and not store.drop_scratch("links:v")
    assert store.scratch_spaces() == ["phones"]
    store.close()
    assert b"b4110t-" not in path.read_bytes()


def test_a_closed_session_is_back_in_rollback_journaling(tmp_path: Path) -> None:
    """Readers then open it read-only and create nothing beside it (see test_session_files)."""
    path = tmp_path / "m.retreat"
    with new_store(path) as store:
        store.append([Event(EventKind.ITEM_STARTED, STAMP, {"item": "a"})])
        assert path.read_bytes()[18:20] == b"\x02\x02"  # WAL while open
    assert path.read_bytes()[18:20] == b"\x01\x01"
    with Store.open(path) as store:
        store.append([Event(EventKind.ITEM_ENDED, STAMP, {"item": "a"})])
    assert path.read_bytes()[18:20] == b"\x01\x01"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.retreat"]


def test_a_writing_handle_writes_nothing_before_its_first_append(tmp_path: Path) -> None:
    path = tmp_path / "m.retreat"
    with new_store(path) as store:
        store.append([Event(EventKind.ITEM_STARTED, STAMP, {"item": "a"})])
    before = path.read_bytes(), path.stat().st_mtime_ns
    with Store.open(path) as store:
        assert [e.kind for e in store.events()] == [EventKind.ITEM_STARTED]
        assert store.meta()["agenda_file"] == "x.yaml"
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.retreat"]


def test_a_damaged_event_names_the_file_and_the_event(tmp_path: Path) -> None:
    path = tmp_path / "m.retreat"
    with new_store(path) as store:
        store.append([Event(EventKind.ITEM_STARTED, STAMP, {"item": "a"})] * 3)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE events SET data = '[1, 2]' WHERE seq = 2")
    conn.commit()
    conn.close()
    with Store.open(path, readonly=True) as store:
        events = store.events()
        assert next(events).seq == 1
        with pytest.raises(SessionError, match=r"m\.retreat: event 2 is damaged: its data should be a JSON "
                                               r"object, not \[1, 2\]"):
            next(events)


def test_seal_reports_what_close_cannot(tmp_path: Path) -> None:
    """A second handle keeps the WAL open: close leaves it for that handle; seal says so."""
    from retreat.meeting.store import SaveError, seal

    path = tmp_path / "m.retreat"
    store = new_store(path)
    store.append([Event(EventKind.ITEM_STARTED, STAMP, {"item": "a"})])
    other = Store.open(path)
    other.append([Event(EventKind.ITEM_ENDED, STAMP, {"item": "a"})])
    store.close()  # silent: the other handle seals when it closes
    with pytest.raises(SaveError, match="locked"):
        seal(path)
    other.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.retreat"]
    assert path.read_bytes()[18:20] == b"\x01\x01"
