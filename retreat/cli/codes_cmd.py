"""`retreat codes`: one-time join codes for phones, printed on slips; revoke a lost one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from retreat.cli.common import new_app

app = new_app()


@app.command()
def codes(
    session: Annotated[Path, typer.Argument(help="The session file (.retreat) the codes are for.")],
    count: Annotated[int, typer.Option("-n", "--count", min=1, max=2000, help="How many codes.")] = 60,
    group: Annotated[
        str | None, typer.Option("--group", help="A working group id: its codes vote in that group.")
    ] = None,
    output: Annotated[
        Path, typer.Option("-o", "--output", help="The printable page (self-contained HTML).")
    ] = Path("codes.html"),
    revoke: Annotated[
        list[str] | None, typer.Option("--revoke", help="Revoke a code (lost or misused); repeatable.")
    ] = None,
    agenda: Annotated[
        Path | None,
        typer.Option("--agenda", help="Create SESSION from this agenda if it does not exist yet (codes printed "
                                      "before the meeting; then: retreat run AGENDA --session SESSION --resume)."),
    ] = None,
    open_page: Annotated[
        bool, typer.Option("--open", help="Open the page in the default browser, to print it.")
    ] = False,
) -> None:
    """Print one-time codes for joining from phones (retreat run --participate).

    Each code lets one phone vote once per vote (it may change its ballot while the vote is
    open) and send questions. The session stores only salted hashes of the codes: the page
    written here is the only copy in clear, so print it and delete it.
    """
    from retreat import i18n
    from retreat.clock import MonotonicClock
    from retreat.errors import UsageError
    from retreat.files import write_text
    from retreat.meeting import phone_codes
    from retreat.meeting.engine import Command
    from retreat.meeting.session import load, record

    if agenda is not None and not session.exists() and not revoke:
        _create(session, agenda, group)
    elif not session.exists():
        from retreat.errors import UsageError
        from retreat.i18n import _

        raise UsageError(_("{path}: no such session file; to print codes before the meeting, make it from the "
                           "agenda: retreat codes {path} --agenda AGENDA.yaml -n 60").format(path=session))
    existing = load(session)
    i18n.set_language(existing.agenda.language)
    _ = i18n._
    clock = MonotonicClock()
    from retreat.meeting.engine import Cmd

    if revoke:
        for code in revoke:
            digest = phone_codes.find_code(existing.state.codes, code)
            if digest is None:
                raise UsageError(_("{code} is not a code of {path}").format(code=code, path=session))
            record(session, Command(Cmd.REVOKE_CODE, digest), clock)
            typer.echo(_("Revoked {code}.").format(code=phone_codes.normalise_code(code)))
        return
    fresh = [phone_codes.new_code() for _n in range(count)]
    record(session, Command(Cmd.ISSUE_CODES, phone_codes.issued(fresh, group)), clock)
    group_name = next((g.name for g in existing.agenda.groups if g.id == group), "")
    write_text(output, slips_page(existing.agenda.meeting.title, existing.agenda.language, fresh, group_name))
    typer.echo(_("{n} codes stored (hashed) in {session}; slips to print: {out}").format(
        n=count, session=session, out=output))
    if open_page:
        from retreat.platforms import open_in_browser

        if not open_in_browser(output):  # Windows: os.startfile; Linux, UOS, 麒麟: xdg-open; macOS: open
            typer.echo(_("No browser could be started here; open {out} yourself.").format(out=output), err=True)


def _create(session: Path, agenda_file: Path, group: str | None) -> None:
    """A session made ahead of the meeting: nothing is started, nothing counts as downtime."""
    from retreat import agenda as agenda_mod
    from retreat import i18n
    from retreat.clock import MonotonicClock
    from retreat.errors import UsageError
    from retreat.meeting.session import Session

    agenda = agenda_mod.load(agenda_file)  # a bad agenda is reported before anything is created
    if group is not None and group not in {g.id for g in agenda.groups}:
        i18n.set_language(agenda.language)
        names = ", ".join(g.id for g in agenda.groups) or "-"
        raise UsageError(i18n._('"{group}" is not a working group of this meeting; one of: {names}').format(
            group=group, names=names))
    Session.create(session, agenda, MonotonicClock()).close()


def slips_page(title: str, lang: str, codes: list[str], group: str) -> str:
    """A page of slips to cut out: A4, 3 columns, no external asset."""
    from html import escape

    from retreat.i18n import translator
    from retreat.meeting.phone_codes import shown

    t = translator(lang).gettext
    how = t("Join on your phone: connect to the room's Wi-Fi, scan the code on the screen, type this code.")
    once = t("One vote per code and per vote. Keep this slip to yourself.")
    label = escape(f"{title} · {group}" if group else title)
    slips = "".join(
        f'<div class="slip"><div class="t">{label}</div><div class="c">{escape(shown(c))}</div>'
        f'<div class="h">{escape(how)}<br>{escape(once)}</div></div>'
        for c in codes
    )
    return (
        f'<!doctype html><html lang="{escape(lang)}"><head><meta charset="utf-8"><title>{label}</title><style>'
        "@page{size:A4;margin:10mm}body{font-family:system-ui,\"Noto Sans CJK SC\",sans-serif;margin:0}"
        ".grid{display:grid;grid-template-columns:repeat(3,1fr)}"
        ".slip{border:1px dashed #888;padding:4mm;height:38mm;break-inside:avoid;overflow:hidden}"
        ".t{font-size:9pt}.c{font:bold 20pt/1.6 ui-monospace,\"DejaVu Sans Mono\",monospace;letter-spacing:.08em}"
        ".h{font-size:7.5pt;color:#333}"
        f'</style></head><body><div class="grid">{slips}</div></body></html>'
    )
