"""CPU used by `retreat run` while a countdown runs untouched, against termdown, in tmux.

Both programs run side by side in one private tmux server (100x30 each), counting down
10 minutes; after a settling pause, utime+stime of each process is read from
/proc/<pid>/stat at the start and end of the same window (default 30 s).

Target: `retreat run` under 0.3% of one core, and below termdown (which polls its
keyboard every 10 ms). The machine is noisy: run it twice before believing a digit.

    .venv/bin/python benchmarks/run_cpu.py [--seconds 30] [--rounds 1]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

BIN = Path(sys.executable).parent
SOCKET = f"retreat-bench-{uuid.uuid4().hex[:6]}"
AGENDA = """version: 1
meeting: {title: CPU benchmark, language: en}
items:
  - {id: long, kind: report, title: A ten-minute report, presenter: Chen Jing, limit: 10m,
     points: [Last year, This year, Problems]}
  - {id: next, kind: remarks, title: Remarks, limit: 5m}
"""


def tmux(*args: str, capture: bool = False) -> str:
    done = subprocess.run(["tmux", "-L", SOCKET, *args], check=True, text=True, capture_output=capture)
    return done.stdout if capture else ""


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def ensure_termdown() -> Path | None:
    termdown = BIN / "termdown"
    if not termdown.exists():
        print("termdown is not installed; installing it into the venv for the comparison ...")
        done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "termdown"], capture_output=True)
        if done.returncode != 0 or not termdown.exists():
            print("  could not install termdown: only retreat's figure is printed")
            return None
    return termdown


def start(name: str, cwd: Path, command: str) -> int:
    tmux("new-session", "-d", "-s", name, "-x", "100", "-y", "30", "-c", str(cwd),
         f"env LANG=C.UTF-8 TERM=xterm-256color {command}")  # fmt: skip (sh and env exec: the pane pid is the program)
    time.sleep(0.5)
    pid = int(tmux("display-message", "-p", "-t", name, "#{pane_pid}", capture=True).strip())
    comm = Path(f"/proc/{pid}/comm").read_text().strip()
    if comm in ("sh", "bash", "env"):
        raise SystemExit(f"the pane runs {comm}, not the program: the figures would be wrong")
    return pid


def wait_for(name: str, text: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while text not in tmux("capture-pane", "-p", "-t", name, capture=True):
        if time.monotonic() > deadline:
            raise SystemExit(f"{name} never showed {text!r}")
        time.sleep(0.1)


def one_round(seconds: float, termdown: Path | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        (cwd / "bench.yaml").write_text(AGENDA)
        pids = {"retreat run": start("retreat", cwd, f"{BIN / 'retreat'} run bench.yaml --no-sound")}
        wait_for("retreat", "Ready. Press space")
        tmux("send-keys", "-t", "retreat", " ")
        if termdown is not None:
            pids["termdown"] = start("termdown", cwd, f"{termdown} 10m")
        return idle_cpu(pids, seconds, counting=("retreat",), sessions=("retreat", "termdown"))


def idle_cpu(pids: dict[str, int], seconds: float, counting: tuple[str, ...],
             sessions: tuple[str, ...]) -> dict[str, float]:
    """% of a core each process used over `seconds`, after their start-up settled; the
    `counting` tmux sessions must still show the countdown, then all `sessions` are closed."""
    time.sleep(3)  # start-up costs are not the idle loop's
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    t0 = time.monotonic()
    time.sleep(seconds)
    after = {name: cpu_seconds(pid) for name, pid in pids.items()}
    wall = time.monotonic() - t0
    for name in counting:
        screen = tmux("capture-pane", "-p", "-t", name, capture=True)
        if "/ 10:00" not in screen:
            raise SystemExit(f"{name} is not counting down:\n" + screen)
    for name in sessions:
        subprocess.run(["tmux", "-L", SOCKET, "kill-session", "-t", name], capture_output=True)
    return {name: (after[name] - before[name]) / wall * 100 for name in pids}


def rounds(one: Callable[[], dict[str, float]], n: int) -> dict[str, list[float]]:
    """`n` rounds of `one`, each process's figures collected; the private tmux server is
    killed whatever happens."""
    results: dict[str, list[float]] = {}
    try:
        for _ in range(n):
            for name, pct in one().items():
                results.setdefault(name, []).append(pct)
    finally:
        subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)
    return results


def print_medians(results: dict[str, list[float]], width: int) -> None:
    for name, values in results.items():
        shown = ", ".join(f"{v:.3f}" for v in values)
        print(f"  {name:{width}} median {statistics.median(values):6.3f}%   ({shown})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        raise SystemExit("tmux is not installed")
    termdown = ensure_termdown()
    results = rounds(lambda: one_round(args.seconds, termdown), args.rounds)
    print(f"CPU while a countdown runs idle, {args.seconds:.0f} s x {args.rounds} in tmux (% of one core):")
    print_medians(results, width=12)
    ours = statistics.median(results["retreat run"])
    print(f"  target: retreat run < 0.3%: {'met' if ours < 0.3 else 'NOT met'}")
    if "termdown" in results:
        theirs = statistics.median(results["termdown"])
        ratio = ours / theirs if theirs else float("inf")
        print(f"  retreat run / termdown = {ratio:.2f}  ({'below' if ours < theirs else 'NOT below'} termdown)")


if __name__ == "__main__":
    main()
