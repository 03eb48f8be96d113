"""Kill the program with SIGKILL at random points: every acknowledged event must survive,
and resuming must finish the meeting in the same state as a run that never crashed."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from retreat.meeting.session import load

HERE = Path(__file__).parent
DRIVER = HERE / "crash_driver.py"
AGENDA = HERE / "data" / "agendas" / "short.yaml"

# slow: each test starts a driver process and kills it
pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")]


def run_driver(session: Path, kill_after: int | None) -> list[int]:
    """Run the driver; SIGKILL it right after `kill_after` acks. Returns acknowledged seqs."""
    acked: list[int] = []
    with subprocess.Popen(
        [sys.executable, str(DRIVER), str(session), str(AGENDA)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=HERE.parent,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        for line in proc.stdout:
            if line.startswith("ack "):
                acked.append(int(line.split()[1]))
                if kill_after is not None and len(acked) >= kill_after:
                    proc.send_signal(signal.SIGKILL)
                    break
        errors = proc.stderr.read()
        proc.wait(timeout=60)
    if kill_after is None or proc.returncode != -signal.SIGKILL:
        assert proc.returncode == 0, errors
    return acked


def snapshot(path: Path) -> list[tuple]:
    state = load(path).state
    return [
        (s.item.id, s.status, s.timer.closed, s.timer.adjusted, s.pauses, [n for _, n in s.notes])
        for s in state.items
    ]


def test_every_acknowledged_event_survives_and_resume_finishes_identically(tmp_path: Path) -> None:
    reference = tmp_path / "reference.retreat"
    total = len(run_driver(reference, None))
    expected = snapshot(reference)
    rng = random.Random(20260108)
    for trial in range(8):
        path = tmp_path / f"crash-{trial}.retreat"
        kills = 0
        while True:
            kill_after = rng.randint(1, max(1, total // 2))
            acked = run_driver(path, kill_after)
            if acked:
                seqs = [e.seq for e in _events(path)]
                assert set(acked) <= set(seqs), f"acknowledged events lost: {set(acked) - set(seqs)}"
            kills += 1
            if len(acked) < kill_after or kills > 6:
                break
        run_driver(path, None)  # resume to the end
        assert snapshot(path) == expected
        runs = load(path).state.runs
        assert len(runs) >= 2


def _events(path: Path) -> list:
    from retreat.meeting.store import Store

    with Store.open(path, readonly=True) as store:
        return list(store.events())
