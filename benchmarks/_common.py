"""Small helpers shared by the benchmarks: timing subprocesses and printing medians."""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Callable, Sequence


def time_command(argv: Sequence[str], runs: int, cwd: str | None = None) -> list[float]:
    """Wall seconds of `runs` runs of a command (output discarded); raises if it fails."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
        samples.append(time.perf_counter() - start)
    return samples


def interleaved(commands: dict[str, Sequence[str]], runs: int, cwd: str | None = None) -> dict[str, list[float]]:
    """Alternate the commands run by run so that machine noise hits them all alike."""
    results: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            results[name] += time_command(argv, 1, cwd)
    return results


def time_call(fn: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]
