"""The room's read-only screens: `/timer`, `/agenda` and `/stage`, and their event streams
at the same path plus `/events`.

One view token (`?v=`, kept in the log: `MeetingState.view_token`) opens them all and
nothing else: it is no phone's cookie, no code, no PIN and no desk token, so it cannot
join, vote, reach the desk or see the phones' pending questions. Without it (or before
the meeting has one) a view and its stream answer 403.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from retreat.i18n import _
from retreat.web import view_pages
from retreat.web.gate import Busy
from retreat.web.stream import VIEWS, Hub

if TYPE_CHECKING:
    from retreat.web.app import Participation

PAGES: dict[str, Callable[[], str]] = {"timer": view_pages.timer, "agenda": view_pages.agenda,
                                        "stage": view_pages.stage}
RETRY_MS = 2000  # how soon a browser reconnects after losing the stream


class ViewRoutes:
    def __init__(self, part: Participation, hub: Hub, headers: dict[str, str]) -> None:
        self.part, self.hub, self.headers = part, hub, headers

    def routes(self) -> list[Route]:
        found = []
        for view in VIEWS:
            found += [Route(f"/{view}", self.page(view)), Route(f"/{view}/events", self.events(view))]
        return found

    def allowed(self, request: Request) -> bool:
        token = self.part.gate.session.state.view_token  # set once, before the server starts
        given = request.query_params.get("v", "")
        return token is not None and secrets.compare_digest(given.encode(), token.encode())

    def refused(self) -> Response:
        return self.part.refuse(403, _("Refused"), _(
            "This screen needs its full address with the view token: ask the facilitator (retreat links)."))

    def page(self, view: str) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            if not self.allowed(request):
                return self.refused()
            return Response(PAGES[view](), 200, headers=self.headers, media_type="text/html")
        return endpoint

    def events(self, view: str) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            if not self.allowed(request):
                return self.refused()
            headers = {**self.headers, "X-Accel-Buffering": "no"}
            return StreamingResponse(self.sent(view), media_type="text/event-stream", headers=headers)
        return endpoint

    async def sent(self, view: str) -> AsyncIterator[str]:
        yield f"retry: {RETRY_MS}\n\n"
        try:
            async for text in self.hub.stream(view):
                yield f"data: {text}\n\n"
        except Busy:  # the stage kept the session too long: the browser reconnects
            return

