"""The participation web app (Starlette): join with a code or the meeting's PIN, rank and
submit, ask a question.

Beside the log, in the session's scratch table (so a crash or a restart forgets nothing):
which phone (cookie, stored hashed) joined with which code, and for each open vote which
code owns which ballot id, so its owner can change it and nobody gets a second ballot.
The session destroys a vote's links as soon as it closes; the log never sees a code or a
phone, only opaque ballot ids.

`Participation` holds what every page shares; the pages themselves are in `phone_routes`
(join, vote, ask, language) and `desk_routes` (the facilitator's page), composed here.
"""

from __future__ import annotations

import gettext
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import parse_qs

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from retreat.i18n import translator
from retreat.meeting import phone_codes
from retreat.web import pages
from retreat.web.desk_routes import DeskRoutes
from retreat.web.gate import Busy, Gate
from retreat.web.phone_routes import PhoneRoutes
from retreat.web.phones import LANG_COOKIE, LANGUAGES, PHONE_COOKIE, VISITOR_COOKIE, Phone, Phones
from retreat.web.stream import Hub
from retreat.web.views import ViewRoutes

if TYPE_CHECKING:
    from retreat.meeting.session import Session

MAX_BODY = 4096  # bytes: a ballot or a question fits many times over
# Requests answered at once; beyond, a page saying to try again in a moment. A hall is 300
# phones and 100 views, a browser may open a few connections each: far below this.
MAX_IN_FLIGHT = 2000
T = TypeVar("T")
Endpoint = Callable[[Request], Awaitable[Response]]
SECURITY_HEADERS = {
    "Cache-Control": "no-store", "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
                               "form-action 'self'",
}
# The room's screens (/timer, /agenda, /stage) may also open their own event stream.
VIEW_HEADERS = {**SECURITY_HEADERS,
                "Content-Security-Policy": SECURITY_HEADERS["Content-Security-Policy"] + "; connect-src 'self'"}


