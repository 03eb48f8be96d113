"""The participation web app (Starlette): join with a code or the meeting's PIN, rank and
submit, ask a question.

Beside the log, in the session's scratch table (so a crash or a restart forgets nothing):
which phone (cookie, stored hashed) joined with which code, and for each open vote which
code owns which ballot id, so its owner can change it and nobody gets a second ballot.
The session destroys a vote's links as soon as it closes; the log never sees a code or a
phone, only opaque ballot ids.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import parse_qs, urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from retreat import phone_codes
from retreat import votes as ballot_box
from retreat.engine import Cmd
from retreat.errors import CommandRefused
from retreat.i18n import translator
from retreat.web import pages
from retreat.web.gate import Busy, Gate

if TYPE_CHECKING:
    from retreat.session import Session
    from retreat.votes import VoteState

MAX_BODY = 4096  # bytes: a ballot or a question fits many times over
# Wrong codes or PINs. Per phone means per browser (its visitor cookie), not per network
# address: a hall's Wi-Fi behind NAT, or a proxy, shows every phone with the same address.
MAX_FAILS_PER_PHONE = 5  # wrong tries per visitor per window
MAX_FAILS_TOTAL = 60  # wrong tries from everyone per window (slows a room-wide guessing attempt)
FAIL_WINDOW = 60.0  # seconds
T = TypeVar("T")
PHONE_COOKIE, CSRF_COOKIE, LANG_COOKIE = "rt_phone", "rt_csrf", "rt_lang"
VISITOR_COOKIE = "rt_visitor"  # a browser's own id (random, signed by this server), for counting wrong tries
LANGUAGES = ("zh-CN", "en")
PHONES = "phones"  # scratch space: sha256(cookie) -> {code, group, csrf}


@dataclass
class Phone:
    code: str  # the code's stored hash, or PIN_PHONE + a device id
    group: str | None
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(16))

    def dump(self) -> str:
        return json.dumps({"code": self.code, "group": self.group, "csrf": self.csrf})

    @classmethod
    def load(cls, text: str) -> Phone:
        data = json.loads(text)
        return cls(str(data["code"]), data.get("group"), str(data["csrf"]))


def cookie_key(token: str) -> str:
    """What the store keeps of a phone's cookie: a copied session file lets nobody act as that phone."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class WrongTries:
    """Wrong codes or PINs in the last FAIL_WINDOW seconds: per visitor, and for the whole room.

    A browser that drops its visitor cookie comes back as a fresh visitor: the room-wide
    count is what bounds a guesser. Only visitors with a wrong try in the window are kept."""

    clock: Callable[[], float]
    room: deque[float] = field(default_factory=deque)
    visitors: dict[str, deque[float]] = field(default_factory=dict)

    def _forget(self, now: float) -> None:
        cutoff = now - FAIL_WINDOW
        for key, tries in [("", self.room), *self.visitors.items()]:
            while tries and tries[0] <= cutoff:
                tries.popleft()
            if key and not tries:
                del self.visitors[key]

    def limited(self, visitor: str) -> bool:
        self._forget(self.clock())
        mine = self.visitors.get(visitor, ())
        return len(mine) >= MAX_FAILS_PER_PHONE or len(self.room) >= MAX_FAILS_TOTAL

    def failed(self, visitor: str) -> None:
        now = self.clock()
        self.room.append(now)
        self.visitors.setdefault(visitor, deque()).append(now)


@dataclass
class Participation:
    gate: Gate
    desk_token: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    clock: Callable[[], float] = time.monotonic
    phones: dict[str, Phone] = field(default_factory=dict)  # cookie -> phone (a cache of the store's)
    desk_csrf: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    tries: WrongTries = field(init=False)
    _secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)

    def __post_init__(self) -> None:
        self.tries = WrongTries(self.clock)

    def _sign(self, token: str) -> str:
        return hmac.new(self._secret, token.encode(), hashlib.sha256).hexdigest()[:32]

    def visitor(self, cookie: str) -> str | None:
        """The visitor id in a cookie this server set; None for a missing, altered or foreign one."""
        token, _, signature = cookie[:100].partition(".")
        return token if token and secrets.compare_digest(signature, self._sign(token)) else None

    def new_visitor(self) -> tuple[str, str]:
        """A fresh visitor id and the cookie that carries it."""
        token = secrets.token_urlsafe(16)
        return token, f"{token}.{self._sign(token)}"

    def phone(self, session: Session, token: str) -> Phone | None:
        if not token:
            return None
        if token not in self.phones:
            stored = session.store.scratch_get(PHONES, cookie_key(token))
            if stored is None:
                return None
            self.phones[token] = Phone.load(stored)
        return self.phones[token]

    def add_phone(self, session: Session, phone: Phone) -> str:
        token = secrets.token_urlsafe(24)
        session.store.put_scratch(PHONES, cookie_key(token), phone.dump())
        self.phones[token] = phone
        return token


