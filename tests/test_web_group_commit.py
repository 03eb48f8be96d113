"""Group commit: phones' commands waiting for the session share one transaction and one
fsync, and each is answered only once its batch is durable (nothing acknowledged is lost)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from support.web import CODES, SALT

from retreat.errors import CommandRefused
from retreat.i18n import translator
from retreat.meeting import phone_codes
from retreat.meeting.engine import Cmd
from retreat.meeting.session import Session
from retreat.meeting.store import SaveError
from retreat.web.app import create_app
from retreat.web.gate import Busy, Gate, LockedKeys


class NoKeys:
    def get(self, deadline: float | None = None) -> str | None:
        return None


class FailingCommit:
    """The store's connection, whose COMMIT fails (a full disk at the worst moment)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
        if sql == "COMMIT":
            raise sqlite3.OperationalError("database or disk is full")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str) -> object:
        return getattr(self._conn, name)


def _notes_on_disk(path: str) -> list[str]:
    with sqlite3.connect(path) as other:
        return [r[0] for r in other.execute("SELECT data FROM events WHERE kind = 'note_added' ORDER BY seq")]


def _queue(gate: Gate, commands: list[object], n_waiting: int) -> tuple[list[threading.Thread], dict[int, object]]:
    """Start one phone per command; return once all of them wait in the gate's queue (the stage
    holds the lock meanwhile, so none can go in)."""
    answers: dict[int, object] = {}

    def phone(i: int, fn: object) -> None:
        try:
            answers[i] = gate.together(fn)  # type: ignore[arg-type]
        except Exception as e:
            answers[i] = e

    threads = [threading.Thread(target=phone, args=(i, fn)) for i, fn in enumerate(commands)]
    for t in threads:
        t.start()
    while len(gate._queue) < n_waiting:  # no timing: only until the threads have queued
        time.sleep(0)
    return threads, answers


def _note(i: int) -> object:
    return lambda s: s.handle(Cmd.NOTE, f"phone {i}")[0].seq


def test_waiting_commands_share_one_commit_and_are_answered_after_it(session: Session) -> None:
    session.handle(Cmd.START)
    gate = Gate(session)
    stage = LockedKeys(NoKeys(), gate)  # the stage holds the session while the phones arrive
    threads, answers = _queue(gate, [_note(i) for i in range(20)], 20)
    assert answers == {} and _notes_on_disk(session.path) == []  # nobody answered before the commit
    commits: list[str] = []
    session.store._conn.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
    stage.release()
    for t in threads:
        t.join()
    assert list(gate.batches) == [20] and commits == ["COMMIT"]  # one transaction, one fsync
    assert sorted(answers.values()) == list(range(answers[0], answers[0] + 20))  # type: ignore[call-overload]
    assert len(_notes_on_disk(session.path)) == 20  # every acknowledged note is on disk


def test_a_refused_command_leaves_the_rest_of_its_batch(session: Session) -> None:
    session.handle(Cmd.START)
    gate = Gate(session)
    stage = LockedKeys(NoKeys(), gate)

    def refused(s: Session) -> object:
        raise CommandRefused("no")

    threads, answers = _queue(gate, [_note(0), refused, _note(2)], 3)
    stage.release()
    for t in threads:
        t.join()
    assert isinstance(answers[1], CommandRefused)
    assert isinstance(answers[0], int) and isinstance(answers[2], int)
    assert len(_notes_on_disk(session.path)) == 2


def test_a_failed_commit_acknowledges_nothing_and_keeps_nothing(session: Session) -> None:
    session.handle(Cmd.START)
    gate = Gate(session)
    before = len(session.state.item.notes)
    real = session.store._conn
    session.store._conn = FailingCommit(real)  # type: ignore[assignment]
    stage = LockedKeys(NoKeys(), gate)
    threads, answers = _queue(gate, [_note(i) for i in range(5)], 5)
    stage.release()
    for t in threads:
        t.join()
    assert all(isinstance(a, SaveError) for a in answers.values()) and len(answers) == 5
    assert _notes_on_disk(session.path) == [] and len(session.state.item.notes) == before  # state = the log
    session.store._conn = real
    assert isinstance(gate.together(_note(9)), int)  # type: ignore[arg-type]
    assert len(_notes_on_disk(session.path)) == 1


def test_a_phone_that_cannot_get_in_says_busy_and_leaves_nothing_queued(session: Session) -> None:
    session.handle(Cmd.START)
    gate = Gate(session)
    stage = LockedKeys(NoKeys(), gate)
    result: list[object] = []

    def phone() -> None:
        try:
            gate.together(_note(0), wait=0)  # type: ignore[arg-type]
        except Busy:
            result.append("busy")

    t = threading.Thread(target=phone)
    t.start()
    t.join()
    stage.release()
    assert result == ["busy"] and gate._queue == [] and _notes_on_disk(session.path) == []


