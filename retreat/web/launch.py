"""`--participate`: start the phone server beside the stage and show where phones go."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from retreat.errors import UsageError
from retreat.i18n import _
from retreat.web.gate import Gate, Keys, LockedKeys
from retreat.web.server import Server, qr_text, start

if TYPE_CHECKING:
    from rich.console import Console

    from retreat.session import Session


@dataclass
class Phones:
    gate: Gate
    server: Server
    held: LockedKeys | None = None

    @property
    def url(self) -> str:
        return self.server.url

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


def serve(session: Session, where: tuple[str, int], console: Console) -> Phones:
    host, port = where
    gate = Gate(session)
    try:
        server = start(gate, host, port)
    except OSError as e:
        raise UsageError(
            _("cannot serve phones on {host}:{port} ({reason}); choose another with --port N or --host ADDR").format(
                host=host, port=port, reason=e)
        ) from None
    console.print(qr_text(server.url), highlight=False, soft_wrap=True)
    console.print(_("Phones: connect to this network and open {url}").format(url=server.url), highlight=False)
    console.print(_("Questions from phones (for the facilitator only): {url}").format(url=server.desk_url),
                  highlight=False)
    console.print(_("Press any key to open the stage."), highlight=False)
    return Phones(gate, server)