def create_app(gate: Gate, *, clock: Callable[[], float] = time.monotonic, desk_token: str | None = None) -> Starlette:
    part = Participation(gate, clock=clock)
    if desk_token:
        part.desk_token = desk_token
    speaking: ContextVar[str] = ContextVar("speaking", default=gate.session.agenda.language)

    def t(message: str) -> str:
        """In the language this phone chose (the meeting's, unless it switched)."""
        return translator(speaking.get()).gettext(message)

    def speaks(endpoint: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        async def wrapped(request: Request) -> Response:
            chosen = request.cookies.get(LANG_COOKIE, "")
            if chosen in LANGUAGES:
                speaking.set(chosen)
            return await endpoint(request)
        return wrapped
    meeting = gate.session.agenda.meeting.title
    by_pin = gate.session.agenda.meeting.join == "pin"

    async def locked(fn: Callable[[Session], T]) -> T:
        """Run `fn` under the gate's lock in a worker thread: waiting for the stage never stalls the server."""
        return await run_in_threadpool(gate.run, fn)

    def html(text: str, status: int = 200) -> HTMLResponse:
        return HTMLResponse(text, status, headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                                                   "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                                                   "script-src 'unsafe-inline'; form-action 'self'"})

    def refuse(status: int, title: str, message: str) -> HTMLResponse:
        return html(pages.refusal(t, speaking.get(), title, message), status)

    async def form(request: Request) -> dict[str, str] | None:
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return None
        try:
            fields = parse_qs(body.decode("utf-8"), max_num_fields=20)
        except (UnicodeDecodeError, ValueError):
            return None
        return {k: v[0] for k, v in fields.items()}

    async def phone_of(request: Request) -> Phone | None:
        token = request.cookies.get(PHONE_COOKIE, "")
        if not token:
            return None
        if token in part.phones:
            return part.phones[token]
        return await locked(lambda s: part.phone(s, token))  # joined before a restart

    def busy() -> HTMLResponse:
        return refuse(503, t("Busy"), t("The laptop is busy for a moment. Nothing was lost: send it again."))

    def too_big() -> HTMLResponse:
        return refuse(413, t("Too long"), t("That was too long to send."))

    def bad_csrf() -> HTMLResponse:
        return refuse(403, t("Refused"), t("This form has expired. Go back, reload the page and send it again."))

    def rejoin() -> Response:
        return RedirectResponse("/", 303)

    async def index(request: Request) -> Response:
        try:
            phone = await phone_of(request)
        except Busy:
            return busy()
        if phone is None:
            csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(16)
            typed = "".join(ch for ch in request.query_params.get("pin", "")[:12] if ch.isdigit())
            response = html(pages.join(t, speaking.get(), meeting, csrf, pin=by_pin, typed=typed))
            response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict")
            return remember(response, visitor_of(request)[1])
        try:
            title = await locked(lambda s: _open_vote_title(s))
        except Busy:
            return busy()
        notice = t("You have joined.") if request.query_params.get("joined") else ""
        return html(pages.home(t, speaking.get(), meeting, title, notice))

    def visitor_of(request: Request) -> tuple[str, str | None]:
        """This browser's visitor id, and the cookie to give it when it has none (or one not ours)."""
        known = part.visitor(request.cookies.get(VISITOR_COOKIE, ""))
        return (known, None) if known else part.new_visitor()

    def remember(response: Response, cookie: str | None) -> Response:
        if cookie:
            response.set_cookie(VISITOR_COOKIE, cookie, httponly=True, samesite="strict")
        return response

    async def join(request: Request) -> Response:
        """Wrong codes or PINs are counted per browser (and for the room), never per address."""
        visitor, cookie = visitor_of(request)
        return remember(await try_to_join(request, visitor), cookie)

    async def try_to_join(request: Request, visitor: str) -> Response:
        data = await form(request)
        if data is None:
            return too_big()
        csrf = request.cookies.get(CSRF_COOKIE, "")
        if not csrf or not secrets.compare_digest(csrf, data.get("csrf", "")):
            return bad_csrf()
        if part.tries.limited(visitor):
            wrong = t("Too many wrong PINs. Wait a minute, then try again.") if by_pin else \
                t("Too many wrong codes. Wait a minute, then try again.")
            return refuse(429, t("Too many tries"), wrong)
        code = data.get("code", "")[:20]

        def check(session: Session) -> str | None:
            """The new phone's cookie, if the code (or the PIN) lets it in."""
            book = session.state.codes
            if by_pin:
                digits = "".join(ch for ch in code if ch.isdigit())
                if book.pin is None or not secrets.compare_digest(digits, book.pin):
                    return None
                return part.add_phone(session, Phone(phone_codes.PIN_PHONE + secrets.token_hex(16), None))
            digest = phone_codes.find_code(book, code)
            if digest is None or not book.valid(digest):
                return None
            return part.add_phone(session, Phone(digest, book.groups.get(digest)))

        try:
            token = await locked(check)
        except Busy:
            return busy()
        if token is None:
            part.tries.failed(visitor)
            wrong = t("That PIN is not right. Check the screen and try again.") if by_pin else \
                t("That code is not valid. Check it and try again.")
            return html(pages.join(t, speaking.get(), meeting, csrf, wrong, pin=by_pin), 403)
        response = RedirectResponse("/?joined=1", 303)
        response.set_cookie(PHONE_COOKIE, token, httponly=True, samesite="strict")
        return response

    def revoked(phone: Phone) -> bool:
        return not gate.session.state.codes.valid(phone.code)

    async def joined(request: Request) -> Phone | Response:
        """This request's phone, or the page for one that has not joined (or must wait)."""
        try:
            phone = await phone_of(request)
        except Busy:
            return busy()
        return rejoin() if phone is None else phone

    async def vote_page(request: Request) -> Response:
        phone = await joined(request)
        if isinstance(phone, Response):
            return phone
        try:
            return await locked(lambda s: _ballot_page(s, phone, request.query_params.get("received") == "1"))
        except Busy:
            return busy()

    def _ballot_page(session: Session, phone: Phone, received: bool, error: str = "",
                     typed: str = "", status: int = 200) -> Response:
        vote, refusal = _phone_vote(session)
        if vote is None:
            return refusal
        if revoked(phone):
            return refuse(403, t("Refused"), t("This code has been revoked."))
        bid = session.store.scratch_get(ballot_box.LINK_SPACE + vote.key, phone.code)
        mine = ballot_box.find_ballot(vote, bid) if bid else None
        ranking = [vote.candidates.index(c) + 1 for c in mine.ranking] if mine else []
        if typed:
            ranking = [int(x) for x in typed.split() if x.isdigit() and 1 <= int(x) <= len(vote.candidates)]
        groups = [(g.id, g.name) for g in session.agenda.groups if g.id in vote.groups] if vote.groups and not phone.group else []
        if mine is not None and groups:  # a change keeps the ballot's group: offer only that one
            groups = [(g, name) for g, name in groups if g == mine.group]
        return html(pages.ballot(
            t, speaking.get(), title=session.state.item.item.title, vote_key=vote.key,
            titles=vote.titles, ranking=ranking, ranks=vote.ranks, csrf=phone.csrf,
            key=secrets.token_urlsafe(12), groups=groups, received=received and mine is not None, error=error,
        ), status)

    def _phone_vote(session: Session) -> tuple[VoteState | None, Response]:
        try:
            vote = session.state.vote()
        except CommandRefused:
            return None, refuse(403, t("No vote is open"), t("No vote is open just now."))
        if vote.closed or vote.revealed or session.state.ended_at is not None:
            return None, refuse(403, t("Voting is closed"), t("This vote is closed: no more ballots can be cast or changed."))
        if vote.group_vote:
            return None, refuse(403, t("Group ranking"), t("In this vote each working group hands in one ranking at the desk."))
        return vote, html("")

    async def posted(request: Request) -> tuple[Phone, dict[str, str]] | Response:
        """A phone's form, or the page that refuses it (no phone, too big, bad CSRF token)."""
        phone = await joined(request)
        if isinstance(phone, Response):
            return phone
        data = await form(request)
        if data is None:
            return too_big()
        if not secrets.compare_digest(phone.csrf, data.get("csrf", "")):
            return bad_csrf()
        return phone, data

    async def vote_submit(request: Request) -> Response:
        checked = await posted(request)
        if isinstance(checked, Response):
            return checked
        phone, data = checked
        try:
            return await locked(lambda s: _cast(s, phone, data))
        except Busy:
            return busy()

    def _cast(session: Session, phone: Phone, data: dict[str, str]) -> Response:
        vote, refusal = _phone_vote(session)
        if vote is None:
            return refusal
        if revoked(phone):
            return refuse(403, t("Refused"), t("This code has been revoked."))
        if data.get("vote") != vote.key:
            return _ballot_page(session, phone, False, t("The vote on the screen has changed: rank again."), status=409)
        key = data.get("key", "")[:40]
        ranking = data.get("ranking", "")[:200]
        space = ballot_box.LINK_SPACE + vote.key
        bid = session.store.scratch_get(space, phone.code) or secrets.token_hex(16)
        try:
            if ballot_box.find_ballot(vote, bid) is None:
                # The ballot and its owner's link are committed together: never one without the other.
                session.handle(Cmd.CAST, {"ballot": bid, "ranking": ranking, "group": phone.group or data.get("group"),
                                          "source": ballot_box.PHONE, "key": key}, scratch=[(space, phone.code, bid)])
            else:
                session.handle(Cmd.REPLACE_BALLOT, {"ballot": bid, "ranking": ranking, "key": key})
        except CommandRefused as e:
            return _ballot_page(session, phone, False, str(e), typed=ranking, status=422)
        return RedirectResponse("/vote?received=1", 303)

    async def ask_page(request: Request) -> Response:
        phone = await joined(request)
        if isinstance(phone, Response):
            return phone
        received = request.query_params.get("received") == "1"
        return html(pages.ask(t, speaking.get(), csrf=phone.csrf, key=secrets.token_urlsafe(12), received=received))

    async def ask_submit(request: Request) -> Response:
        checked = await posted(request)
        if isinstance(checked, Response):
            return checked
        phone, data = checked
        if revoked(phone):
            return refuse(403, t("Refused"), t("This code has been revoked."))
        value = {"text": data.get("text", ""), "group": phone.group, "key": data.get("key", "")[:40]}
        try:
            await locked(lambda s: s.handle(Cmd.PROPOSE_QUESTION, value))
        except Busy:
            return busy()
        except CommandRefused as e:
            return html(pages.ask(t, speaking.get(), csrf=phone.csrf, key=secrets.token_urlsafe(12), received=False,
                                  error=str(e)), 422)
        return RedirectResponse("/ask?received=1", 303)

    def _desk_allowed(request: Request) -> bool:
        return secrets.compare_digest(request.query_params.get("t", ""), part.desk_token)

    async def _desk_page() -> Response:
        rows = await locked(lambda s: [(p.pid, p.text, p.status) for p in s.state.qa.proposals.values()])
        pin = gate.session.state.codes.pin or ""
        return html(pages.desk(t, speaking.get(), token=part.desk_token, csrf=part.desk_csrf, proposals=rows,
                               pin=pin))

    async def desk_page(request: Request) -> Response:
        if not _desk_allowed(request):
            return refuse(403, t("Refused"), t("This page is for the facilitator."))
        try:
            return await _desk_page()
        except Busy:
            return busy()

    def _revoke(session: Session, code: str) -> None:
        digest = phone_codes.find_code(session.state.codes, code)
        if digest is None:
            raise CommandRefused(t("That code is not valid. Check it and try again."))
        session.handle(Cmd.REVOKE_CODE, digest)

    async def desk_submit(request: Request) -> Response:
        if not _desk_allowed(request):
            return refuse(403, t("Refused"), t("This page is for the facilitator."))
        data = await form(request)
        if data is None:
            return too_big()
        if not secrets.compare_digest(part.desk_csrf, data.get("csrf", "")):
            return bad_csrf()
        try:
            if "revoke" in data:
                await locked(lambda s: _revoke(s, data["revoke"][:20]))
            else:
                value = {k: data.get(k, "") for k in ("pid", "decision", "into")}
                await locked(lambda s: s.handle(Cmd.DECIDE_PROPOSAL, value))
        except Busy:
            return busy()
        except CommandRefused as e:
            return refuse(422, t("Refused"), str(e))
        return RedirectResponse(f"/desk?t={part.desk_token}", 303)

    async def switch(request: Request) -> Response:
        """A phone reads the pages in the other language; back to the page it came from."""
        chosen = request.query_params.get("to", "")
        back = urlsplit(request.headers.get("referer", ""))
        here = back.path if back.netloc == request.url.netloc and back.path.startswith("/") else "/"
        response = RedirectResponse(here + (f"?{back.query}" if back.query and here == back.path else ""), 303)
        if chosen in LANGUAGES:
            response.set_cookie(LANG_COOKIE, chosen, httponly=True, samesite="strict")
        return response

    app = Starlette(routes=[
        Route("/", speaks(index)), Route("/join", speaks(join), methods=["POST"]),
        Route("/vote", speaks(vote_page)), Route("/vote", speaks(vote_submit), methods=["POST"]),
        Route("/ask", speaks(ask_page)), Route("/ask", speaks(ask_submit), methods=["POST"]),
        Route("/desk", speaks(desk_page)), Route("/desk", speaks(desk_submit), methods=["POST"]),
        Route("/lang", switch),
    ])
    app.state.participation = part
    return app


def _open_vote_title(session: Session) -> str | None:
    state = session.state
    if state.item.item.kind != "vote" or not ballot_box.open_to_phones(state.vote(), state.ended_at is not None):
        return None
    return state.item.item.title
