"""CPU used by `retreat run --participate` with no phone connected, against `retreat run`
alone, side by side in one private tmux server, in the same run.

Both count down the same 10-minute item untouched; after a settling pause, utime+stime of
each process is read from /proc/<pid>/stat at the start and end of the same window
(default 30 s). Target (issue 15): the `--participate` process under 0.25% of one core:
the phone server may not wake ten times a second for nothing (uvicorn's own main loop did).
The machine is shared and noisy: run it twice before believing a digit.

    .venv/bin/python benchmarks/web_idle_cpu.py [--seconds 30] [--rounds 1]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_cpu import AGENDA, BIN, idle_cpu, print_medians, rounds, start, tmux, wait_for  # noqa: E402

TARGET = 0.25  # % of one core


def one_round(seconds: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        (cwd / "alone.yaml").write_text(AGENDA)
        (cwd / "phones.yaml").write_text(AGENDA)
        pids = {
            "retreat run": start("alone", cwd, f"{BIN / 'retreat'} run alone.yaml --no-sound"),
            "--participate": start("phones", cwd, f"{BIN / 'retreat'} run phones.yaml --no-sound --participate "
                                                  "--host 127.0.0.1 --port 0"),
        }
        wait_for("alone", "Ready. Press space")
        tmux("send-keys", "-t", "alone", " ")
        time.sleep(2)  # the join screen (QR code) waits for a key
        tmux("send-keys", "-t", "phones", "x")
        wait_for("phones", "Ready. Press space")
        tmux("send-keys", "-t", "phones", " ")
        return idle_cpu(pids, seconds, counting=("alone", "phones"), sessions=("alone", "phones"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        raise SystemExit("tmux is not installed")
    results = rounds(lambda: one_round(args.seconds), args.rounds)
    print(f"CPU with no phone connected, {args.seconds:.0f} s x {args.rounds} in tmux (% of one core):")
    print_medians(results, width=14)
    ours, alone = statistics.median(results["--participate"]), statistics.median(results["retreat run"])
    print(f"  --participate - alone = {ours - alone:+.3f} points; "
          f"target --participate < {TARGET}%: {'met' if ours < TARGET else 'NOT met'}")


if __name__ == "__main__":
    main()
