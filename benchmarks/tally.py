"""Benchmark `retreat tally` against pyrankvote and pref_voting in the same run.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/tally.py [--repeat 3] [--quick]

Sizes (from issue 5): 100 ballots x 12 candidates, 10,000 x 26, 100,000 x 14 (STV: 5 seats).
Ballots: seeded Plackett-Luce rankings (candidates of unequal popularity), each truncated to a
random length, written to a BLT file. For every method and size it reports medians of:
  ours e2e  - `python -m retreat tally FILE` in a fresh process: start-up, reading, counting
  ours      - reading the BLT text and counting, in process
  pyrankvote, pref_voting - building their profile objects + counting (where they have it)
and the ratio reference / ours-e2e (above 1: we are faster). The machine is noisy: compare
figures from the same run only.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

SIZES = [(100, 12, 1), (10_000, 26, 1), (100_000, 14, 5)]
METHODS = ["stv", "irv", "borda", "schulze", "ranked_pairs", "approval", "plurality"]


def make_ballots(n: int, m: int, seed: int = 2024) -> list[list[int]]:
    rng = np.random.default_rng(seed)
    strength = rng.gamma(1.5, size=m)
    keys = rng.gumbel(size=(n, m)) + np.log(strength)  # Gumbel trick: Plackett-Luce orders
    orders = np.argsort(-keys, axis=1)
    lengths = rng.integers(1, m + 1, size=n)
    return [orders[i, : lengths[i]].tolist() for i in range(n)]


def write_blt(ballots: list[list[int]], m: int, seats: int, path: Path) -> None:
    lines = [f"{m} {seats}"]
    lines += ["1 " + " ".join(str(c + 1) for c in b) + " 0" for b in ballots]
    lines += ["0", *(f'"C{c + 1}"' for c in range(m)), '"benchmark"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def ours_e2e(path: Path, method: str, seats: int) -> None:
    subprocess.run(
        [sys.executable, "-m", "retreat", "tally", str(path), "--method", method,
         "--seats", str(seats), "--format", "json", "--seed", "1", "-o",
         str(path.with_suffix(".json"))],
        check=True, capture_output=True,
    )


def ours_in_process(path: Path, method: str, seats: int) -> None:
    from retreat.voting import count, read_ballots

    count(read_ballots(path.read_text(encoding="utf-8"), str(path)), method, seats, seed=1)


def pyrankvote_fn(method: str) -> Callable[[list[list[int]], int, int], object] | None:
    try:
        import pyrankvote
    except ImportError:
        return None
    if method not in ("stv", "irv"):
        return None

    def run(ballots: list[list[int]], m: int, seats: int) -> object:
        cands = [pyrankvote.Candidate(f"C{c + 1}") for c in range(m)]
        bs = [pyrankvote.Ballot(ranked_candidates=[cands[c] for c in b]) for b in ballots]
        if method == "stv":
            return pyrankvote.single_transferable_vote(cands, bs, number_of_seats=seats)
        return pyrankvote.instant_runoff_voting(cands, bs)

    return run


def pref_voting_fn(method: str) -> Callable[[list[list[int]], int, int], object] | None:
    try:
        from pref_voting import iterative_methods as it
        from pref_voting import margin_based_methods as mb
        from pref_voting import proportional_methods as pm
        from pref_voting import scoring_methods as sm
        from pref_voting.profiles_with_ties import ProfileWithTies
    except ImportError:
        return None
    counters: dict[str, Callable[..., object]] = {
        "stv": lambda p, s: pm.stv_wig(p, num_seats=s, quota_rule="droop"),
        "irv": lambda p, s: it.instant_runoff_for_truncated_linear_orders(p),
        "schulze": lambda p, s: mb.beat_path(p, strength_function=p.support),
        "ranked_pairs": lambda p, s: mb.ranked_pairs(p),
        "plurality": lambda p, s: sm.plurality(p),
    }
    if method not in counters:
        return None

    def run(ballots: list[list[int]], m: int, seats: int) -> object:
        p = ProfileWithTies([{c: r + 1 for r, c in enumerate(b)} for b in ballots],
                            candidates=list(range(m)))
        p.use_extended_strict_preference()
        return counters[method](p, seats)

    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="skip the references on 100,000")
    ap.add_argument("--methods", default=",".join(METHODS))
    args = ap.parse_args()
    print(f"{'method':<13}{'size':>14}{'ours e2e':>10}{'ours':>9}{'pyrankvote':>12}"
          f"{'pref_voting':>13}{'ratio prv':>10}{'ratio pv':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        for n, m, stv_seats in SIZES:
            ballots = make_ballots(n, m)
            path = Path(tmp) / f"b{n}x{m}.blt"
            write_blt(ballots, m, stv_seats, path)
            for method in args.methods.split(","):
                seats = stv_seats if method == "stv" else 1
                e2e = median_time(partial(ours_e2e, path, method, seats), args.repeat)
                inproc = median_time(partial(ours_in_process, path, method, seats), args.repeat)
                refs = []
                for make in (pyrankvote_fn, pref_voting_fn):
                    fn = make(method)
                    # pref_voting's truncated-ballot IRV took ~2 minutes on 10,000 x 26
                    slow = (n >= 100_000 and (args.quick or make is pref_voting_fn
                                              and method != "stv")) or (
                        n >= 10_000 and make is pref_voting_fn and method == "irv")
                    if fn is None or slow:
                        refs.append(None)
                        continue
                    reps = 1 if n >= 100_000 else args.repeat
                    refs.append(median_time(partial(fn, ballots, m, seats), reps))
                cells = [f"{r:9.3f}" if r is not None else f"{'-':>9}" for r in refs]
                ratios = [f"{r / e2e:9.2f}x" if r is not None else f"{'-':>10}" for r in refs]
                print(f"{method:<13}{f'{n:,}x{m}':>14}{e2e:10.3f}{inproc:9.3f}"
                      f"{cells[0]:>12}{cells[1]:>13}{ratios[0]}{ratios[1]}", flush=True)


if __name__ == "__main__":
    main()