class Participation:
    """What every page shares: the gate into the session, the phones and their wrong tries,
    the desk's token, the language a request speaks, and how a page is answered."""

    def __init__(self, gate: Gate, *, clock: Callable[[], float] = time.monotonic,
                 desk_token: str | None = None) -> None:
        self.gate = gate
        self.phones = Phones(clock)
        self.desk_token = desk_token or secrets.token_urlsafe(12)
        self.desk_csrf = secrets.token_urlsafe(16)
        meeting = gate.session.agenda.meeting
        self.meeting, self.by_pin = meeting.title, meeting.join == "pin"
        self._speaking: ContextVar[str] = ContextVar("speaking", default=gate.session.agenda.language)
        self._translators: dict[str, gettext.NullTranslations] = {}
        self._hashing: anyio.CapacityLimiter | None = None

    # --- language ---------------------------------------------------------------------------

    @property
    def lang(self) -> str:
        return self._speaking.get()

    def t(self, message: str) -> str:
        """In the language this phone chose (the meeting's, unless it switched)."""
        lang = self._speaking.get()
        found = self._translators.get(lang)
        if found is None:  # gettext looks the catalogue up on disk each time it is asked: once per language
            found = self._translators[lang] = translator(lang)
        return found.gettext(message)

    def speaks(self, endpoint: Endpoint) -> Endpoint:
        """An endpoint in the phone's chosen language, saying "busy" when the stage keeps the session."""
        async def wrapped(request: Request) -> Response:
            chosen = request.cookies.get(LANG_COOKIE, "")
            if chosen in LANGUAGES:
                self._speaking.set(chosen)
            try:
                return await endpoint(request)
            except Busy:
                return self.busy()
        return wrapped

    # --- the session ------------------------------------------------------------------------

    async def together(self, fn: Callable[[Session], T]) -> T:
        """Run `fn` under the gate's lock, in the next batch of a worker thread, with the other
        phones' waiting reads and commands (one fsync for them all); answered once that batch
        is durable. Waiting for the stage never stalls the server, and a hall costs one thread
        hop per batch, not one per request."""
        return await self.gate.together_async(fn)

    async def join_with(self, code: str, then: Callable[[Session], T]) -> tuple[str | None, T]:
        """The new phone's cookie, if the code (or the PIN) lets it in, and what `then` read in
        the same batch (the page to show). The code's slow hashes are computed first, outside
        the session's lock, so joins hold up neither ballots nor the stage, and several are
        hashed at once."""
        hashes: dict[str, str] = {}
        if not self.by_pin:
            # Only ever appended to (a batch is frozen); one printed meanwhile is checked under the lock.
            batches = list(self.gate.session.state.codes.batches)
            if self._hashing is None:  # bound to the server's event loop, so made on first use
                self._hashing = anyio.CapacityLimiter(os.cpu_count() or 1)
            # Hashing is all CPU: one thread per core, and the shared pool stays free for ballots and pages.
            hashes = await anyio.to_thread.run_sync(phone_codes.code_hashes, code, batches, limiter=self._hashing)
        return await self.together(lambda s: (self.admit(s, code, hashes), then(s)))

    def admit(self, session: Session, code: str, hashes: dict[str, str] | None = None) -> str | None:
        """The new phone's cookie, if the code (or the PIN) lets it in."""
        book = session.state.codes
        if self.by_pin:
            if not phone_codes.pin_matches(book, code):
                return None
            return self.phones.add(session, Phone(phone_codes.PIN_PHONE + secrets.token_hex(16), None))
        digest = phone_codes.admitted_code(book, code, hashes)
        if digest is None:
            return None
        return self.phones.add(session, Phone(digest, book.groups.get(digest)))

    def revoked(self, phone: Phone) -> bool:
        return not self.gate.session.state.codes.valid(phone.code)

    # --- answers ----------------------------------------------------------------------------

    def html(self, text: str, status: int = 200) -> HTMLResponse:
        return HTMLResponse(text, status, headers=SECURITY_HEADERS)

    def refuse(self, status: int, title: str, message: str) -> HTMLResponse:
        return self.html(pages.refusal(self.t, self.lang, title, message), status)

    def busy(self) -> HTMLResponse:
        t = self.t
        return self.refuse(503, t("Busy"), t("The laptop is busy for a moment. Nothing was lost: send it again."))

    def full(self) -> HTMLResponse:
        t = self.t
        response = self.refuse(503, t("Busy"), t("Too many phones at once. Try again in a moment."))
        response.headers["Retry-After"] = "2"
        return response

    def too_big(self) -> HTMLResponse:
        return self.refuse(413, self.t("Too long"), self.t("That was too long to send."))

    def bad_csrf(self) -> HTMLResponse:
        t = self.t
        return self.refuse(403, t("Refused"), t("This form has expired. Go back, reload the page and send it again."))

    def code_revoked(self) -> HTMLResponse:
        return self.refuse(403, self.t("Refused"), self.t("This code has been revoked."))

    # --- requests ---------------------------------------------------------------------------

    async def form(self, request: Request) -> dict[str, str] | None:
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

    async def phone_of(self, request: Request) -> Phone | None:
        token = request.cookies.get(PHONE_COOKIE, "")
        if not token:
            return None
        if token in self.phones.joined:
            return self.phones.joined[token]
        return await self.together(lambda s: self.phones.phone(s, token))  # joined before a restart

    async def joined(self, request: Request) -> Phone | Response:
        """This request's phone, or the page for one that has not joined."""
        phone = await self.phone_of(request)
        return RedirectResponse("/", 303) if phone is None else phone

    async def posted(self, request: Request) -> tuple[Phone, dict[str, str]] | Response:
        """A phone's form, or the page that refuses it (no phone, too big, bad CSRF token)."""
        phone = await self.joined(request)
        if isinstance(phone, Response):
            return phone
        data = await self.form(request)
        if data is None:
            return self.too_big()
        if not secrets.compare_digest(phone.csrf, data.get("csrf", "")):
            return self.bad_csrf()
        return phone, data

    def visitor_of(self, request: Request) -> tuple[str, str | None]:
        """This browser's visitor id, and the cookie to give it when it has none (or one not ours)."""
        known = self.phones.visitor(request.cookies.get(VISITOR_COOKIE, ""))
        return (known, None) if known else self.phones.new_visitor()

    def remember(self, response: Response, cookie: str | None) -> Response:
        if cookie:
            response.set_cookie(VISITOR_COOKIE, cookie, httponly=True, samesite="strict")
        return response


class Capacity:
    """At most `limit` requests in the app at once; the next ones get `Participation.full`
    at once (uvicorn's own limit answered a bare 503 the phone could not read)."""

    def __init__(self, app: ASGIApp, part: Participation, limit: int = MAX_IN_FLIGHT) -> None:
        self.app, self.part, self.limit = app, part, limit
        self.active = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.active >= self.limit:
            chosen = Request(scope).cookies.get(LANG_COOKIE, "")
            if chosen in LANGUAGES:
                self.part._speaking.set(chosen)
            await self.part.full()(scope, receive, send)
            return
        self.active += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.active -= 1


def create_app(gate: Gate, *, clock: Callable[[], float] = time.monotonic, desk_token: str | None = None,
               limit: int = MAX_IN_FLIGHT) -> Starlette:
    part = Participation(gate, clock=clock, desk_token=desk_token)
    hub = Hub(gate)  # the views' event streams: told of every commit by the session
    views = ViewRoutes(part, hub, VIEW_HEADERS)
    app = Starlette(routes=[*PhoneRoutes(part).routes(), *DeskRoutes(part).routes(), *views.routes()])
    app.add_middleware(Capacity, part=part, limit=limit)
    app.state.participation = part
    app.state.hub = hub
    return app
