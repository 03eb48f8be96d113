"""SQLite persistence of the event log: one file per meeting.

Each append is committed durably (WAL, synchronous=FULL) before it returns, so the
screen only ever acknowledges what would survive a power cut. On close the WAL is
checkpointed away and the file returned to rollback journaling, leaving one self-contained
file that is safe to copy and archive, and that readers open read-only without creating
anything beside it (an archive on a read-only share included).

Nothing is trusted on the way back in: every event read is checked (known kind, data an
object holding its kind's payload, timestamps finite and in range) and a file that fails is
a SessionError naming the file, the event and the field. A store opened for writing writes nothing until its first append, so a
caller that reads the whole log first never touches a session it cannot read back.
"""

from __future__ import annotations

import contextlib
import json
import math
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePath
from typing import TypeGuard

from retreat.errors import SessionError, StaleLog
from retreat.i18n import _
from retreat.meeting.events import Event, EventKind, Stamp, problem, upgrade

APPLICATION_ID = 0x52545254  # "RTRT": tells our files from other SQLite databases
SCHEMA_VERSION = 1
_SQLITE_MAGIC = b"SQLite format 3\x00"
_HEADER = 100  # bytes 18 and 19 of SQLite's file header are 2 in WAL mode, 1 in rollback mode
# A wall-clock time is a moment between 1970 and the year 9999 (what dates can show); a
# monotonic time is seconds since some boot: a thousand years is already absurd.
_LAST_AT = 253_402_214_400.0  # 9999-12-31 00:00 UTC
_MONO_LIMIT = 1000 * 365.25 * 86400
_COLUMNS = {
    "meta": ("key", "value"),
    "events": ("seq", "kind", "at", "mono", "run", "data"),
}
_KINDS = {kind.value: kind for kind in EventKind}
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


