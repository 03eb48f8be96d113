"""The facilitator's page (the desk): accept, merge or reject the questions phones sent,
and revoke a lost or misused code.

Only a browser that knows the desk's token (in the address the laptop prints) sees it;
its form carries a CSRF token of its own, as a phone's does.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from retreat.errors import CommandRefused
from retreat.meeting import phone_codes
from retreat.meeting.engine import Cmd
from retreat.web import pages

if TYPE_CHECKING:
    from retreat.meeting.session import Session
    from retreat.web.app import Participation


class DeskRoutes:
    def __init__(self, part: Participation) -> None:
        self.part = part

    def routes(self) -> list[Route]:
        speaks = self.part.speaks
        return [Route("/desk", speaks(self.page)), Route("/desk", speaks(self.submit), methods=["POST"])]

    def allowed(self, request: Request) -> bool:
        return secrets.compare_digest(request.query_params.get("t", ""), self.part.desk_token)

    def not_yours(self) -> Response:
        return self.part.refuse(403, self.part.t("Refused"), self.part.t("This page is for the facilitator."))

    async def page(self, request: Request) -> Response:
        if not self.allowed(request):
            return self.not_yours()
        part = self.part
        rows = await part.together(lambda s: [(p.pid, p.text, p.status) for p in s.state.qa.proposals.values()])
        pin = part.gate.session.state.codes.pin or ""
        return part.html(pages.desk(part.t, part.lang, token=part.desk_token, csrf=part.desk_csrf,
                                    proposals=rows, pin=pin))

    async def submit(self, request: Request) -> Response:
        if not self.allowed(request):
            return self.not_yours()
        part = self.part
        data = await part.form(request)
        if data is None:
            return part.too_big()
        if not secrets.compare_digest(part.desk_csrf, data.get("csrf", "")):
            return part.bad_csrf()
        try:
            await part.together(lambda s: self.decide(s, data))
        except CommandRefused as e:
            return part.refuse(422, part.t("Refused"), str(e))
        return RedirectResponse(f"/desk?t={part.desk_token}", 303)

    def decide(self, session: Session, data: dict[str, str]) -> None:
        """Revoke a code, or accept, merge or reject a phone's question."""
        if "revoke" in data:
            self.revoke(session, data["revoke"][:20])
        else:
            session.handle(Cmd.DECIDE_PROPOSAL, {k: data.get(k, "") for k in ("pid", "decision", "into")})

    def revoke(self, session: Session, code: str) -> None:
        digest = phone_codes.find_code(session.state.codes, code)
        if digest is None:
            raise CommandRefused(self.part.t("That code is not valid. Check it and try again."))
        session.handle(Cmd.REVOKE_CODE, digest)
