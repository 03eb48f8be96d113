"""SQLite persistence of the event log: one file per meeting.

Each append is committed durably (WAL, synchronous=FULL) before it returns, so the
screen only ever acknowledges what would survive a power cut. On close the WAL is
checkpointed away, leaving one self-contained file that is safe to copy and archive.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from retreat.errors import SessionError, StaleLog
from retreat.events import Event, EventKind, Stamp
from retreat.i18n import _

APPLICATION_ID = 0x52545254  # "RTRT": tells our files from other SQLite databases
SCHEMA_VERSION = 1
_SQLITE_MAGIC = b"SQLite format 3\x00"
# Short-lived, non-log state the phone server must keep across a crash (which phone joined
# with which code, which code owns which ballot while a vote is open). Never replayed, never
# in the minutes; rows are deleted, with SQLite's secure_delete, as soon as they must go.
_SCRATCH = "CREATE TABLE IF NOT EXISTS scratch (space TEXT, key TEXT, value TEXT NOT NULL, PRIMARY KEY (space, key))"

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    at REAL NOT NULL,
    mono REAL NOT NULL,
    run INTEGER NOT NULL,
    data TEXT NOT NULL
);
"""


class Store:
    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self._conn = conn
        self.path = path

    # --- opening ---------------------------------------------------------------------
    @classmethod
    def create(cls, path: Path | str, meta: dict[str, str]) -> Store:
        """A new session file; refuses to touch an existing one."""
        target = str(path)
        if target != ":memory:":
            p = Path(target)
            if p.exists():
                raise SessionError(
                    _("{path} already exists; resume it with --resume or choose another with --session NEW").format(
                        path=target
                    )
                )
            if not p.parent.exists():
                raise SessionError(_("cannot create {path}: the folder does not exist").format(path=target))
        try:
            conn = _connect(target)
            with conn:
                conn.executescript(_SCHEMA)
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", sorted(meta.items()))
        except sqlite3.Error as e:
            raise SessionError(_("cannot create the session {path}: {reason}").format(path=target, reason=e)) from None
        return cls(conn, target)

    @classmethod
    def open(cls, path: Path | str, *, readonly: bool = False) -> Store:
        """An existing session; anything that is not a sound session of ours is refused untouched."""
        target = str(path)
        _check_header(target)
        try:
            # A read-only SQLite handle on a WAL file leaves -wal/-shm files behind it, so
            # readers open read-write (and write nothing) unless the file is really read-only.
            writable = os.access(target, os.W_OK) and os.access(Path(target).resolve().parent, os.W_OK)
            mode = "ro" if readonly and not writable else "rw"
            uri = f"file:{Path(target).resolve()}?mode={mode}"
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if app_id != APPLICATION_ID:
                conn.close()
                raise SessionError(_("{path} is an SQLite database but not a retreat session").format(path=target))
            if version > SCHEMA_VERSION:
                conn.close()
                raise SessionError(
                    _("{path} was written by a newer retreat (session format {v}); upgrade retreat to open it").format(
                        path=target, v=version
                    )
                )
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                conn.close()
                raise SessionError(_("{path} is damaged ({detail}); keep a copy and contact support").format(
                    path=target, detail=check
                ))
            if not readonly:
                _tune(conn)
        except sqlite3.Error as e:
            raise SessionError(_("{path} cannot be read as a session: {reason}").format(path=target, reason=e)) from None
        return cls(conn, target)

    # --- the log ---------------------------------------------------------------------
    def append(self, events: Iterable[Event], after: int | None = None,
               scratch: Iterable[tuple[str, str, str]] = ()) -> list[Event]:
        """Commit events durably, in one transaction; returns them with their sequence numbers.

        With `after`, the log must end at that sequence number (what the caller decided on):
        if another process appended meanwhile, nothing is written and StaleLog is raised.
        `scratch` rows (space, key, value) are written in the same transaction."""
        batch = list(events)
        if not batch:
            return []
        committed: list[Event] = []
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            if after is not None and self.last_seq() != after:
                self._conn.execute("ROLLBACK")
                raise StaleLog(self.path)
            for event in batch:
                cur = self._conn.execute(
                    "INSERT INTO events(kind, at, mono, run, data) VALUES (?, ?, ?, ?, ?)",
                    (
                        event.kind.value,
                        event.stamp.at,
                        event.stamp.mono,
                        event.stamp.run,
                        json.dumps(event.data, ensure_ascii=False, sort_keys=True),
                    ),
                )
                committed.append(Event(event.kind, event.stamp, event.data, int(cur.lastrowid or 0)))
            rows = list(scratch)
            if rows:
                self._conn.execute(_SCRATCH)
                self._conn.executemany("INSERT OR REPLACE INTO scratch(space, key, value) VALUES (?, ?, ?)", rows)
            self._conn.execute("COMMIT")
        except sqlite3.Error as e:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise SessionError(_("could not save to {path}: {reason}").format(path=self.path, reason=e)) from None
        return committed

    def last_seq(self) -> int:
        return int(self._conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0])

    def events(self, after: int = 0) -> Iterator[Event]:
        """The log in order (only what follows sequence number `after`, if given)."""
        try:
            rows = self._conn.execute(
                "SELECT seq, kind, at, mono, run, data FROM events WHERE seq > ? ORDER BY seq", (after,))
            for seq, kind, at, mono, run, data in rows:
                yield Event(EventKind(kind), Stamp(at, mono, run), json.loads(data), seq)
        except (sqlite3.Error, ValueError) as e:
            raise SessionError(_("{path} has a damaged event log: {reason}").format(path=self.path, reason=e)) from None

    def meta(self) -> dict[str, str]:
        return dict(self._conn.execute("SELECT key, value FROM meta").fetchall())

    # --- scratch: short-lived state beside the log ---------------------------------------
    def scratch(self, space: str) -> dict[str, str]:
        try:
            return dict(self._conn.execute("SELECT key, value FROM scratch WHERE space = ?", (space,)).fetchall())
        except sqlite3.OperationalError:  # a file no phone server has used: no table
            return {}

    def scratch_get(self, space: str, key: str) -> str | None:
        try:
            row = self._conn.execute("SELECT value FROM scratch WHERE space = ? AND key = ?", (space, key)).fetchone()
        except sqlite3.OperationalError:
            return None
        return None if row is None else str(row[0])

    def put_scratch(self, space: str, key: str, value: str) -> None:
        """Durable before it returns, like an event."""
        try:
            with self._conn:
                self._conn.execute(_SCRATCH)
                self._conn.execute("INSERT OR REPLACE INTO scratch(space, key, value) VALUES (?, ?, ?)",
                                   (space, key, value))
        except sqlite3.Error as e:
            raise SessionError(_("could not save to {path}: {reason}").format(path=self.path, reason=e)) from None

    def drop_scratch(self, space: str) -> bool:
        """Delete a space for good: overwritten in the file, and the WAL's copies truncated away."""
        if not self.scratch(space):
            return False
        try:
            self._conn.execute("PRAGMA secure_delete = ON")
            with self._conn:
                self._conn.execute("DELETE FROM scratch WHERE space = ?", (space,))
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as e:
            raise SessionError(_("could not save to {path}: {reason}").format(path=self.path, reason=e)) from None
        return True

    def scratch_spaces(self) -> list[str]:
        try:
            return [r[0] for r in self._conn.execute("SELECT DISTINCT space FROM scratch ORDER BY space")]
        except sqlite3.OperationalError:
            return []

    def close(self) -> None:
        # A read-only handle cannot checkpoint; the writer that closes last does.
        with contextlib.suppress(sqlite3.Error):
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _connect(target: str) -> sqlite3.Connection:
    conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
    _tune(conn)
    return conn


def _tune(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")


def _check_header(target: str) -> None:
    p = Path(target)
    if not p.exists():
        raise SessionError(_("{path}: no such session file").format(path=target))
    if p.is_dir():
        raise SessionError(_("{path} is a folder, not a session file").format(path=target))
    try:
        with p.open("rb") as f:
            head = f.read(len(_SQLITE_MAGIC))
    except OSError as e:
        raise SessionError(_("cannot read {path}: {reason}").format(path=target, reason=e.strerror)) from None
    if head != _SQLITE_MAGIC:
        raise SessionError(
            _("{path} is not a retreat session (a session is the .retreat file `retreat run` or `retreat demo` writes)").format(
                path=target
            )
        )


def is_session(path: Path | str) -> bool:
    """True for a file with our SQLite header and application id (checked without writing)."""
    try:
        Store.open(path, readonly=True).close()
    except SessionError:
        return False
    return True
