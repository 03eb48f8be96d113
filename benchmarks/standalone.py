"""The standalone build against the venv: `retreat --help` of the built program and of the
venv's entry point, interleaved in the same run (medians), and the build's size on disk and
as an archive. Builds it first (scripts/build_standalone.py, in a temporary folder) unless
given an unpacked folder.

    .venv/bin/python benchmarks/standalone.py [--runs 21] [--folder dist/retreat]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import interleaved, median, ms  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def size(folder: Path) -> int:
    """Bytes on disk (allocated blocks), as `du` counts them."""
    return sum(p.lstat().st_blocks * 512 for p in [folder, *folder.rglob("*")])


def biggest(internal: Path, n: int = 8) -> list[tuple[str, int]]:
    parts = [(p.name, size(p) if p.is_dir() else p.lstat().st_blocks * 512) for p in internal.iterdir()]
    return sorted(parts, key=lambda x: -x[1])[:n]


def mb(n: int) -> str:
    return f"{n / 1e6:7.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--folder", type=Path, help="an unpacked build (its retreat/ folder); else build one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="retreat-bench-") as tmp:
        archive = None
        if args.folder:
            folder = args.folder.resolve()
        else:
            spec = importlib.util.spec_from_file_location("build_standalone", ROOT / "scripts" / "build_standalone.py")
            assert spec and spec.loader
            build = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(build)
            start = time.perf_counter()
            archive = build.build(Path(tmp) / "dist", keep_folder=True)
            print(f"build: {time.perf_counter() - start:.0f} s (PyInstaller without its cache)")
            folder = Path(tmp) / "dist" / "retreat"
        venv = Path(sys.executable).parent / ("retreat.exe" if os.name == "nt" else "retreat")
        built = folder / ("retreat.exe" if os.name == "nt" else "retreat")
        # Warm both once (the first run of a fresh build reads its files from disk).
        interleaved({"venv": [str(venv), "--help"], "built": [str(built), "--help"]}, 2, cwd=tmp)
        times = interleaved({"venv": [str(venv), "--help"], "built": [str(built), "--help"]}, args.runs, cwd=tmp)
        v, b = median(times["venv"]), median(times["built"])
        print(f"retreat --help, median of {args.runs}:")
        print(f"  venv entry point   {ms(v)}")
        print(f"  standalone build   {ms(b)}  ({b / v:.2f}x)")
        print(f"size on disk: {mb(size(folder))} ({sum(1 for _ in folder.rglob('*'))} files)")
        if archive:
            print(f"archive:      {mb(archive.stat().st_size)} ({archive.name})")
        print("largest parts of _internal/:")
        for name, n in biggest(folder / "_internal"):
            print(f"  {mb(n)}  {name}")


if __name__ == "__main__":
    main()
