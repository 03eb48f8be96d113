"""Typing 200 paper ballots on the stage: is the live count still instant?

The demo's 14 key tasks at 80x24 (Chinese titles, three working groups). Each ballot goes
through the secretary's entry path of `retreat run`: its keys into the run loop one by one
(the screen repainted after each, as the loop does), Enter (checked, committed to the
session file with fsync), then the live count repainted by the `DiffScreen`. Every tenth
ballot is first typed wrong and refused. Measured in the same run, as baselines:

- a plain Rich table of the 14 candidates rendered to the same console (what one ordinary
  Rich frame costs here);
- the same ballot committed by `session.handle(Cmd.CAST)` alone (the durable append, no UI).

    .venv/bin/python benchmarks/vote_entry.py [--ballots 200] [--dir DIR]
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import median, ms, percentile, time_call  # noqa: E402

from retreat import agenda as agenda_mod  # noqa: E402
from retreat.clock import FakeClock  # noqa: E402
from retreat.meeting.engine import Cmd  # noqa: E402
from retreat.meeting.session import Session  # noqa: E402
from retreat.paths import bundled_agenda  # noqa: E402

VOTE = "key-task-vote"


class NoKeys:
    def get(self, deadline: float | None = None) -> str | None:
        raise EOFError


def console():  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(file=io.StringIO(), width=80, height=24, force_terminal=True, color_system="truecolor",
                   legacy_windows=False)


def lines(n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(str(c) for c in rng.sample(range(1, 15), 5)) for _ in range(n)]


def session(folder: Path, name: str) -> Session:
    s = Session.create(folder / f"{name}.retreat", agenda_mod.load(bundled_agenda("zh-CN")), FakeClock())
    s.handle(Cmd.GOTO, VOTE)
    s.handle(Cmd.START)
    return s


def bench_entry(folder: Path, n: int) -> dict[str, list[float]]:
    from retreat.ui.runloop import RunLoop
    from retreat.ui.screen import DiffScreen
    from retreat.ui.stage import StageOptions

    out: dict[str, list[float]] = {"ballot": [], "frame": [], "key frame": [], "refused": []}
    con = console()
    screen = DiffScreen(con)
    with session(folder, "entry") as s:
        loop = RunLoop(s, NoKeys(), con, screen=screen, options=StageOptions())
        loop.draw()
        for key in "b1":
            loop.on_key(key)
        loop.draw()
        for i, line in enumerate(lines(n)):
            if i and i % (n // 3 + 1) == 0:  # the next group's pile of paper
                for key in ("g", str(1 + i // (n // 3 + 1))):
                    loop.on_key(key)
            if i % 10 == 9:
                start = time.perf_counter()
                for key in ("3", " ", "3", "c-m"):
                    loop.on_key(key)
                loop.draw()
                out["refused"].append(time.perf_counter() - start)
            start = time.perf_counter()
            for key in line:
                loop.on_key(key)
                tick = time.perf_counter()
                loop.draw()
                out["key frame"].append(time.perf_counter() - tick)
            loop.on_key("c-m")
            committed = time.perf_counter()
            loop.draw()
            done = time.perf_counter()
            out["frame"].append(done - committed)
            out["ballot"].append(done - start)
        assert len(s.state.vote().counted) == n, "every good ballot counted"
        out["bytes"] = [screen.bytes_written / max(1, loop.stats.frames)]
    return out


def bench_baselines(folder: Path, n: int) -> dict[str, list[float]]:
    from rich.table import Table

    from retreat.meeting.ballot_box import new_vote

    agenda = agenda_mod.load(bundled_agenda("zh-CN"))
    vote = new_vote(agenda, agenda.items[agenda.index_of(VOTE)])
    con = console()

    def table() -> None:
        t = Table("#", "候选项目", "得票")
        for i, title in enumerate(vote.titles, 1):
            t.add_row(str(i), title, str(i * 7))
        con.file = io.StringIO()
        con.print(t)

    out = {"rich table": time_call(table, n)}
    with session(folder, "bare") as s:
        cast = []
        for i, line in enumerate(lines(n)):
            start = time.perf_counter()
            s.handle(Cmd.CAST, {"ballot": f"b{i}", "ranking": line, "group": "g1"})
            cast.append(time.perf_counter() - start)
        out["bare cast"] = cast
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ballots", type=int, default=200)
    parser.add_argument("--dir", type=Path, default=None, help="where the session files go (default: a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        folder = Path(tmp)
        base = bench_baselines(folder, args.ballots)
        entry = bench_entry(folder, args.ballots)
    print(f"{args.ballots} ballots, 14 candidates, 80x24, 3 groups (median / p95):")
    rows = [
        ("live count repaint after a ballot", entry["frame"]),
        ("repaint after a keystroke", entry["key frame"]),
        ("whole ballot: keys, check, commit, repaints", entry["ballot"]),
        ("refused line (typed, checked, said)", entry["refused"]),
        ("baseline: plain Rich table, 14 rows", base["rich table"]),
        ("baseline: bare session.handle(CAST)", base["bare cast"]),
    ]
    for name, samples in rows:
        print(f"  {name:<45}{ms(median(samples))} {ms(percentile(samples, 95))}")
    ratio = median(entry["frame"]) / median(base["rich table"])
    print(f"  live count frame / plain Rich table: {ratio:.2f}x; {entry['bytes'][0]:.0f} bytes sent per frame")


if __name__ == "__main__":
    main()
