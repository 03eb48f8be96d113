"""The template gallery: `--template NAME` picks templates/NAME.md.j2, anything else is a file."""

from __future__ import annotations

from pathlib import Path

from retreat.errors import TemplateError
from retreat.i18n import _
from retreat.paths import data_dir

SUFFIX = ".md.j2"
# Bundled templates that render something other than one session's minutes.
NOT_MINUTES = frozenset({"progress"})  # the ledger's progress report (retreat.progress)


def names() -> list[str]:
    """The gallery's template names, the formal minutes first."""
    found = sorted(p.name.removesuffix(SUFFIX) for p in data_dir("templates").glob(f"*{SUFFIX}"))
    found = [n for n in found if n not in NOT_MINUTES]
    return sorted(found, key=lambda n: n != "minutes")


def resolve(value: str | Path | None) -> Path | None:
    """A gallery name or a template file -> the template's path (None: the formal minutes).

    A value that is an existing file wins over a gallery name; a bare word that is neither
    is refused with the list of names.
    """
    if value is None or str(value) == "":
        return None
    path = Path(value)
    if path.is_file():
        return path
    text = str(value)
    if text in names():
        return data_dir("templates") / f"{text}{SUFFIX}"
    if "/" in text or "\\" in text or text.endswith(".j2") or path.suffix:
        raise TemplateError(
            _("{path}: no such template file (the gallery has: {names})").format(
                path=text, names=", ".join(names())
            )
        )
    raise TemplateError(
        _("there is no template called {name}; the gallery has: {names} (or give a template file)").format(
            name=text, names=", ".join(names())
        )
    )
