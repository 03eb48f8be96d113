"""The one lock between the stage and the phones: held by the stage except while it waits for a key."""

from __future__ import annotations

import threading

from retreat.meeting.engine import Cmd
from retreat.meeting.session import Session
from retreat.web.gate import Busy, Gate, LockedKeys


class FakeKeys:
    def __init__(self, gate: Gate) -> None:
        self.gate = gate
        self.free_while_waiting: list[bool] = []

    def get(self, deadline: float | None = None) -> str | None:
        self.free_while_waiting.append(_free(self.gate))
        return "n"

    def drain(self) -> list[str]:
        return []


def _free(gate: Gate) -> bool:
    """Whether another thread could take the lock now."""
    got: list[bool] = []

    def probe() -> None:
        ok = gate.lock.acquire(timeout=0)
        got.append(ok)
        if ok:
            gate.lock.release()

    t = threading.Thread(target=probe)
    t.start()
    t.join()
    return got[0]


def test_the_stage_holds_the_lock_except_while_waiting_for_a_key(session: Session) -> None:
    gate = Gate(session)
    raw = FakeKeys(gate)
    keys = LockedKeys(raw, gate)
    assert not _free(gate)
    assert keys.get(1.0) == "n"
    assert raw.free_while_waiting == [True] and not _free(gate)
    assert keys.drain() == []  # everything else goes to the real reader
    session.handle(Cmd.START)  # the stage's own commands need no second lock (re-entrant)
    keys.release()
    assert _free(gate)


def test_a_request_that_cannot_get_the_session_says_busy(session: Session) -> None:
    gate = Gate(session)
    keys = LockedKeys(FakeKeys(gate), gate)
    result: list[str] = []

    def phone() -> None:
        try:
            gate.run(lambda s: s.handle(Cmd.NOTE, "from a phone"), wait=0)
        except Busy:
            result.append("busy")

    t = threading.Thread(target=phone)
    t.start()
    t.join()
    keys.release()
    assert result == ["busy"] and not session.state.item.notes
