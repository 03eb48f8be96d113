"""A full disk: what was there stays, nothing half-written appears, and the user gets a sentence.

Two ways to fill a disk: a small tmpfs (real, needs root and mount; skipped elsewhere) and
writes made to fail by monkeypatching (everywhere).
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from retreat.cli.main import app
from retreat.meeting.store import Store

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def earlier_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("earlier")
    code, _out, err = invoke("demo", "--lang", "en", "--out", str(folder))
    assert code == 0, err
    return folder


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs, mounted for the test; skipped where mounting is not allowed."""
    mount = tmp_path / "disk"
    mount.mkdir()
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True)
    except OSError as e:
        pytest.skip(f"cannot mount a tmpfs: {e}")
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(folder: Path, leave: int) -> None:
    """Leave about `leave` bytes free on the file system holding `folder`."""
    stats = os.statvfs(folder)
    free = stats.f_bavail * stats.f_frsize
    with (folder / ".filler").open("wb") as f:
        f.write(b"\0" * max(free - leave, 0))


def copy_demo(source: Path, target: Path) -> None:
    for p in source.iterdir():
        (target / p.name).write_bytes(p.read_bytes())


# --- retreat demo -----------------------------------------------------------------------------------
@pytest.mark.parametrize("leave", [0, 60_000, 250_000])
@pytest.mark.slow
def test_demo_on_a_full_disk_keeps_the_earlier_demo(earlier_demo: Path, small_disk: Path, leave: int) -> None:
    copy_demo(earlier_demo, small_disk)
    fill(small_disk, leave)
    before = snapshot(small_disk)
    code, _out, err = invoke("demo", "--lang", "en", "--out", str(small_disk))
    assert code == 2, err
    assert err.strip() == (f"could not write {small_disk / 'retreat-demo.retreat'}: database or disk is full; "
                           "the earlier retreat-demo.retreat is left as it was")
    assert snapshot(small_disk) == before  # no partial session, no -wal/-shm, no temp file


def test_demo_on_a_full_disk_with_no_earlier_demo_writes_nothing(small_disk: Path) -> None:
    fill(small_disk, 100_000)
    code, _out, err = invoke("demo", "--lang", "en", "--out", str(small_disk))
    assert code == 2 and "database or disk is full; nothing was written" in err and "Traceback" not in err
    assert sorted(p.name for p in small_disk.iterdir()) == [".filler"]


@pytest.mark.slow  # over 0.2 s: out of the inner loop, still in CI
def test_demo_replaces_the_earlier_one_when_there_is_room(earlier_demo: Path, small_disk: Path) -> None:
    copy_demo(earlier_demo, small_disk)
    code, _out, err = invoke("demo", "--lang", "en", "--out", str(small_disk))
    assert code == 0, err
    assert sorted(p.name for p in small_disk.iterdir()) == ["retreat-demo-minutes.md", "retreat-demo.retreat"]


def _disk_full_after(monkeypatch: pytest.MonkeyPatch, appends: int) -> None:
    """Every append after the first `appends` fails as SQLite does on a full disk."""
    real = Store.append
    calls = {"n": 0}

    def append(self: Store, *args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] > appends:
            raise self._save_error(sqlite3.OperationalError("database or disk is full"))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Store, "append", append)


@pytest.mark.parametrize("appends", [0, 1, 40, 200])  # the demo appends about 230 times
def test_demo_that_fails_to_write_keeps_the_earlier_demo(
    earlier_demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, appends: int
) -> None:
    copy_demo(earlier_demo, tmp_path)
    before = snapshot(tmp_path)
    _disk_full_after(monkeypatch, appends)
    code, out, err = invoke("demo", "--lang", "en", "--out", str(tmp_path))
    assert code == 2, err
    assert err.strip() == (f"could not write {tmp_path / 'retreat-demo.retreat'}: database or disk is full; "
                           "the earlier retreat-demo.retreat is left as it was")
    assert snapshot(tmp_path) == before


def test_a_demo_interrupted_leaves_no_temporary_files(
    earlier_demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import retreat.demo

    copy_demo(earlier_demo, tmp_path)
    before = snapshot(tmp_path)

    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(retreat.demo, "_vote", interrupted)
    invoke("demo", "--lang", "en", "--out", str(tmp_path))
    assert snapshot(tmp_path) == before


# --- retreat schema -o --------------------------------------------------------------------------------
class FullDisk(io.RawIOBase):
    """A file on a disk with no room: opening works, writing does not."""

    def writable(self) -> bool:
        return True

    def write(self, _data: Any) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def no_room(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on every file opened for writing (created or truncated) refuses its bytes."""
    real_open, real_fdopen = io.open, os.fdopen

    def full(opened: Any, mode: str) -> Any:
        if not any(c in mode for c in "wax+"):
            return opened
        opened.close()
        raw = FullDisk()
        return io.BufferedWriter(raw) if "b" in mode else io.TextIOWrapper(io.BufferedWriter(raw))

    def patched_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        return full(real_open(file, mode, *args, **kwargs), mode)

    def patched_fdopen(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        return full(real_fdopen(fd, mode, *args, **kwargs), mode)

    monkeypatch.setattr(io, "open", patched_open)
    monkeypatch.setattr("builtins.open", patched_open)
    monkeypatch.setattr(os, "fdopen", patched_fdopen)


def test_schema_on_a_full_disk_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "agenda.schema.json"
    target.write_bytes(b'{"old": true}\n')
    no_room(monkeypatch)
    code, _out, err = invoke("schema", "-o", str(target))
    assert code == 2 and err.strip() == f"cannot write the schema to {target}: No space left on device"
    assert target.read_bytes() == b'{"old": true}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["agenda.schema.json"]


def test_schema_on_a_full_disk_leaves_no_empty_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "agenda.schema.json"
    no_room(monkeypatch)
    code, _out, err = invoke("schema", "-o", str(target))
    assert code == 2 and "No space left on device" in err
    assert list(tmp_path.iterdir()) == []


def test_schema_on_a_real_full_disk(small_disk: Path) -> None:
    target = small_disk / "agenda.schema.json"
    target.write_text('{"old": true}\n')
    fill(small_disk, 0)
    code, _out, err = invoke("schema", "-o", str(target))
    assert code == 2 and "No space left on device" in err
    assert target.read_text() == '{"old": true}\n'
    assert sorted(p.name for p in small_disk.iterdir()) == [".filler", "agenda.schema.json"]
