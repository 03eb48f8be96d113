"""The pages a phone sees: join with a code or the PIN, rank and submit a ballot, ask a
question, switch language.

A phone is told "received" only after its event is committed: its command goes through
`Gate.together_async`, which answers it only once the batch it was committed in is durable.
A ballot and its owner's link are committed together, so a phone can change its own ballot
while the vote is open and never gets a second one.

A ballot's POST is answered with the "received" ballot page itself, rendered in the batch
that committed it, not with a redirect to it (a join's with the home page, likewise): when a hall votes at once, the redirect was a
second request per phone (one more round trip on a crowded Wi-Fi, and half the server's
work). A line of script turns the page's address into /vote?received=1, so reloading it
reads the page again instead of sending the form; a browser without script would offer to
resend the form, which its idempotency key makes harmless (nothing is recorded twice).
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from retreat.errors import CommandRefused
from retreat.meeting import ballot_box
from retreat.meeting.engine import Cmd
from retreat.voting.ballots import is_digits
from retreat.web import pages
from retreat.web.gate import Busy
from retreat.web.phones import CSRF_COOKIE, LANG_COOKIE, LANGUAGES, PHONE_COOKIE, Phone

if TYPE_CHECKING:
    from retreat.meeting.ballot_box import Ballot, VoteState
    from retreat.meeting.session import Session
    from retreat.web.app import Participation


RECEIVED, JOINED = "/vote?received=1", "/?joined=1"  # what a POST's page reads as, once shown


def _addressed(page: str, address: str) -> str:
    """A POST's answer that the browser files under `address`: reloading it reads that page
    again instead of sending the form again."""
    end = "</body></html>"
    return page.removesuffix(end) + f'<script>history.replaceState(null,"","{address}")</script>{end}'


class PhoneRoutes:
    def __init__(self, part: Participation) -> None:
        self.part = part

    def routes(self) -> list[Route]:
        speaks = self.part.speaks
        return [
            Route("/", speaks(self.index)), Route("/join", speaks(self.join), methods=["POST"]),
            Route("/vote", speaks(self.vote_page)), Route("/vote", speaks(self.vote_submit), methods=["POST"]),
            Route("/ask", speaks(self.ask_page)), Route("/ask", speaks(self.ask_submit), methods=["POST"]),
            Route("/lang", self.switch),
        ]

    # --- joining ----------------------------------------------------------------------------

    async def index(self, request: Request) -> Response:
        part = self.part
        if await part.phone_of(request) is None:
            return self.join_page(request)
        title = await part.together(_open_vote_title)
        return self.home(title, joined=bool(request.query_params.get("joined")))

    def home(self, title: str | None, joined: bool, address: str = "") -> Response:
        """The home page (`address`: as for `ballot_page`)."""
        part = self.part
        notice = part.t("You have joined.") if joined else ""
        text = pages.home(part.t, part.lang, part.meeting, title, notice)
        return part.html(_addressed(text, address) if address else text)

    def join_page(self, request: Request) -> Response:
        """The code or PIN form; a PIN in the address (the QR code's) is filled in."""
        part = self.part
        csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(16)
        typed = "".join(ch for ch in request.query_params.get("pin", "")[:12] if ch.isdigit())
        response = part.html(pages.join(part.t, part.lang, part.meeting, csrf, pin=part.by_pin, typed=typed))
        response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict")
        return part.remember(response, part.visitor_of(request)[1])

    async def join(self, request: Request) -> Response:
        """Wrong codes or PINs are counted per browser (and for the room), never per address."""
        visitor, cookie = self.part.visitor_of(request)
        try:
            response = await self.try_to_join(request, visitor)
        except Busy:
            response = self.part.busy()
        return self.part.remember(response, cookie)

    async def try_to_join(self, request: Request, visitor: str) -> Response:
        part, t = self.part, self.part.t
        data = await part.form(request)
        if data is None:
            return part.too_big()
        csrf = request.cookies.get(CSRF_COOKIE, "")
        if not csrf or not secrets.compare_digest(csrf, data.get("csrf", "")):
            return part.bad_csrf()
        if part.phones.tries.limited(visitor):
            wrong = t("Too many wrong PINs. Wait a minute, then try again.") if part.by_pin else \
                t("Too many wrong codes. Wait a minute, then try again.")
            return part.refuse(429, t("Too many tries"), wrong)
        code = data.get("code", "")[:20]
        token, title = await part.join_with(code, _open_vote_title)
        if token is None:
            part.phones.tries.failed(visitor)
            return self.wrong_code(csrf)
        response = self.home(title, joined=True, address=JOINED)  # the page itself, as for a ballot
        response.set_cookie(PHONE_COOKIE, token, httponly=True, samesite="strict")
        return response

    def wrong_code(self, csrf: str) -> Response:
        part, t = self.part, self.part.t
        wrong = t("That PIN is not right. Check the screen and try again.") if part.by_pin else \
            t("That code is not valid. Check it and try again.")
        return part.html(pages.join(t, part.lang, part.meeting, csrf, wrong, pin=part.by_pin), 403)

    # --- voting -----------------------------------------------------------------------------

    async def vote_page(self, request: Request) -> Response:
        phone = await self.part.joined(request)
        if isinstance(phone, Response):
            return phone
        received = request.query_params.get("received") == "1"
        return await self.part.together(lambda s: self.ballot_page(s, phone, received))

    async def vote_submit(self, request: Request) -> Response:
        checked = await self.part.posted(request)
        if isinstance(checked, Response):
            return checked
        phone, data = checked
        return await self.part.together(lambda s: self.cast(s, phone, data))

    def ballot_page(self, session: Session, phone: Phone, received: bool, error: str = "",
                    typed: str = "", status: int = 200, address: str = "", bid: str | None = None) -> Response:
        """The ballot (`address`: the one the browser should show for it, when it was a POST's
        answer; `bid`: the phone's ballot id, when the caller has just read or written it)."""
        part = self.part
        vote, refusal = self.phone_vote(session)
        if vote is None:
            return refusal
        if part.revoked(phone):
            return part.code_revoked()
        if bid is None:
            bid = session.store.scratch_get(ballot_box.LINK_SPACE + vote.key, phone.code)
        mine = ballot_box.find_ballot(vote, bid) if bid else None
        text = pages.ballot(
            part.t, part.lang, title=session.state.item.item.title, vote_key=vote.key,
            titles=vote.titles, ranking=_ranking(vote, mine, typed), ranks=vote.ranks, csrf=phone.csrf,
            key=secrets.token_urlsafe(12), groups=_groups(session, vote, phone, mine),
            received=received and mine is not None, error=error,
        )
        return part.html(_addressed(text, address) if address else text, status)

    def phone_vote(self, session: Session) -> tuple[VoteState | None, Response]:
        """The vote a phone may cast in now, or the page that says why it may not."""
        part, t = self.part, self.part.t
        try:
            vote = session.state.vote()
        except CommandRefused:
            return None, part.refuse(403, t("No vote is open"), t("No vote is open just now."))
        if vote.closed or vote.revealed or session.state.ended_at is not None:
            return None, part.refuse(403, t("Voting is closed"),
                                     t("This vote is closed: no more ballots can be cast or changed."))
        if vote.group_vote:
            return None, part.refuse(403, t("Group ranking"),
                                     t("In this vote each working group hands in one ranking at the desk."))
        return vote, part.html("")

    def cast(self, session: Session, phone: Phone, data: dict[str, str]) -> Response:
        vote, refusal = self.phone_vote(session)
        if vote is None:
            return refusal
        if self.part.revoked(phone):
            return self.part.code_revoked()
        if data.get("vote") != vote.key:
            changed = self.part.t("The vote on the screen has changed: rank again.")
            return self.ballot_page(session, phone, False, changed, status=409)
        ranking = data.get("ranking", "")[:200]
        try:
            bid = _cast_or_replace(session, vote, phone, data, ranking)
        except CommandRefused as e:
            return self.ballot_page(session, phone, False, str(e), typed=ranking, status=422)
        return self.ballot_page(session, phone, True, address=RECEIVED, bid=bid)  # sent once the batch is durable

    # --- questions --------------------------------------------------------------------------

    async def ask_page(self, request: Request) -> Response:
        part = self.part
        phone = await part.joined(request)
        if isinstance(phone, Response):
            return phone
        received = request.query_params.get("received") == "1"
        return part.html(pages.ask(part.t, part.lang, csrf=phone.csrf, key=secrets.token_urlsafe(12),
                                   received=received))

    async def ask_submit(self, request: Request) -> Response:
        part = self.part
        checked = await part.posted(request)
        if isinstance(checked, Response):
            return checked
        phone, data = checked
        if part.revoked(phone):
            return part.code_revoked()
        value = {"text": data.get("text", ""), "group": phone.group, "key": data.get("key", "")[:40]}
        try:
            await part.together(lambda s: s.handle(Cmd.PROPOSE_QUESTION, value))
        except CommandRefused as e:
            return part.html(pages.ask(part.t, part.lang, csrf=phone.csrf, key=secrets.token_urlsafe(12),
                                       received=False, error=str(e)), 422)
        return RedirectResponse("/ask?received=1", 303)

    # --- language ---------------------------------------------------------------------------

    async def switch(self, request: Request) -> Response:
        """A phone reads the pages in the other language; back to the page it came from."""
        chosen = request.query_params.get("to", "")
        back = urlsplit(request.headers.get("referer", ""))
        here = back.path if back.netloc == request.url.netloc and back.path.startswith("/") else "/"
        response = RedirectResponse(here + (f"?{back.query}" if back.query and here == back.path else ""), 303)
        if chosen in LANGUAGES:
            response.set_cookie(LANG_COOKIE, chosen, httponly=True, samesite="strict")
        return response


def _open_vote_title(session: Session) -> str | None:
    state = session.state
    if state.item.item.kind != "vote" or not ballot_box.open_to_phones(state.vote(), state.ended_at is not None):
        return None
    return state.item.item.title


def _ranking(vote: VoteState, mine: Ballot | None, typed: str) -> list[int]:
    """The numbers to show ticked: what the phone just typed (refused), else its ballot's."""
    if typed:
        return [int(x) for x in typed.split() if is_digits(x) and 1 <= int(x) <= len(vote.candidates)]
    return [vote.candidates.index(c) + 1 for c in mine.ranking] if mine else []


def _groups(session: Session, vote: VoteState, phone: Phone, mine: Ballot | None) -> list[tuple[str, str]]:
    """The groups a phone may vote in, when its code does not say (a PIN, or a code without a group)."""
    if not vote.groups or phone.group:
        return []
    groups = [(g.id, g.name) for g in session.agenda.groups if g.id in vote.groups]
    if mine is not None and groups:  # a change keeps the ballot's group: offer only that one
        groups = [(g, name) for g, name in groups if g == mine.group]
    return groups


def _cast_or_replace(session: Session, vote: VoteState, phone: Phone, data: dict[str, str], ranking: str) -> str:
    """The phone's first ballot in this vote, or a new ranking for the one it cast; its id."""
    key = data.get("key", "")[:40]
    space = ballot_box.LINK_SPACE + vote.key
    bid = session.store.scratch_get(space, phone.code) or secrets.token_hex(16)
    if ballot_box.find_ballot(vote, bid) is None:
        # The ballot and its owner's link are committed together: never one without the other.
        session.handle(Cmd.CAST, {"ballot": bid, "ranking": ranking, "group": phone.group or data.get("group"),
                                  "source": ballot_box.PHONE, "key": key}, scratch=[(space, phone.code, bid)])
    else:
        session.handle(Cmd.REPLACE_BALLOT, {"ballot": bid, "ranking": ranking, "key": key})
    return bid
