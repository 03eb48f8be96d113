"""Keep the gettext catalogues in step with the code.

    python scripts/i18n.py extract   # write retreat/locale/retreat.pot from code and templates
    python scripts/i18n.py update    # merge the .pot into every .po (new strings untranslated)
    python scripts/i18n.py compile   # .po -> .mo (the .mo files are committed; a test checks they match)
    python scripts/i18n.py check     # exit 1 if a .po lacks a msgid of the .pot or has an untranslated one

Needs Babel (in the `test` extra).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "retreat" / "locale"
POT = LOCALE / "retreat.pot"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "t": None}


def extract() -> Catalog:
    catalog = Catalog(project="retreat", charset="utf-8")
    sources = [
        (ROOT / "retreat", [("**.py", "python")], {}),
        (ROOT / "templates", [("**.j2", "jinja2")], {"**.j2": {"newstyle_gettext": "true", "trim_blocks": "true", "lstrip_blocks": "true"}}),
    ]
    for folder, method_map, options in sources:
        for filename, lineno, message, comments, context in extract_from_dir(
            folder, method_map, options_map=options, keywords=KEYWORDS
        ):
            location = (str((folder / filename).relative_to(ROOT)), lineno)
            catalog.add(message, None, [location], auto_comments=comments, context=context)
    add_cli_help(catalog)
    return catalog


def add_cli_help(catalog: Catalog) -> None:
    """The commands' help texts: shown translated by retreat.cli.common.translate_help."""
    import typer

    from retreat.cli.main import app

    root = typer.main.get_command(app)
    commands = [root, *getattr(root, "commands", {}).values()]
    for command in commands:
        texts = [command.help, *(getattr(p, "help", None) for p in command.params)]
        for text in texts:
            if text:
                catalog.add(text, None, [(f"retreat {command.name or ''} --help".strip(), 0)])


def po_files() -> list[Path]:
    return sorted(LOCALE.glob("*/LC_MESSAGES/retreat.po"))


def compile_po(po: Path) -> bytes:
    with po.open("rb") as f:
        catalog = read_po(f)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def _key(msgid: str | tuple[str, ...]) -> str:
    """Plural entries are (singular, plural); they are known by their singular."""
    return msgid if isinstance(msgid, str) else msgid[0]


def _translated(string: str | tuple[str, ...] | None) -> bool:
    if isinstance(string, tuple):
        return all(string)
    return bool(string)


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "extract":
        with POT.open("wb") as f:
            write_po(f, extract(), omit_header=False, sort_output=True, include_lineno=False)
        return 0
    if command == "update":
        template = extract()
        for po in po_files():
            with po.open("rb") as f:
                catalog = read_po(f)
            catalog.update(template, no_fuzzy_matching=True)
            with po.open("wb") as f:
                write_po(f, catalog, sort_output=True, include_lineno=False, ignore_obsolete=True)
        return 0
    if command == "compile":
        for po in po_files():
            po.with_suffix(".mo").write_bytes(compile_po(po))
        return 0
    if command == "check":
        wanted = {_key(m.id) for m in extract() if m.id}
        bad = 0
        for po in po_files():
            with po.open("rb") as f:
                catalog = read_po(f)
            have = {_key(m.id): m.string for m in catalog if m.id}
            for msgid in sorted(wanted):
                if not _translated(have.get(msgid)):
                    print(f"{po.relative_to(ROOT)}: untranslated: {msgid!r}")
                    bad += 1
        return 1 if bad else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
