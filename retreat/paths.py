"""Where the bundled agendas and templates are: inside the wheel, or beside the source tree."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """`agendas` or `templates`: shipped as retreat/_data/<name> in the wheel (see pyproject)."""
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def bundled_agenda(lang: str = "zh-CN") -> Path:
    stem = "retreat-demo" if lang.lower().startswith("zh") else "retreat-demo-en"
    return data_dir("agendas") / f"{stem}.yaml"


def bundled_template(name: str) -> Path:
    return data_dir("templates") / name
