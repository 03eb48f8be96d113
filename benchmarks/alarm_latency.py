"""How late the alarm fires: from the moment a threshold is due to `Alarm.fire()`.

Drives the real stage loop in-process on the real clock: keys from a prompt_toolkit pipe
(the loop sleeps in the selector exactly as with a terminal), frames painted by the
line-diff painter into a buffer, the session in a real SQLite file (so every alarm
includes the durable commit of its event). The agenda's items last 2 s (warning after 1 s) and repeat their
alarm every second, so each second of overtime is one sample; every 10 s the loop is
sent `n` and `space` so samples also follow a key press. Target: median < 5 ms, max < 20 ms.

    .venv/bin/python benchmarks/alarm_latency.py [--seconds 30]
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import threading
import time
from pathlib import Path

from prompt_toolkit.input import create_pipe_input
from rich.console import Console

from retreat import agenda as agenda_mod
from retreat.clock import MonotonicClock
from retreat.meeting.session import Session
from retreat.ui.alarm import Alarm
from retreat.ui.keys import KeyReader
from retreat.ui.runloop import RunLoop
from retreat.ui.screen import DiffScreen
from retreat.ui.stage import StageOptions

ITEMS = 20
AGENDA = "version: 1\nmeeting: {title: Alarm latency, language: en}\nitems:\n" + "".join(
    f"  - {{id: i{n}, kind: report, title: Item {n}, limit: 2s, warning: 1s, alarm_repeat: 1s}}\n"
    for n in range(ITEMS)
)


def measure(seconds: float) -> list[float]:
    agenda = agenda_mod.loads(AGENDA)
    with tempfile.TemporaryDirectory() as tmp, create_pipe_input() as pipe:
        session = Session.create(Path(tmp) / "latency.retreat", agenda, MonotonicClock())
        console = Console(file=io.StringIO(), width=100, height=30, force_terminal=True, color_system="256")
        alarm = Alarm(sound=False, bell=console.bell)
        stop = threading.Event()

        def typist() -> None:
            pipe.send_text(" ")
            end = time.monotonic() + seconds
            while not stop.wait(min(10.0, max(0.0, end - time.monotonic()))):
                if time.monotonic() >= end:
                    break
                pipe.send_text("n ")
            pipe.send_text("qy")

        with session, KeyReader(pipe) as keys:
            loop = RunLoop(session, keys, console, alarm=alarm, screen=DiffScreen(console),
                           options=StageOptions(session_path="latency.retreat"))  # fmt: skip
            thread = threading.Thread(target=typist)
            thread.start()
            try:
                loop.run()
            finally:
                stop.set()
                thread.join()
        return [fired - deadline for deadline, fired in loop.stats.alarms]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    late = sorted(x * 1000 for x in measure(args.seconds))
    if not late:
        raise SystemExit("no alarm fired")
    median = statistics.median(late)
    p95 = late[min(len(late) - 1, round(0.95 * (len(late) - 1)))]
    print(f"alarm lateness over {len(late)} alarms ({args.seconds:.0f} s, real clock, SQLite commit included):")
    print(f"  median {median:6.2f} ms   p95 {p95:6.2f} ms   max {late[-1]:6.2f} ms   min {late[0]:6.2f} ms")
    print(f"  target median < 5 ms: {'met' if median < 5 else 'NOT met'};"
          f" max < 20 ms: {'met' if late[-1] < 20 else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    main()
