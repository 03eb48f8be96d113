"""Session files as found on disk: damaged by hand, by tools, or archived read-only.

Whatever is wrong with a session, the user gets one sentence naming the file (and the event)
and exit 2, and nothing is written to a session that cannot be read back whole.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from retreat.agenda import Agenda
from retreat.cli.main import app
from retreat.clock import FakeClock
from retreat.errors import SessionError
from retreat.meeting.engine import Cmd
from retreat.meeting.session import Session, approve, load
from retreat.meeting.store import Store, is_session

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def meeting(tmp_path: Path, short_agenda: Agenda, clock: FakeClock) -> Path:
    """A closed session of a short meeting: one item run, with a note."""
    path = tmp_path / "m.retreat"
    with Session.create(path, short_agenda, clock) as session:
        session.handle(Cmd.START)
        clock.advance(60)
        session.handle(Cmd.NOTE, "数据翔实")
        session.handle(Cmd.NEXT)
    return path


def tamper(path: Path, sql: str) -> None:
    """Edit a session the way a curious user with the sqlite3 shell would."""
    conn = sqlite3.connect(path)
    conn.execute(sql)
    conn.commit()
    conn.close()


def footprint(path: Path) -> tuple[bytes, int, list[str]]:
    """The session's bytes, its mtime and the files beside it: a reader must change none."""
    return path.read_bytes(), path.stat().st_mtime_ns, sorted(p.name for p in path.parent.iterdir())


# --- payloads that are not what the program wrote ------------------------------------------------
COMMANDS = [
    ("minutes", "{path}"),
    ("results", "{path}"),
    ("followups", "{path}"),
    ("approve", "{path}", "--by", "王建国"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_event_data_that_is_not_an_object_is_a_sentence(meeting: Path, command: tuple[str, ...]) -> None:
    tamper(meeting, "UPDATE events SET data = '[1, 2]' WHERE seq = 3")
    before = footprint(meeting)
    code, out, err = invoke(*(arg.format(path=meeting) for arg in command))
    assert code == 2, err
    assert f"{meeting}: event 3" in err and "[1, 2]" in err and "object" in err
    assert "Traceback" not in err and "internal error" not in err
    assert len(err.strip().splitlines()) == 1
    assert footprint(meeting) == before  # approve appended nothing


def test_resume_of_an_unreadable_log_appends_nothing(meeting: Path, clock: FakeClock) -> None:
    tamper(meeting, "UPDATE events SET data = '[1, 2]' WHERE seq = 3")
    before = footprint(meeting)
    with pytest.raises(SessionError, match="event 3"):
        Session.resume(meeting, clock)
    assert footprint(meeting) == before


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("UPDATE events SET data = '{\"item\": ' WHERE seq = 3", "not valid JSON"),
        ("UPDATE events SET data = '\"text\"' WHERE seq = 3", "object"),
        ("UPDATE events SET data = 'null' WHERE seq = 3", "object"),
        ("UPDATE events SET kind = 'coffee_served' WHERE seq = 3", "coffee_served"),
        ("UPDATE events SET at = 1e300 WHERE seq = 3", "time"),
        ("UPDATE events SET at = -1e300 WHERE seq = 3", "time"),
        ("UPDATE events SET at = 9e999 WHERE seq = 3", "time"),  # SQLite reads 9e999 as +Inf
        ("UPDATE events SET at = 'yesterday' WHERE seq = 3", "time"),
        ("UPDATE events SET mono = 1e300 WHERE seq = 3", "monotonic"),
        ("UPDATE events SET mono = -9e999 WHERE seq = 3", "monotonic"),
        ("UPDATE events SET run = 0 WHERE seq = 3", "run"),
        ("UPDATE events SET run = 'two' WHERE seq = 3", "run"),
    ],
)
def test_every_event_is_checked_when_read_back(meeting: Path, clock: FakeClock, sql: str, message: str) -> None:
    tamper(meeting, sql)
    before = footprint(meeting)
    with pytest.raises(SessionError, match=message) as caught:
        load(meeting)
    assert str(caught.value).startswith(f"{meeting}: event 3 ")
    with pytest.raises(SessionError, match=message):
        Session.resume(meeting, clock)
    with pytest.raises(SessionError, match=message):
        approve(meeting, "王建国", clock)
    assert footprint(meeting) == before


def test_an_absurd_timestamp_is_a_sentence_in_the_minutes(meeting: Path) -> None:
    tamper(meeting, "UPDATE events SET at = 1e300 WHERE seq = 4")
    code, out, err = invoke("minutes", str(meeting))
    assert code == 2 and out == "" and f"{meeting}: event 4" in err and "Traceback" not in err


def test_an_absurd_utc_offset_is_a_sentence(meeting: Path) -> None:
    tamper(meeting, "UPDATE meta SET value = '99999999999' WHERE key = 'utc_offset'")
    code, out, err = invoke("followups", str(meeting))
    assert code == 2 and "utc_offset" in err and str(meeting) in err and "Traceback" not in err