class SaveError(SessionError):
    """Something could not be written to a session (a full disk, a read-only file...)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class Store:
    def __init__(self, conn: sqlite3.Connection, path: str, *, writing: bool = False) -> None:
        self._conn = conn
        self.path = path
        self._writing = writing  # tuned for durable appends (WAL, synchronous=FULL)
        self.batching = False  # inside `batch()`: writes wait for its one commit

    # --- group commit ------------------------------------------------------------------
    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Several commands' writes in one transaction: one commit, one fsync for them all.

        Inside, `append` and `put_scratch` write but do not commit (each append in a
        savepoint of its own, so a failed one leaves the others); nothing written inside is
        durable until this exits without raising, so a caller acknowledges none of it before
        then. If the commit fails, all of it is rolled back and SaveError raised."""
        if self.batching:
            raise RuntimeError("batches do not nest")
        try:
            self._ready_to_write()
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            raise self._save_error(e) from None
        self.batching = True
        try:
            yield
            self._conn.execute("COMMIT")
        except BaseException as e:
            if self._conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
            if isinstance(e, sqlite3.Error):
                raise self._save_error(e) from None
            raise
        finally:
            self.batching = False

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
        conn = None
        try:
            conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
            _tune(conn)
            with conn:
                conn.executescript(_SCHEMA)
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", sorted(meta.items()))
        except sqlite3.Error as e:
            if conn is not None:
                conn.close()
            raise SaveError(_("cannot create the session {path}: {reason}").format(path=target, reason=e),
                            str(e)) from None
        return cls(conn, target, writing=True)

    @classmethod
    def open(cls, path: Path | str, *, readonly: bool = False) -> Store:
        """An existing session; anything that is not a sound session of ours is refused untouched.

        `readonly` handles cannot write: SQLite is asked for a read-only connection, so a
        session in a read-only folder (an archive on a share) reads, and nothing is left
        beside it. A writing handle writes nothing until its first append."""
        target = str(path)
        header = _check_header(target)
        conn = None
        try:
            uri = sqlite_uri(Path(target).resolve())
            if not readonly:
                uri += "?mode=rw"
            elif header[18:20] == b"\x02\x02" and not Path(f"{target}-wal").exists():
                # Left in WAL mode (closed by an older retreat, or by a writer whose close
                # could not switch back) and open in no process: every process that opens a
                # WAL file keeps its -wal beside it. Read it as the unchanging file it is: a
                # read-only handle would otherwise create -wal/-shm (in a read-only folder: fail).
                uri += "?mode=ro&immutable=1"
            else:
                uri += "?mode=ro"
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if app_id != APPLICATION_ID:
                raise SessionError(_("{path} is an SQLite database but not a retreat session").format(path=target))
            if version > SCHEMA_VERSION:
                raise SessionError(
                    _("{path} was written by a newer retreat (session format {v}); upgrade retreat to open it").format(
                        path=target, v=version
                    )
                )
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise SessionError(_("{path} is damaged ({detail}); keep a copy and contact support").format(
                    path=target, detail=check
                ))
            _check_tables(conn, target)
        except sqlite3.Error as e:
            if conn is not None:
                conn.close()
            if not readonly and getattr(e, "sqlite_errorname", "").startswith("SQLITE_READONLY"):
                raise _read_only(target, e) from None
            raise SessionError(_("{path} cannot be read as a session: {reason}").format(path=target, reason=e)) from None
        except SessionError:
            if conn is not None:
                conn.close()
            raise
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
        for event in batch:
            _check_payload(event)
        committed: list[Event] = []
        begin, commit, rollback = ("SAVEPOINT append", "RELEASE append", "ROLLBACK TO append") if self.batching \
            else ("BEGIN IMMEDIATE", "COMMIT", "ROLLBACK")
        try:
            self._ready_to_write()
            self._conn.execute(begin)
            if after is not None and self.last_seq() != after:
                self._conn.execute(rollback)
                if self.batching:
                    self._conn.execute(commit)
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
            self._conn.execute(commit)
        except sqlite3.Error as e:
            if self._conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute(rollback)
                    if self.batching:
                        self._conn.execute(commit)
            raise self._save_error(e) from None
        return committed

    def last_seq(self) -> int:
        try:
            return int(self._conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0])
        except (sqlite3.Error, TypeError, ValueError) as e:
            raise self._read_error(e) from None

    def events(self, after: int = 0) -> Iterator[Event]:
        """The log in order (only what follows sequence number `after`, if given), each event
        checked: a damaged one is a SessionError naming the file and the event."""
        try:
            rows = self._conn.execute(
                "SELECT seq, kind, at, mono, run, data FROM events WHERE seq > ? ORDER BY seq", (after,))
            for row in rows:
                yield _event(self.path, *row)
        except sqlite3.Error as e:
            raise self._read_error(e) from None

    def meta(self) -> dict[str, str]:
        try:
            rows = self._conn.execute("SELECT key, value FROM meta").fetchall()
        except sqlite3.Error as e:
            raise self._read_error(e) from None
        return {str(key): str(value) for key, value in rows}

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
        """Durable before it returns, like an event (inside `batch()`: when the batch commits)."""
        try:
            self._ready_to_write()
            if self.batching:  # `with conn` would commit the batch's transaction
                self._conn.execute(_SCRATCH)
                self._conn.execute("INSERT OR REPLACE INTO scratch(space, key, value) VALUES (?, ?, ?)",
                                   (space, key, value))
                return
            with self._conn:
                self._conn.execute(_SCRATCH)
                self._conn.execute("INSERT OR REPLACE INTO scratch(space, key, value) VALUES (?, ?, ?)",
                                   (space, key, value))
        except sqlite3.Error as e:
            raise self._save_error(e) from None

    def drop_scratch(self, space: str) -> bool:
        """Delete a space for good: overwritten in the file, and the WAL's copies truncated away."""
        if not self.scratch(space):
            return False
        if self.batching:
            raise RuntimeError("scratch is destroyed only outside a batch (its checkpoint needs the commit)")
        try:
            self._ready_to_write()
            self._conn.execute("PRAGMA secure_delete = ON")
            with self._conn:
                self._conn.execute("DELETE FROM scratch WHERE space = ?", (space,))
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as e:
            raise self._save_error(e) from None
        return True

    def scratch_spaces(self) -> list[str]:
        try:
            return [r[0] for r in self._conn.execute("SELECT DISTINCT space FROM scratch ORDER BY space")]
        except sqlite3.OperationalError:
            return []

    def close(self) -> None:
        """Checkpoint the WAL into the file and return it to rollback journaling: a closed
        session is one self-contained file. Only a handle that wrote does this, and only when
        no other process has the session open (the last writer to close does it then)."""
        if self._writing:
            with contextlib.suppress(SessionError):
                self.seal()
        self._conn.close()

    def seal(self) -> None:
        """`close`'s checkpoint, reporting failure (a full disk) instead of leaving it to the
        next writer; a caller about to hand the file on (rename, copy) needs it done."""
        try:
            busy, _log, _moved = self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            # Not waiting for a lock another process holds: it will do this when it closes.
            self._conn.execute("PRAGMA busy_timeout = 0")
            mode = self._conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
            if busy or str(mode).lower() not in ("delete", "memory"):
                raise sqlite3.OperationalError("database is locked")
        except sqlite3.Error as e:
            raise self._save_error(e) from None
        finally:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("PRAGMA busy_timeout = 5000")

    # --- errors ---------------------------------------------------------------------------
    def _ready_to_write(self) -> None:
        """Durable appends from here on; until now the handle had written nothing."""
        if not self._writing:
            _tune(self._conn)
            self._writing = True

    def _save_error(self, e: sqlite3.Error) -> SaveError:
        if getattr(e, "sqlite_errorname", "").startswith("SQLITE_READONLY"):
            return _read_only(self.path, e)
        return SaveError(_("could not save to {path}: {reason}").format(path=self.path, reason=e), str(e))

    def _read_error(self, e: Exception) -> SessionError:
        return SessionError(_("{path} cannot be read as a session: {reason}").format(path=self.path, reason=e))

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sqlite_uri(path: PurePath) -> str:
    """The `file:` URI SQLite opens `path` by: Chinese, spaces, #, ? and % percent-quoted.

    A Windows share (\\\\server\\share\\x) gives file://server/..., whose authority SQLite
    refuses; written file:////server/... SQLite hands Windows the path //server/share/x."""
    uri = path.as_uri()
    if uri.startswith("file://") and not uri.startswith("file:///"):
        uri = "file:////" + uri[len("file://") :]
    return uri


