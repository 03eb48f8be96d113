from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from retreat.errors import SessionError, UsageError
from retreat.files import write_bytes, write_text


def test_write_replaces_a_regular_file_atomically(tmp_path: Path) -> None:
    target = tmp_path / "minutes.md"
    target.write_text("old", encoding="utf-8")
    write_text(target, "新纪要")
    assert target.read_text(encoding="utf-8") == "新纪要"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["minutes.md"]  # no temp file left


def test_a_device_is_written_in_place_never_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        write_bytes(fifo, b"through the pipe")
        assert os.read(reader, 100) == b"through the pipe"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_dev_null_stays_a_device() -> None:
    null = Path(os.devnull)
    if not stat.S_ISCHR(null.stat().st_mode):
        pytest.skip("/dev/null is not a character device on this machine")
    write_text(null, "discarded")
    assert stat.S_ISCHR(null.stat().st_mode)


def test_unwritable_targets_are_a_sentence(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot write"):
        write_text(tmp_path / "missing" / "x.md", "x")
    with pytest.raises(UsageError, match="is a folder"):
        write_text(tmp_path, "x")


def test_new_files_get_the_umask_mode_and_old_files_keep_theirs(tmp_path: Path) -> None:
    mask = os.umask(0o022)
    try:
        fresh = tmp_path / "new.md"
        write_text(fresh, "x")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
        kept = tmp_path / "kept.md"
        kept.write_text("old")
        kept.chmod(0o640)
        write_text(kept, "new")
        assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    finally:
        os.umask(mask)


def _session(path: Path, note: str) -> None:
    from retreat.meeting.events import Event, EventKind, Stamp
    from retreat.meeting.store import Store

    with Store.create(path, {"agenda_text": "version: 1"}) as store:
        store.append([Event(EventKind.NOTE_ADDED, Stamp(1_767_832_200.0, 1.0, 1), {"item": "a", "text": note})])


def _notes(path: Path) -> list[str]:
    from retreat.meeting.store import Store

    with Store.open(path, readonly=True) as store:
        return [e.data["text"] for e in store.events()]


def test_a_session_built_aside_replaces_the_earlier_one_in_one_step(tmp_path: Path) -> None:
    from retreat.files import session_aside

    path = tmp_path / "demo.retreat"
    _session(path, "earlier")
    with session_aside(path) as building:
        assert building.parent == tmp_path and building.name.startswith(".demo.retreat.")
        _session(building, "new")
        assert _notes(path) == ["earlier"]  # untouched until complete
    assert _notes(path) == ["new"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.retreat"]


@pytest.mark.parametrize("where", ["building", "sealing", "renaming"])
def test_a_session_that_fails_to_build_leaves_the_earlier_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    import errno

    import retreat.files as files
    from retreat.meeting.store import SaveError

    path = tmp_path / "demo.retreat"
    _session(path, "earlier")
    before = path.read_bytes()
    if where == "sealing":
        def full(_path: object) -> None:
            raise SaveError("could not save", "database or disk is full")
        monkeypatch.setattr(files, "seal", full)
    if where == "renaming":
        def refused(*_: object) -> None:
            raise OSError(errno.EACCES, os.strerror(errno.EACCES))
        monkeypatch.setattr(files.os, "replace", refused)
    with pytest.raises(SessionError) as caught, files.session_aside(path) as building:
        _session(building, "half")
        if where == "building":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert str(caught.value).startswith(f"could not write {path}: ")
    assert str(caught.value).endswith("; the earlier demo.retreat is left as it was")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.retreat"]


def test_a_session_is_built_aside_only_over_a_session(tmp_path: Path) -> None:
    from retreat.files import session_aside

    path = tmp_path / "demo.retreat"
    path.write_text("my notes")
    with pytest.raises(SessionError, match="not a retreat session"), session_aside(path):
        pass
    assert path.read_text() == "my notes"
