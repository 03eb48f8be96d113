from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from retreat.errors import UsageError
from retreat.ui.files import write_bytes, write_text


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
