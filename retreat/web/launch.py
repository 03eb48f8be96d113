"""`--participate`: start the phone server beside the stage and show where phones go."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from retreat.errors import UsageError
from retreat.i18n import _
from retreat.web import addresses
from retreat.web.gate import Gate, Keys, LockedKeys
from retreat.web.server import Server, qr_text, start, tune_gc

if TYPE_CHECKING:
    from rich.console import Console

    from retreat.meeting.session import Session


@dataclass
class Phones:
    gate: Gate
    server: Server
    held: LockedKeys | None = None

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def pin(self) -> str:
        """The meeting's PIN, for an agenda whose phones join with one; else empty."""
        return self.gate.session.state.codes.pin or ""

    @property
    def join_url(self) -> str:
        """What the QR code opens: with a PIN meeting, the join page with the PIN filled in."""
        return addresses.join_url(self.url, self.pin)

    def view_url(self, page: str) -> str:
        """A read-only view of the room: "timer", "agenda" or "stage"."""
        return addresses.view_url(self.url, page, self.gate.session.state.view_token or "")

    @property
    def timer_url(self) -> str:
        """The podium timer, for the tablet on the lectern (the `j` screen's other QR code)."""
        return self.view_url("timer")

    def hold(self, keys: Keys) -> LockedKeys:
        """Wait for a key (the room scans the QR code meanwhile), then hand the stage keys that
        keep the session's lock whenever the stage is not waiting for a key."""
        key = keys.get(None)
        if key == "c-c":
            raise KeyboardInterrupt
        self.held = LockedKeys(keys, self.gate)
        return self.held

    def release(self) -> None:
        if self.held is not None:
            self.held.release()
            self.held = None

    def stop(self) -> None:
        self.server.stop()


def serve(session: Session, where: tuple[str, int], console: Console, wait_for_key: bool = True) -> Phones:
    host, port = where
    gate = Gate(session)
    if session.agenda.meeting.join == "pin" and session.state.codes.pin is None:
        from retreat.meeting.engine import Cmd
        from retreat.meeting.phone_codes import new_pin

        # One PIN for the whole meeting, in the log: a resumed meeting shows the same one.
        session.handle(Cmd.SET_PIN, new_pin())
    elif session.agenda.meeting.join == "codes" and not session.state.codes.groups:
        console.print(_("No join codes are issued for this meeting yet: print them, even while it runs, with "
                        "`retreat codes {session} -n 60 -o codes.html`; phones join as soon as they exist.").format(
                            session=session.path), highlight=False)
    if session.state.view_token is None:
        import secrets

        from retreat.meeting.engine import Cmd

        # The room's views (/timer, /agenda, /stage) share one read-only token, in the log like
        # the PIN: a resumed meeting keeps it, so the podium's tablet reconnects without a scan.
        session.handle(Cmd.SET_VIEW_TOKEN, secrets.token_urlsafe(16))
    # The desk's address an earlier run printed stays valid after a --resume.
    desk_token = session.store.scratch_get(addresses.SERVER_SPACE, addresses.DESK)
    try:
        server = start(gate, host, port, desk_token=desk_token)
    except OSError as e:
        raise UsageError(
            _("cannot serve phones on {host}:{port} ({reason}); choose another with --port N or --host ADDR").format(
                host=host, port=port, reason=e)
        ) from None
    gate.run(lambda s: _remember(s, server))
    tune_gc()  # what is loaded now (the replayed meeting) is never walked again
    phones = Phones(gate, server)
    console.print(qr_text(phones.join_url), highlight=False, soft_wrap=True)
    console.print(_("Phones: connect to this network and open {url}").format(url=server.url), highlight=False)
    if phones.pin:
        console.print(_("PIN for this meeting: {pin}").format(pin=phones.pin), highlight=False)
    console.print(_("Questions from phones (for the facilitator only): {url}").format(url=server.desk_url),
                  highlight=False)
    console.print(_("Podium timer (the tablet on the lectern; j then Tab shows its QR code): {url}").format(
        url=phones.timer_url), highlight=False)
    console.print(_("Agenda for the room: {url}").format(url=phones.view_url("agenda")), highlight=False)
    console.print(_("Stage in a browser: {url}").format(url=phones.view_url("stage")), highlight=False)
    if wait_for_key:
        console.print(_("Press any key to open the stage."), highlight=False)
    return phones


def _remember(session: Session, server: Server) -> None:
    """Where this run listens and its desk token, beside the log (`retreat links` reads them);
    a --resume overwrites them, so they always name the last run that listened."""
    with session.store.batch():
        session.store.put_scratch(addresses.SERVER_SPACE, addresses.URL, server.url)
        session.store.put_scratch(addresses.SERVER_SPACE, addresses.DESK, server.desk_token)


PHONE_DEMO_NAME = "retreat-demo-phones.retreat"
PHONE_DEMO_CODES = 10


def demo_phones(agenda_file: object, folder: object, where: tuple[str, int], console: Console,
                stop: object = None) -> tuple[str, int]:
    """`retreat demo --participate`: the demo agenda's first vote, open to phones, until Ctrl-C.

    A session of its own (the simulated demo is already over when this starts), ten codes
    shown on the terminal, the address and its QR code. Returns (session path, ballots)."""
    from pathlib import Path

    from retreat import agenda as agenda_mod
    from retreat.clock import MonotonicClock
    from retreat.files import replace_session
    from retreat.meeting.phone_codes import new_code, shown
    from retreat.meeting.session import Session

    agenda = agenda_mod.load(Path(str(agenda_file)))
    path = Path(str(folder)) / PHONE_DEMO_NAME
    replace_session(path)
    codes = [new_code() for _n in range(PHONE_DEMO_CODES)]
    session = Session.create(path, agenda, MonotonicClock())
    with session:
        _open_first_vote(session, codes)
        phones = serve(session, where, console, wait_for_key=False)
        console.print(_("Codes to try: {codes}").format(codes="  ".join(shown(c) for c in codes)), highlight=False)
        console.print(_("Serving phones; press Ctrl-C to stop."), highlight=False)
        _serve_until(stop, phones)
        ballots = phones.gate.run(lambda s: len(s.state.vote().counted))
    return str(path), ballots


def _open_first_vote(session: Session, codes: list[str]) -> None:
    """Issue the demo's codes (in the first group) and start the agenda's first vote."""
    from retreat.meeting.engine import Cmd
    from retreat.meeting.phone_codes import issued

    agenda = session.agenda
    session.handle(Cmd.ISSUE_CODES, issued(codes, agenda.groups[0].id if agenda.groups else None))
    session.handle(Cmd.GOTO, next(item.id for item in agenda.items if item.kind == "vote"))
    session.handle(Cmd.START)


def _serve_until(stop: object, phones: Phones) -> None:
    """Until `stop` (a threading.Event, for tests) is set or Ctrl-C; the server stops either way."""
    import threading

    done = stop if isinstance(stop, threading.Event) else threading.Event()
    try:
        while not done.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        phones.stop()