def _read_only(path: str, e: sqlite3.Error) -> SaveError:
    return SaveError(
        _("cannot write to {path}: the file or its folder is read-only; copy it somewhere writable "
          "to change it").format(path=path),
        str(e),
    )


def _tune(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")


def _check_tables(conn: sqlite3.Connection, target: str) -> None:
    """The tables and columns the log lives in: a file with our identity but not our shape is damaged."""
    for table, columns in _COLUMNS.items():
        found = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if not found:
            raise SessionError(_("{path} is damaged: its {table} table is missing; keep a copy and contact support")
                               .format(path=target, table=table))
        for column in columns:
            if column not in found:
                raise SessionError(
                    _("{path} is damaged: its {table} table has no {column} column; keep a copy and contact support")
                    .format(path=target, table=table, column=column))


def _event(path: str, seq: int, kind: object, at: object, mono: object, run: object, data: object) -> Event:
    """One row of the log as an Event, or a SessionError saying what is wrong with it."""

    def damaged(what: str) -> SessionError:
        return SessionError(_("{path}: event {seq} is damaged: {what}").format(path=path, seq=seq, what=what))

    known = _KINDS.get(kind) if isinstance(kind, str) else None
    if known is None:
        raise damaged(_("its kind {kind} is unknown (was it written by a newer retreat?)").format(kind=_shown(kind)))
    if not _number(at) or not 0 <= float(at) <= _LAST_AT:
        raise damaged(_("its time {value} is not a moment between 1970 and 9999").format(value=_shown(at)))
    if not _number(mono) or abs(float(mono)) > _MONO_LIMIT:
        raise damaged(_("its monotonic time {value} is not a plausible number of seconds").format(value=_shown(mono)))
    if not isinstance(run, int) or isinstance(run, bool) or run < 1:
        raise damaged(_("its run number {value} is not a whole number from 1 up").format(value=_shown(run)))
    try:
        payload = json.loads(data) if isinstance(data, (str, bytes)) else None
    except ValueError:
        raise damaged(_("its data is not valid JSON: {value}").format(value=_shown(data))) from None
    if not isinstance(payload, dict):
        raise damaged(_("its data should be a JSON object, not {value}").format(value=_shown(data)))
    payload = upgrade(known, payload)
    bad = problem(known, payload)
    if bad is not None:
        name, expected = bad
        if expected == "missing":
            raise damaged(_("its {kind} has no {field}").format(kind=known.value, field=name))
        raise damaged(_("its {kind} field {field} should be {expected}, not {value}").format(
            kind=known.value, field=name, expected=_(expected), value=_shown(json.dumps(payload[name], ensure_ascii=False))))
    return Event(known, Stamp(float(at), float(mono), run), payload, seq)


def _check_payload(event: Event) -> None:
    """What is written is what will be read back: a payload its kind does not declare is a bug
    of the program, refused before the file changes."""
    bad = problem(event.kind, event.data)
    if bad is not None:
        name, expected = bad
        problem_ = "is missing" if expected == "missing" else f"should be {expected}"
        raise ValueError(f"{event.kind.value} payload: {name} {problem_}: {dict(event.data)!r}")


def _number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _shown(value: object, limit: int = 40) -> str:
    """A stored value as the user would recognise it, cut short."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_header(target: str) -> bytes:
    p = Path(target)
    if not p.exists():
        raise SessionError(_("{path}: no such session file").format(path=target))
    if p.is_dir():
        raise SessionError(_("{path} is a folder, not a session file").format(path=target))
    try:
        with p.open("rb") as f:
            head = f.read(_HEADER)
    except OSError as e:
        raise SessionError(_("cannot read {path}: {reason}").format(path=target, reason=e.strerror)) from None
    if not head.startswith(_SQLITE_MAGIC):
        raise SessionError(
            _("{path} is not a retreat session (a session is the .retreat file `retreat run` or `retreat demo` writes)").format(
                path=target
            )
        )
    return head


def seal(path: Path | str) -> None:
    """Make a session no process has open one self-contained file, or raise SaveError."""
    with Store.open(path) as store:
        store.seal()


def is_session(path: Path | str) -> bool:
    """True for a file with our SQLite header and application id (checked without writing)."""
    try:
        Store.open(path, readonly=True).close()
    except SessionError:
        return False
    return True
