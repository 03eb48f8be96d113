"""Build retreat as one folder that runs without Python, packed for an office laptop.

    pip install -e '.[build]'
    python scripts/build_standalone.py            # -> dist/retreat-0.1.0-linux-x86_64.tar.gz
    python scripts/build_standalone.py --dist DIR --keep-folder

PyInstaller (--onedir) freezes the program with its own Python into `retreat/`:
`retreat/retreat` (`retreat.exe` on Windows) and `retreat/_internal/` with everything it
needs: the bundled agendas and minutes templates (as retreat/_data, where retreat/paths.py
looks), the gettext catalogues (retreat/locale), python-docx's own templates and the
package metadata (for `--version`). The phone pages are Python code, so they come along.
The agendas are also copied to `retreat/agendas/` for the secretary to copy and edit.

PyInstaller's work files (build/, the .spec, its cache) go to a temporary folder and are
deleted; the archive is reproducible: sorted names, one fixed time, no owners.
The archive is a .tar.gz, or a .zip on Windows.
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENTRY = "from retreat.cli.main import main\n\nmain()\n"
# 2026-01-01 UTC unless SOURCE_DATE_EPOCH says otherwise: the archive's one timestamp.
EPOCH = int(os.environ.get("SOURCE_DATE_EPOCH", "1767225600"))
# Imported by nothing the program runs, but pulled in by optional imports of its libraries.
# mypy comes in through pydantic.mypy (the pydantic hook collects every submodule).
EXCLUDES = ["tkinter", "_tkinter", "pytest", "hypothesis", "IPython", "matplotlib", "PIL", "pydoc_data",
            "mypy", "mypyc", "ast_serialize", "babel", "playwright", "pydantic.mypy"]
# python-docx finds its templates as docx/parts/../templates: docx/parts must be a real folder,
# so its modules are kept as files too (they are small), not only inside the archive.
HOOKS = {"hook-docx.parts.py": 'module_collection_mode = "pyz+py"\n'}


def version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"])


def target() -> tuple[str, str]:
    """(os, arch) as in the archive's name: linux|windows|macos, x86_64|arm64|..."""
    system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform.rstrip("0123456789"))
    machine = platform.machine().lower()
    arch = {"amd64": "x86_64", "x64": "x86_64", "aarch64": "arm64"}.get(machine, machine)
    return system, arch


def archive_name() -> str:
    system, arch = target()
    suffix = ".zip" if system == "windows" else ".tar.gz"
    return f"retreat-{version()}-{system}-{arch}{suffix}"


def freeze(work: Path) -> Path:
    """Run PyInstaller in `work`; returns the folder `retreat/` it made."""
    entry = work / "retreat_entry.py"
    entry.write_text(ENTRY, encoding="utf-8")
    hooks = work / "hooks"
    hooks.mkdir()
    for name, text in HOOKS.items():
        (hooks / name).write_text(text, encoding="utf-8")
    sep = os.pathsep
    data = [
        (ROOT / "agendas", "retreat/_data/agendas"),
        (ROOT / "templates", "retreat/_data/templates"),
        (ROOT / "retreat" / "locale", "retreat/locale"),
    ]
    argv = [
        sys.executable, "-m", "PyInstaller", str(entry),
        "--name", "retreat", "--onedir", "--console", "--noconfirm", "--clean", "--log-level", "WARN",
        "--distpath", str(work / "dist"), "--workpath", str(work / "build"), "--specpath", str(work),
        "--paths", str(ROOT), "--additional-hooks-dir", str(hooks),
        "--collect-data", "docx",  # python-docx's default.docx and its part templates
        "--collect-data", "openpyxl",  # none today; kept if a release adds some
        "--copy-metadata", "retreat",  # importlib.metadata.version("retreat") for --version
        *(arg for src, dest in data for arg in ("--add-data", f"{src}{sep}{dest}")),
        *(arg for name in EXCLUDES for arg in ("--exclude-module", name)),
    ]  # fmt: skip
    env = {
        **os.environ,
        "PYTHONHASHSEED": "0",  # PyInstaller's advice for reproducible builds
        "PYINSTALLER_CONFIG_DIR": str(work / "config"),  # its cache: fresh each build, then deleted
        "SOURCE_DATE_EPOCH": str(EPOCH),
    }
    subprocess.run(argv, check=True, cwd=work, env=env)
    folder = work / "dist" / "retreat"
    shutil.copytree(ROOT / "agendas", folder / "agendas")
    # The .po sources and the .pot are for translators; the program reads the .mo only.
    for path in [*folder.rglob("retreat/locale/**/*.po"), *folder.rglob("retreat/locale/*.pot")]:
        path.unlink()
    return folder


def _files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*"), key=lambda p: p.relative_to(folder.parent).as_posix())


def pack(folder: Path, out: Path) -> None:
    """`folder` as `retreat/...` in a .tar.gz or .zip, byte for byte the same for the same files."""
    base = folder.parent
    if out.suffix == ".zip":
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            stamp = time.gmtime(EPOCH)[:6]
            for path in _files(folder):
                name = path.relative_to(base).as_posix() + ("/" if path.is_dir() else "")
                info = zipfile.ZipInfo(name, stamp)
                info.external_attr = ((0o40755 if path.is_dir() else 0o100755 if os.access(path, os.X_OK) else 0o100644)
                                      << 16)  # fmt: skip
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, b"" if path.is_dir() else path.read_bytes())
        return
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in _files(folder):
            info = tar.gettarinfo(str(path), path.relative_to(base).as_posix())
            info.mtime = EPOCH
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if info.isreg():
                info.mode = 0o755 if info.mode & 0o111 else 0o644
                with path.open("rb") as f:
                    tar.addfile(info, f)
            else:
                if info.isdir():
                    info.mode = 0o755
                tar.addfile(info)
    with out.open("wb") as f, gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=EPOCH) as gz:
        gz.write(raw.getvalue())


def build(dist: Path, keep_folder: bool = False) -> Path:
    """Freeze and pack; returns the archive's path (and leaves dist/retreat/ if asked)."""
    dist.mkdir(parents=True, exist_ok=True)
    out = dist / archive_name()
    with tempfile.TemporaryDirectory(prefix="retreat-build-") as tmp:
        folder = freeze(Path(tmp))
        pack(folder, out)
        if keep_folder:
            shutil.rmtree(dist / "retreat", ignore_errors=True)
            shutil.copytree(folder, dist / "retreat", symlinks=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the archive goes (default: dist/)")
    parser.add_argument("--keep-folder", action="store_true", help="also leave the unpacked dist/retreat/")
    args = parser.parse_args()
    start = time.perf_counter()
    out = build(args.dist.resolve(), args.keep_folder)
    print(f"{out} ({out.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
