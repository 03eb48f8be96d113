"""What differs between Windows, the Linux an office runs (Debian, 统信UOS, 麒麟) and macOS.

Pure and small, stdlib only: every function takes the platform, the stream or the
command finder as an argument, so each system's branch is tested on any system.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

# What the stage draws when not --ascii: big digits' blocks, lines and bars. Code page 936
# (GBK, a Chinese Windows console or a redirected stdout there) lacks some of them.
STAGE_CHARACTERS = "\u2588\u2580\u2584\u258c\u2590\u2501\u2500\u2502\u256d\u256e\u2570\u256f\u00b7\u2026"


def termination_signals(sig: Any = signal) -> list[signal.Signals]:
    """The signals that should end `retreat run` as Ctrl-C would: leave raw mode, save, exit.

    SIGTERM everywhere; SIGHUP (the terminal window closed) on Linux and macOS; on Windows,
    SIGBREAK (Ctrl-Break, or the console window closed). Windows has no SIGHUP.
    """
    names = ("SIGTERM", "SIGHUP", "SIGBREAK")
    return [getattr(sig, name) for name in names if getattr(sig, name, None) is not None]


def encoding_of(stream: TextIO | None) -> str:
    return (getattr(stream, "encoding", None) or "ascii").lower()


def can_encode(stream: TextIO | None, text: str) -> bool:
    """Can `stream` print `text` without an encoding error? (GBK lacks ▀ ▐ ✓, ASCII lacks 中.)"""
    try:
        text.encode(encoding_of(stream))
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def prepare_stream(stream: TextIO | None) -> bool:
    """Make `stream` replace what its encoding cannot show instead of raising; True if changed.

    Python writes a Windows console in UTF-8 whatever its code page, but a redirected
    stdout (`retreat minutes ... > out.txt`, a pipe, an IDE) takes the ANSI code page, 936
    (GBK) on Chinese Windows; a Linux terminal may run under LANG=C. Chinese words print
    in GBK; a character GBK lacks becomes "?" rather than an internal error. UTF-8 streams
    are left alone.
    """
    if stream is None or encoding_of(stream).replace("-", "").replace("_", "") in ("utf8", "utf8sig"):
        return False
    if getattr(stream, "errors", "strict") not in ("strict", None):
        return False
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is None:
        return False
    try:
        reconfigure(errors="replace")
    except (ValueError, OSError):  # a stream that cannot change now
        return False
    return True


def prepare_console(streams: Sequence[TextIO | None] | None = None) -> None:
    """`prepare_stream` on stdout and stderr: no UnicodeEncodeError on any console."""
    for stream in streams if streams is not None else (sys.stdout, sys.stderr):
        prepare_stream(stream)


# Code pages of Chinese, Japanese and Korean Windows: their console draws box and block
# characters (East Asian "ambiguous" width) two cells wide, which breaks the stage's layout.
CJK_CODE_PAGES = frozenset({936, 950, 932, 949, 54936})


def console_code_page(platform: str | None = None) -> int | None:  # pragma: no cover - Windows only
    """The Windows console's output code page (936 on Chinese Windows), None elsewhere."""
    if (platform or sys.platform) != "win32" or sys.platform != "win32":
        return None
    import ctypes

    return int(ctypes.windll.kernel32.GetConsoleOutputCP()) or None


def wants_ascii(
    stream: TextIO | None, platform: str | None = None, code_page: Callable[[], int | None] | None = None
) -> bool:
    """True if the stage must draw with ASCII: `stream` cannot print its blocks, or it is a
    Windows console on a CJK code page (936), which draws them two cells wide."""
    if not can_encode(stream, STAGE_CHARACTERS):
        return True
    if (platform or sys.platform) == "win32":
        page = (code_page or (lambda: console_code_page(platform)))()
        return page in CJK_CODE_PAGES
    return False


def opener(platform: str | None = None, which: Callable[[str], str | None] = shutil.which) -> list[str] | None:
    """The command that opens a file in its default program (a page in the browser), or None.

    macOS: `open`; Linux, 统信UOS and 麒麟: `xdg-open` (their desktops, DDE and UKUI, answer
    it), else `gio open`; Windows uses os.startfile instead (an empty list here).
    """
    platform = platform or sys.platform
    if platform == "win32":
        return []
    if platform == "darwin":
        found = which("open")
        return [found] if found else None
    found = which("xdg-open")
    if found:
        return [found]
    gio = which("gio")
    return [gio, "open"] if gio else None


def open_in_browser(
    path: Path,
    *,
    platform: str | None = None,
    which: Callable[[str], str | None] = shutil.which,
    startfile: Callable[[str], None] | None = None,
    run: Callable[[list[str]], object] | None = None,
) -> bool:
    """Open `path` in the default program without waiting for it; False if there is no way."""
    command = opener(platform, which)
    if command is None:
        return False
    target = str(path.resolve())
    try:
        if not command:
            start = startfile or getattr(os, "startfile", None)
            if start is None:
                return False
            start(target)
            return True
        (run or _detached)([*command, target])
    except OSError:
        return False
    return True


def _detached(argv: list[str]) -> object:
    return subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
