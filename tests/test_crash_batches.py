"""SIGKILL during group commits: every command a phone was answered for survives.

A driver process has 16 phone threads send notes through `Gate.together` (so they are
committed in batches), or 16 phones on an event loop through `Gate.together_async` (as the
server's pages do), and prints each answer as it is given; the test kills it with SIGKILL
after some answers and checks that every answered note is in the session."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from retreat.meeting.events import EventKind
from retreat.meeting.store import Store

AGENDA = Path(__file__).parent / "data" / "agendas" / "short.yaml"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")]

DRIVER = """
import sys, threading
from retreat import agenda as agenda_mod
from retreat.clock import MonotonicClock
from retreat.meeting.engine import Cmd
from retreat.meeting.session import Session
from retreat.web.gate import Gate

session = Session.create(sys.argv[1], agenda_mod.load(sys.argv[2]), MonotonicClock())
session.handle(Cmd.START)
gate = Gate(session)
out = threading.Lock()

def phone(n):
    for i in range(10_000):
        text = f"phone {n} note {i}"
        gate.together(lambda s: s.handle(Cmd.NOTE, text))
        with out:
            print(text, flush=True)

for n in range(16):
    threading.Thread(target=phone, args=(n,), daemon=True).start()
threading.Event().wait()
"""


EVENT_LOOP_DRIVER = DRIVER.split("out = threading.Lock()")[0] + """
import asyncio

async def phone(n):
    for i in range(10_000):
        text = f"phone {n} note {i}"
        await gate.together_async(lambda s: s.handle(Cmd.NOTE, text))
        print(text, flush=True)

async def hall():
    await asyncio.gather(*(phone(n) for n in range(16)))

asyncio.run(hall())
"""


@pytest.mark.parametrize("driver", [DRIVER, EVENT_LOOP_DRIVER], ids=["threads", "event-loop"])
@pytest.mark.parametrize("kill_after", [1, 37, 400])
def test_every_answered_command_of_a_batch_survives_a_sigkill(tmp_path: Path, kill_after: int, driver: str) -> None:
    path = tmp_path / "batches.retreat"
    answered: list[str] = []
    with subprocess.Popen([sys.executable, "-c", driver, str(path), str(AGENDA)], stdout=subprocess.PIPE,
                          text=True) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            answered.append(line.strip())
            if len(answered) >= kill_after:
                proc.send_signal(signal.SIGKILL)
                break
        proc.wait(30)
    with Store.open(path, readonly=True) as store:
        notes = {str(e.data["text"]) for e in store.events() if e.kind is EventKind.NOTE_ADDED}
    assert len(answered) == kill_after and set(answered) <= notes
