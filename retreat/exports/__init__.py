"""Minutes exports: the rendered Markdown turned into HTML (print-ready) or a Word document.

Not part of the pure core: markdown-it and python-docx are imported inside the functions
that need them, so `retreat --help` stays instant. The Markdown from `retreat.minutes.render`
is the one source of content; an export only changes how it looks.
"""

from __future__ import annotations

from pathlib import Path

from retreat.errors import UsageError
from retreat.i18n import _

FORMATS = ("md", "html", "docx")
SUFFIXES = {"md": (".md", ".markdown"), "html": (".html", ".htm"), "docx": (".docx",)}


def choose_format(fmt: str | None, output: Path | None) -> str:
    """The format asked for, else the one the -o file's extension names, else md.

    An -o file whose extension names another format is refused, as is an html or docx
    export to a file with some other extension (Word will not open "minutes.txt").
    """
    suffix = output.suffix.lower() if output is not None else ""
    named = next((f for f, sfx in SUFFIXES.items() if suffix in sfx), None)
    if fmt is None:
        return named or "md"
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        raise UsageError(
            _("--format takes {formats}, not {fmt}").format(formats=", ".join(FORMATS), fmt=fmt)
        )
    if output is not None and (named not in (None, fmt) or (named is None and fmt != "md")):
        raise UsageError(
            _("{path} does not look like a {fmt} file; name it {name} or leave out -o").format(
                path=output, fmt=fmt, name=output.with_suffix(SUFFIXES[fmt][0]).name
            )
        )
    return fmt


def parse_formats(value: str) -> list[str]:
    """'md,html,docx' -> ['md', 'html', 'docx'] in the order given, duplicates dropped."""
    wanted: list[str] = []
    for part in value.split(","):
        fmt = part.strip().lower()
        if not fmt:
            continue
        if fmt not in FORMATS:
            raise UsageError(
                _("--format takes {formats}, not {fmt}").format(formats=", ".join(FORMATS), fmt=fmt)
            )
        if fmt not in wanted:
            wanted.append(fmt)
    if not wanted:
        raise UsageError(_("--format takes {formats}, not {fmt}").format(formats=", ".join(FORMATS), fmt=value))
    return wanted


def default_output(session: Path, fmt: str) -> Path:
    """Where an export goes without -o: `<session-stem>-minutes.<ext>` in the current folder."""
    return Path(f"{session.stem}-minutes{SUFFIXES[fmt][0]}")


def export(markdown: str, fmt: str, lang: str, *, draft: bool = False) -> bytes:
    """The file contents for `fmt`: the Markdown itself, or its HTML or DOCX rendering."""
    if fmt == "html":
        from retreat.exports.html import to_html

        return to_html(markdown, lang, draft=draft).encode("utf-8")
    if fmt == "docx":
        from retreat.exports.docx import to_docx

        return to_docx(markdown, lang, draft=draft)
    return markdown.encode("utf-8")


def write_file(path: Path, data: bytes) -> None:
    """Write atomically (never renaming over a device); see retreat.files."""
    from retreat.files import write_bytes

    write_bytes(path, data)
