"""A full-screen painter that writes only the lines that changed since the last frame.

Rich's `Live(screen=True)` re-renders, re-splits and rewrites every line on each refresh:
about 2 ms of CPU and 3 KB per frame here, which at one frame a second is ~0.4% of a
core, over the stage's budget. A countdown changes the digit rows and the progress bar
and little else, so this painter keeps the last frame's lines as ANSI strings and sends
only the lines that differ (each one cursor move plus the line). A change of terminal
size repaints everything. The renderable itself is still an ordinary Rich renderable.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from rich.color import ColorSystem
from rich.segment import Segment

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

_SYSTEMS = {
    "standard": ColorSystem.STANDARD,
    "256": ColorSystem.EIGHT_BIT,
    "truecolor": ColorSystem.TRUECOLOR,
    "windows": ColorSystem.WINDOWS,
}


class DiffScreen:
    """Use as a context manager around the stage: alternate screen, hidden cursor."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._lines: list[str] = []
        self._size: tuple[int, int] | None = None
        self._ansi: dict[tuple[Segment, ...], str] = {}
        self.bytes_written = 0

    def __enter__(self) -> DiffScreen:
        self.console.set_alt_screen(True)
        self.console.show_cursor(False)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.console.show_cursor(True)
        self.console.set_alt_screen(False)

    def _to_ansi(self, line: list[Segment]) -> str:
        key = tuple(line)
        ansi = self._ansi.get(key)
        if ansi is None:
            system = _SYSTEMS.get(self.console.color_system or "")
            parts = []
            for text, style, control in line:
                if control:
                    continue
                if style and self.console.no_color:
                    style = style.without_color
                parts.append(style.render(text, color_system=system) if style and system else text)
            ansi = "".join(parts)
            if len(self._ansi) > 2048:  # the digits of every second of a long meeting
                self._ansi.clear()
            self._ansi[key] = ansi
        return ansi

    def update(self, renderable: RenderableType, refresh: bool = True) -> int:
        """Paint `renderable` over the whole screen; returns the number of lines sent."""
        width, height = self.console.size
        options = self.console.options.update(width=width, height=height)
        painter = getattr(renderable, "frame_lines", None)
        rendered = painter(self.console, options) if painter else self.console.render_lines(renderable, options, pad=True)
        lines = [self._to_ansi(line) for line in rendered]
        out: list[str] = []
        if (width, height) != self._size:
            self._size = (width, height)
            self._lines = []
            out.append("\x1b[H\x1b[2J")
        for row, line in enumerate(lines):
            if row >= len(self._lines) or self._lines[row] != line:
                out.append(f"\x1b[{row + 1};1H{line}")
        self._lines = lines
        if out:
            data = "".join(out)
            self.bytes_written += len(data.encode("utf-8", "replace"))
            file = self.console.file
            file.write(data)
            file.flush()
        return len(out)


def stage_console() -> Console:
    """The console of a full-screen view: it measures the terminal itself, on every frame.

    Rich takes an exported COLUMNS/LINES as the terminal's size for good; a full-screen
    stage must follow the real window (a resize, a projector's resolution) instead."""
    import os

    from rich.console import Console

    environ = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    return Console(highlight=False, _environ=environ)