def test_scratch_written_in_a_batch_is_kept_only_with_its_commit(tmp_path: Path, session: Session) -> None:
    store = session.store
    with store.batch():
        store.put_scratch("phones", "k", "v")
        assert store.scratch_get("phones", "k") == "v"  # the batch sees its own writes
        with pytest.raises(RuntimeError):
            store.drop_scratch("phones")  # its checkpoint would need the commit
    assert store.scratch_get("phones", "k") == "v"
    with pytest.raises(ValueError), store.batch():
        store.put_scratch("phones", "k2", "v2")
        raise ValueError
    assert store.scratch_get("phones", "k2") is None


def test_a_salt_issued_after_the_code_was_hashed_is_checked_under_the_lock() -> None:
    book = phone_codes.CodeBook()
    code = CODES[0]
    early = phone_codes.code_hashes(code, list(book.batches))  # before any batch was issued
    assert early == {}
    digest = phone_codes.hash_code(code, SALT)
    batch = phone_codes.Batch(SALT)
    book.batches.append(batch)
    book.groups[digest] = "g1"
    assert phone_codes.admitted_code(book, code, early) == digest
    assert phone_codes.admitted_code(book, "2222-2222", phone_codes.code_hashes("2222-2222", [batch])) is None
    assert phone_codes.code_hashes("not a code", [batch]) == {}


def test_beyond_capacity_a_phone_reads_try_again_in_a_moment(vs: Session) -> None:
    with TestClient(create_app(Gate(vs), limit=0)) as client:
        r = client.get("/")
        assert r.status_code == 503 and r.headers["retry-after"] == "2"
        assert translator("zh-CN").gettext("Too many phones at once. Try again in a moment.") in r.text
        assert "同时连接的手机太多" in r.text
        client.cookies.set("rt_lang", "en")
        assert "Too many phones at once. Try again in a moment." in client.get("/vote").text


def test_joins_and_ballots_go_through_the_group_commit(vs: Session) -> None:
    gate = Gate(vs)
    with TestClient(create_app(gate), follow_redirects=True) as client:
        page = client.get("/")
        csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
        assert client.post("/join", data={"code": CODES[0], "csrf": csrf}).status_code == 200
    assert list(gate.batches) == [1]  # the join and the page it answers with, in one batch


def test_requests_on_the_event_loop_wait_without_threads_and_share_one_batch(session: Session) -> None:
    """While the stage holds the lock, 50 requests queue; one worker thread then handles them
    all in one batch (one fsync), each answered after it, a refusal only to its own sender."""
    gate = Gate(session)
    keys = LockedKeys(NoKeys(), gate)  # the stage holds the lock

    def note(i: int) -> Callable[[Session], object]:
        return lambda s: len(s.handle(Cmd.NOTE, f"n{i}")) if i != 7 else s.handle(Cmd.GOTO, "no-such-item")

    async def hall() -> list[object]:
        asks = [asyncio.create_task(gate.together_async(note(i))) for i in range(50)]
        while len(gate._queue) < 50:  # no timing: only until every request has queued
            await asyncio.sleep(0)
        assert len(gate._queue) == 50 and not any(a.done() for a in asks) and list(gate.batches) == []
        keys.release()
        return list(await asyncio.gather(*asks, return_exceptions=True))

    answers = asyncio.run(hall())
    assert list(gate.batches) == [50]
    assert isinstance(answers[7], CommandRefused) and answers.count(1) == 49
    assert [json.loads(n)["text"] for n in _notes_on_disk(session.path)] == [f"n{i}" for i in range(50) if i != 7]


def test_a_request_on_the_event_loop_is_told_busy_when_the_stage_keeps_the_lock(session: Session) -> None:
    gate = Gate(session)
    keys = LockedKeys(NoKeys(), gate)

    async def one() -> object:
        try:
            return await gate.together_async(lambda s: s.handle(Cmd.NOTE, "late"), wait=0.05)
        except Busy:
            return "busy"

    try:
        assert asyncio.run(one()) == "busy"
    finally:
        keys.release()
    assert gate._queue == [] and _notes_on_disk(session.path) == []


def test_a_gate_serves_the_next_event_loop_after_one_left_with_a_request_waiting(session: Session) -> None:
    """A server stopped while a request waited for the stage (its loop closed, its driver
    cancelled) leaves no driver behind that would keep the next server's requests waiting."""
    gate = Gate(session)
    keys = LockedKeys(NoKeys(), gate)

    async def abandoned() -> None:
        asyncio.get_running_loop().create_task(gate.together_async(lambda s: s.handle(Cmd.NOTE, "left")))
        while not gate._queue:
            await asyncio.sleep(0)

    asyncio.run(abandoned())  # returns with the request still queued: asyncio.run cancels it
    keys.release()
    assert asyncio.run(gate.together_async(lambda s: len(s.handle(Cmd.NOTE, "next")))) == 1
    assert "next" in " ".join(_notes_on_disk(session.path))
