"""The session store and its projections, each against a baseline measured in the same run.

- durable append: one command -> events committed (WAL, synchronous=FULL) before return.
  Target p99 < 10 ms. Baseline: a bare write+fsync of a small file in the same folder.
- replay of a 10,000-event session. Target < 200 ms. Baseline: reading the same rows with
  plain sqlite3 + json.loads (what no replay can beat).
- minutes of a large session (100 items, 500 notes; questions come with the Q&A feature).
  Target < 1 s. Baseline: the 14-item demo's minutes.

    .venv/bin/python benchmarks/session.py [--dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import median, ms, percentile, time_call  # noqa: E402

from retreat import agenda as agenda_mod  # noqa: E402
from retreat.clock import FakeClock  # noqa: E402
from retreat.demo import run_demo  # noqa: E402
from retreat.meeting.engine import Cmd, Command, apply, decide  # noqa: E402
from retreat.meeting.session import Session, load  # noqa: E402
from retreat.meeting.store import Store  # noqa: E402
from retreat.minutes import render  # noqa: E402
from retreat.paths import bundled_agenda  # noqa: E402


def big_agenda(items: int) -> agenda_mod.Agenda:
    lines = ["version: 1", "meeting:", "  title: 压力测试会议", "  start: '08:00'", "items:"]
    for i in range(items):
        lines += [f"  - id: r{i}", "    kind: report", f"    title: 第{i + 1}个部门工作汇报", f"    presenter: 汇报人{i}"]
    return agenda_mod.loads("\n".join(lines) + "\n", "big.yaml")


def bench_append(folder: Path, n: int) -> None:
    clock = FakeClock()
    agenda = big_agenda(3)
    latencies = []
    with Session.create(folder / "append.retreat", agenda, clock) as session:
        session.handle(Cmd.START)
        for i in range(n):
            clock.advance(1)
            start = time.perf_counter()
            session.handle(Cmd.NOTE, f"记录 {i}")
            latencies.append(time.perf_counter() - start)
    fsyncs = []
    probe = folder / "fsync.probe"
    with probe.open("wb") as f:
        for _ in range(n):
            start = time.perf_counter()
            f.write(b"x" * 200)
            f.flush()
            os.fsync(f.fileno())
            fsyncs.append(time.perf_counter() - start)
    p50, p99 = median(latencies), percentile(latencies, 99)
    base = median(fsyncs)
    print(f"durable append ({n} commands): p50 {ms(p50)}  p99 {ms(p99)}  max {ms(max(latencies))}")
    print(f"  baseline write+fsync: p50 {ms(base)}  -> append p50 = {p50 / base:.1f}x one fsync")
    print(f"  target p99 < 10 ms: {'OK' if p99 < 0.010 else 'OVER'}")


def make_session(path: Path, events: int) -> None:
    clock = FakeClock()
    agenda = big_agenda(100)
    with Session.create(path, agenda, clock) as session:
        store = session.store
        # Write in big transactions: this builds the fixture, it is not what is measured.
        store._conn.execute("PRAGMA synchronous = OFF")
        written = session.state.events
        i = 0
        while written < events:
            for cmd in (Command(Cmd.START), Command(Cmd.NOTE, f"第{i}条记录"), Command(Cmd.PAUSE)):
                clock.advance(3)
                new = decide(session.state, cmd, session.stamp())
                committed = store.append(new)
                for e in committed:
                    apply(session.state, e)
                written += len(committed)
            if i % 40 == 39 and session.state.current + 1 < len(agenda.items):
                clock.advance(1)
                for e in store.append(decide(session.state, Command(Cmd.NEXT), session.stamp())):
                    apply(session.state, e)
                    written += 1
            i += 1


def bench_replay(folder: Path, events: int) -> None:
    path = folder / "replay.retreat"
    make_session(path, events)
    with Store.open(path, readonly=True) as store:
        count = sum(1 for _ in store.events())

    def plain_read() -> None:
        conn = sqlite3.connect(path)
        for row in conn.execute("SELECT seq, kind, at, mono, run, data FROM events ORDER BY seq"):
            json.loads(row[5])
        conn.close()

    replay = time_call(lambda: load(path), 7)
    base = time_call(plain_read, 7)
    print(f"replay of {count} events: median {ms(median(replay))}  (baseline plain read {ms(median(base))}, "
          f"x{median(replay) / median(base):.1f})")
    print(f"  target < 200 ms: {'OK' if median(replay) < 0.200 else 'OVER'}")


def bench_minutes(folder: Path) -> None:
    path = folder / "minutes.retreat"
    clock = FakeClock()
    agenda = big_agenda(100)
    with Session.create(path, agenda, clock) as session:
        for item in range(100):
            session.handle(Cmd.START)
            for n in range(5):
                clock.advance(60)
                session.handle(Cmd.NOTE, f"第{item + 1}项第{n + 1}条记录：居民代表关心的问题和部门答复要点")
            session.tick()
            session.handle(Cmd.NEXT)
    record = load(path)
    demo_path = folder / "demo.retreat"
    for _ in run_demo(agenda_mod.load(bundled_agenda("zh-CN")), demo_path, FakeClock()):
        pass
    demo = load(demo_path)
    big = time_call(lambda: render(record), 5)
    small = time_call(lambda: render(demo), 5)
    size = len(render(record).encode())
    print(f"minutes of 100 items / 500 notes ({size // 1024} KiB): median {ms(median(big))}  "
          f"(demo's 14 items {ms(median(small))}, x{median(big) / median(small):.1f})")
    print(f"  target < 1 s: {'OK' if median(big) < 1.0 else 'OVER'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", help="folder on the disk to measure (default: a temp folder)")
    parser.add_argument("--appends", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        folder = Path(tmp)
        bench_append(folder, args.appends)
        bench_replay(folder, 10_000)
        bench_minutes(folder)


if __name__ == "__main__":
    main()
