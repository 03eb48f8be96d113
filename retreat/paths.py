"""Where the bundled agendas and templates are: inside the wheel, inside a frozen build, or
beside the source tree."""

from __future__ import annotations

import sys
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _bundle() -> Path | None:
    """The folder of a frozen program's files (PyInstaller's `sys._MEIPASS`), else None."""
    if not getattr(sys, "frozen", False):
        return None
    meipass = getattr(sys, "_MEIPASS", None)
    return Path(meipass) if isinstance(meipass, str) else Path(sys.executable).resolve().parent


def data_dir(name: str) -> Path:
    """`agendas` or `templates`: shipped as retreat/_data/<name> in the wheel (see pyproject)
    and in the standalone build (scripts/build_standalone.py)."""
    bundle = _bundle()
    if bundle is not None and (bundle / "retreat" / "_data" / name).is_dir():
        return bundle / "retreat" / "_data" / name
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def bundled_agenda(lang: str = "zh-CN") -> Path:
    stem = "retreat-demo" if lang.lower().startswith("zh") else "retreat-demo-en"
    return data_dir("agendas") / f"{stem}.yaml"


def bundled_template(name: str) -> Path:
    return data_dir("templates") / name