# --- a session with its identity but not its tables -----------------------------------------------
@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("DROP TABLE meta", "meta table is missing"),
        ("DROP TABLE events", "events table is missing"),
        ("ALTER TABLE events DROP COLUMN mono", "events table has no mono column"),
    ],
)
def test_a_missing_table_is_a_sentence(meeting: Path, clock: FakeClock, sql: str, message: str) -> None:
    tamper(meeting, sql)
    before = footprint(meeting)
    for command in (("minutes", str(meeting)), ("approve", str(meeting), "--by", "x"), ("results", str(meeting))):
        code, out, err = invoke(*command)
        assert code == 2, err
        assert f"{meeting} is damaged: its {message}" in err and len(err.strip().splitlines()) == 1
    with pytest.raises(SessionError, match=message):
        Session.resume(meeting, clock)
    assert not is_session(meeting)
    assert footprint(meeting) == before


# --- readers read, and only read --------------------------------------------------------------------
def test_readers_open_the_session_read_only(meeting: Path) -> None:
    with Store.open(meeting, readonly=True) as store:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            store._conn.execute("CREATE TABLE intruder (x)")


def test_a_closed_session_needs_no_journal_files_to_be_read(meeting: Path) -> None:
    """Closing leaves a rollback-journal file: readers then create no -wal/-shm beside it."""
    assert meeting.read_bytes()[18:20] == b"\x01\x01"
    before = footprint(meeting)
    for command in (("minutes", str(meeting)), ("results", str(meeting)), ("followups", str(meeting))):
        code, _out, err = invoke(*command)
        assert code == 0, err
        assert footprint(meeting) == before


@pytest.mark.slow  # over 0.2 s: out of the inner loop, still in CI
def test_a_session_left_in_wal_mode_is_read_without_leaving_files(meeting: Path) -> None:
    """Sessions closed by older versions stay in WAL mode on disk."""
    conn = sqlite3.connect(meeting)
    assert conn.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
    conn.close()
    before = footprint(meeting)
    assert meeting.read_bytes()[18:20] == b"\x02\x02"
    record = load(meeting)
    assert record.state.events >= 5
    code, out, err = invoke("minutes", str(meeting))
    assert code == 0 and "数据翔实" in out, err
    assert footprint(meeting) == before


def test_a_reader_sees_what_a_running_meeting_has_not_checkpointed(
    tmp_path: Path, short_agenda: Agenda, clock: FakeClock
) -> None:
    path = tmp_path / "live.retreat"
    with Session.create(path, short_agenda, clock) as live:
        live.handle(Cmd.START)
        live.handle(Cmd.NOTE, "still running")
        assert Path(f"{path}-wal").exists()
        record = load(path)
        assert [text for _at, text in record.state.items[0].notes] == ["still running"]
        live.handle(Cmd.NOTE, "after the reader")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["live.retreat"]
    assert [text for _at, text in load(path).state.items[0].notes] == ["still running", "after the reader"]


def test_a_writer_turns_a_read_only_file_into_a_sentence(meeting: Path, clock: FakeClock) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes to read-only files")
    meeting.chmod(0o444)
    with pytest.raises(SessionError, match="read-only"):
        approve(meeting, "王建国", clock)


def _nobody() -> list[str] | None:
    """A prefix that runs a command as an unprivileged user, or None where that is impossible."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return None
    probe = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "true"],
                           capture_output=True)
    if probe.returncode != 0:
        return None
    return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


@pytest.fixture
def archive() -> Iterator[Path]:
    """A folder outside pytest's private tmp (which `nobody` cannot enter)."""
    folder = Path(tempfile.mkdtemp(prefix="retreat-archive-"))
    try:
        yield folder
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


@pytest.mark.parametrize("wal", [False, True], ids=["closed-now", "closed-by-an-older-version"])
@pytest.mark.slow
def test_an_archived_session_on_a_read_only_share_renders_its_minutes(
    meeting: Path, archive: Path, wal: bool
) -> None:
    prefix = _nobody()
    if prefix is None:
        pytest.skip("needs root and setpriv to run a reader as an unprivileged user")
    if wal:
        conn = sqlite3.connect(meeting)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.close()
    target = archive / "2025-retreat.retreat"
    shutil.copy(meeting, target)
    target.chmod(0o444)
    archive.chmod(0o555)
    # A clone in a folder only root may enter (`mktemp -d`): nobody's Python runs, but without
    # the venv (its pyvenv.cfg is unreadable), so it cannot import retreat at all.
    probe = subprocess.run([*prefix, sys.executable, "-c", "import retreat"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"nobody cannot import retreat with this Python (the checkout's folder is closed to others): "
                    f"{probe.stderr.strip()[-200:]}")
    before = footprint(target)
    for command in (["minutes", str(target)], ["results", str(target)], ["followups", str(target)]):
        done = subprocess.run([*prefix, sys.executable, "-m", "retreat", *command], capture_output=True,
                              text=True, cwd=archive, env={**os.environ, "LANG": "C.UTF-8"})
        assert done.returncode == 0, done.stderr
    assert "数据翔实" in subprocess.run(
        [*prefix, sys.executable, "-m", "retreat", "minutes", str(target)], capture_output=True, text=True,
        cwd=archive).stdout
    approve_run = subprocess.run([*prefix, sys.executable, "-m", "retreat", "approve", str(target), "--by", "x"],
                                 capture_output=True, text=True, cwd=archive)
    assert approve_run.returncode == 2 and "read-only" in approve_run.stderr, approve_run.stderr
    assert footprint(target) == before
