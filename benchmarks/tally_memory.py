"""Benchmark `retreat tally` on a million ballots: wall time and peak memory, against plain Python.

    .venv/bin/python benchmarks/tally_memory.py [--runs 5] [--methods stv,ranked_pairs]

The file (issue 12): 1,000,000 ballots x 14 candidates in BLT; each ballot is one base order
with 0-20 random adjacent swaps, cut to a random length (random.Random(7)): about 203,000
distinct rankings, 20 MB. In the same run, interleaved run by run, it reports medians of:
  baseline     - a fresh `python` reading the file and converting every number on it to int
                 (`list(map(int, line.split()))` per line: plain Python at its plainest)
  tally METHOD - `python -m retreat tally FILE --method METHOD` in a fresh process
and the ratio tally / baseline (target: at most 1, no slower than reading the numbers), with
each process's peak RSS (from os.wait4; target: under 150 MB).

Then one 10 MB ballot line among 300 ballots (ranked pairs and Schulze): the peak RSS must
follow the size of the file (it once was rows x longest line: 11.8 GiB).
The machine may be shared and noisy: compare figures from the same run only.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASELINE = """
import sys
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        try:
            list(map(int, line.split()))
        except ValueError:
            pass
"""
RSS_TARGET_MB = 150


def write_million(path: Path, n: int = 1_000_000, m: int = 14, seed: int = 7) -> int:
    """The issue's file; returns the number of distinct rankings."""
    rng = random.Random(seed)
    base = list(range(1, m + 1))
    distinct = set()
    with path.open("w", encoding="utf-8") as f:
        f.write(f"{m} 3\n")
        for _ in range(n):
            order = base[:]
            for _ in range(rng.randint(0, 20)):
                i = rng.randrange(m - 1)
                order[i], order[i + 1] = order[i + 1], order[i]
            ranking = tuple(order[: rng.randint(1, m)])
            distinct.add(ranking)
            f.write("1 " + " ".join(map(str, ranking)) + " 0\n")
        f.write("0\n")
        f.writelines(f'"C{c}"\n' for c in base)
        f.write('"benchmark"\n')
    return len(distinct)


def write_long_line(path: Path, m: int = 14, seed: int = 7) -> None:
    """300 ballots, one of them a 10 MB line (a candidate ranked millions of times)."""
    rng = random.Random(seed)
    lines = [f"{m} 1"]
    for _ in range(300):
        lines.append("1 " + " ".join(map(str, rng.sample(range(1, m + 1), rng.randint(1, m))))
                     + " 0")
    lines[150] = "1 " + " ".join(["1", "2"] * 2_600_000) + " 0"
    lines += ["0", *(f'"C{c}"' for c in range(1, m + 1)), '"long line"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one run of a command; raises if it fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited with {proc.returncode}")
    return wall, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def tally(path: Path, method: str) -> list[str]:
    return [sys.executable, "-m", "retreat", "tally", str(path), "--method", method,
            "--seed", "1", "--format", "json"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--methods", default="stv,ranked_pairs")
    ap.add_argument("--ballots", type=int, default=1_000_000)
    ap.add_argument("--write", metavar="PATH", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.write:  # in a child, so that this process stays small: a child's peak RSS
        print(write_million(Path(args.write), args.ballots))  # counts its parent's at fork
        write_long_line(Path(args.write).with_suffix(".long.blt"))
        return
    methods = args.methods.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "million.blt"
        distinct = int(subprocess.run(
            [sys.executable, __file__, "--write", str(big), "--ballots", str(args.ballots)],
            check=True, capture_output=True, text=True).stdout)
        print(f"{args.ballots:,} ballots, {distinct:,} distinct rankings, "
              f"{big.stat().st_size / 1e6:.1f} MB; {args.runs} runs, interleaved; this process: "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        commands = {"baseline": [sys.executable, "-c", BASELINE, str(big)]}
        commands.update({f"tally {m}": tally(big, m) for m in methods})
        walls: dict[str, list[float]] = {name: [] for name in commands}
        peaks: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, argv in commands.items():
                wall, peak = run(argv)
                walls[name].append(wall)
                peaks[name].append(peak)
        base = statistics.median(walls["baseline"])
        print(f"{'':<20}{'median s':>10}{'min s':>8}{'max s':>8}{'ratio':>8}{'peak RSS MB':>13}")
        for name in commands:
            med = statistics.median(walls[name])
            print(f"{name:<20}{med:10.3f}{min(walls[name]):8.3f}{max(walls[name]):8.3f}"
                  f"{med / base:8.2f}{max(peaks[name]):13.1f}")
        worst = max(max(peaks[n]) for n in commands if n != "baseline")
        slowest = max(statistics.median(walls[n]) / base for n in commands if n != "baseline")
        print(f"targets: peak RSS < {RSS_TARGET_MB} MB: {'met' if worst < RSS_TARGET_MB else 'NOT met'}"
              f" ({worst:.0f} MB); wall <= baseline: "
              f"{'met' if slowest <= 1 else 'NOT met'} (ratio {slowest:.2f})")

        long = big.with_suffix(".long.blt")
        size = long.stat().st_size / 1e6
        print(f"\n300 ballots with one 10 MB line ({size:.1f} MB):")
        for method in ("ranked_pairs", "schulze"):
            wall, peak = run(tally(long, method))
            print(f"  tally {method:<14}{wall:8.3f} s{peak:9.1f} MB peak RSS")


if __name__ == "__main__":
    main()
