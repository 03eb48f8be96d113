"""CLI start-up: `retreat --help` and `retreat check` against `python -c pass` and a minimal
five-command Typer app, all measured in the same run (medians; the machine is noisy).

Target: `retreat --help` at most 1.2x the minimal Typer app's `--help`.

    .venv/bin/python benchmarks/startup.py [--runs 21]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import interleaved, median, ms  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MINIMAL_APP = '''
import typer

app = typer.Typer()

@app.command()
def one(name: str = "x") -> None:
    """First command."""

@app.command()
def two(path: str) -> None:
    """Second command."""

@app.command()
def three(count: int = 1) -> None:
    """Third command."""

@app.command()
def four() -> None:
    """Fourth command."""

@app.command()
def five(flag: bool = False) -> None:
    """Fifth command."""

app()
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    python = sys.executable
    retreat = shutil.which("retreat", path=str(Path(python).parent)) or "retreat"
    with tempfile.TemporaryDirectory() as tmp:
        minimal = Path(tmp) / "minimal_app.py"
        minimal.write_text(MINIMAL_APP)
        commands = {
            "python -c pass": [python, "-c", "pass"],
            "minimal Typer app --help": [python, str(minimal), "--help"],
            "minimal Typer app one": [python, str(minimal), "one"],
            "retreat --help": [retreat, "--help"],
            "retreat check (demo agenda)": [retreat, "check", str(ROOT / "agendas" / "retreat-demo.yaml")],
        }
        os.environ["COLUMNS"] = "100"
        results = interleaved(commands, args.runs, cwd=tmp)
    medians = {name: median(samples) for name, samples in results.items()}
    bare = medians["python -c pass"]
    typer_help = medians["minimal Typer app --help"]
    typer_cmd = medians["minimal Typer app one"]
    print(f"start-up, median of {args.runs} runs each, interleaved")
    for name, value in medians.items():
        print(f"  {name:32} {ms(value)}   x{value / bare:5.1f} bare python")
    help_ratio = medians["retreat --help"] / typer_help
    check_ratio = medians["retreat check (demo agenda)"] / typer_cmd
    print(f"retreat --help / minimal Typer --help: {help_ratio:.2f} (target <= 1.2)")
    print(f"retreat check / minimal Typer command: {check_ratio:.2f} (check also loads YAML, pydantic, Rich)")
    print("verdict:", "OK" if help_ratio <= 1.2 else "OVER TARGET")


if __name__ == "__main__":
    main()
