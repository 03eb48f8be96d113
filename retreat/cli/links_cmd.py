"""`retreat links`: the addresses of the room's pages, while the meeting's phone server runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from retreat.cli.common import LangOption, choose_language, new_app

app = new_app()

PROBE_SECONDS = 1.0  # a server on this laptop or its LAN answers well within this


@app.command()
def links(
    session: Annotated[Path, typer.Argument(help="The session file (.retreat) of the meeting being run.")],
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    lang: LangOption = None,
) -> None:
    """Print the addresses of the room's pages (phones, podium timer, agenda, stage, desk).

    Only while `retreat run --participate` serves this session: the address it listens on is
    asked first, and when nothing answers there this says so and exits 2.
    """
    import json

    from retreat import i18n
    from retreat.errors import UsageError
    from retreat.meeting.session import replay
    from retreat.meeting.store import Store
    from retreat.web import addresses

    if fmt not in ("text", "json"):
        raise UsageError(i18n._("--format takes text or json, not {fmt}").format(fmt=fmt))
    with Store.open(session, readonly=True) as store:
        agenda, state = replay(store)
        stored = store.scratch(addresses.SERVER_SPACE)
    choose_language(lang, agenda.language)
    _ = i18n._
    url, desk = stored.get(addresses.URL), stored.get(addresses.DESK)
    if not url or not desk or not state.view_token:
        raise UsageError(_("{path} has not been served to phones: start it with "
                           "retreat run --resume --participate --session {path}").format(path=session))
    pages = addresses.room_links(url, view_token=state.view_token, desk_token=desk, pin=state.codes.pin)
    if not answers(pages["timer"]):
        raise UsageError(_("Nothing answers at {url}: the phone server of {path} is not running (it was quit, "
                           "stopped or killed); carry on with retreat run --resume --participate --session "
                           "{path}").format(url=url, path=session))
    if fmt == "json":
        typer.echo(json.dumps(pages, ensure_ascii=False, indent=2))
    else:
        typer.echo(text(pages))


def answers(url: str, timeout: float = PROBE_SECONDS) -> bool:
    """Whether this meeting's server answers at `url` (a view page, which checks the view token)."""
    import http.client
    import urllib.error
    import urllib.request

    # No proxy: the server is on this laptop or its LAN, never behind the office's proxy.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as answer:
            return int(answer.status) == 200
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError):  # refused, timed out, not HTTP
        return False


def text(pages: dict[str, str]) -> str:
    """One line a page: its label (in the meeting's language), aligned by display width, and its URL."""
    from rich.cells import cell_len

    from retreat.i18n import _

    labels = {
        "join": _("Phones join"),
        "timer": _("Podium timer"),
        "agenda": _("Agenda"),
        "stage": _("Stage in a browser"),
        "desk": _("Questions desk (facilitator only)"),
    }
    width = max(cell_len(label) for label in labels.values())
    return "\n".join(f"{labels[k]}{' ' * (width - cell_len(labels[k]))}  {url}" for k, url in pages.items())
