"""The addresses of the room's pages, from where the phone server listens and its tokens.

Plain strings only (no web stack): `retreat links` builds the same addresses the running
server prints, from what it stored in the session's scratch table when it started.
"""

from __future__ import annotations

SERVER_SPACE = "server"  # scratch space: "url" where the phone server listens, "desk" its desk token
URL, DESK = "url", "desk"
PAGES = ("join", "timer", "agenda", "stage", "desk")  # `retreat links --format json` keys, in order


def join_url(url: str, pin: str | None) -> str:
    """What the QR code opens: with a PIN meeting, the join page with the PIN filled in."""
    return f"{url}?pin={pin}" if pin else url


def view_url(url: str, page: str, view_token: str) -> str:
    """A read-only view of the room (timer, agenda, stage)."""
    return f"{url}{page}?v={view_token}"


def desk_url(url: str, desk_token: str) -> str:
    return f"{url}desk?t={desk_token}"


def room_links(url: str, *, view_token: str, desk_token: str, pin: str | None) -> dict[str, str]:
    """Every page of the room, keyed as PAGES: full URLs."""
    links = {"join": join_url(url, pin)}
    links.update({page: view_url(url, page, view_token) for page in ("timer", "agenda", "stage")})
    links["desk"] = desk_url(url, desk_token)
    return links
