"""The time-up alarm: terminal bell, a generated tone through the platform's player, a flash.

The visual flash is the alarm that must always work: a machine may have no sound card,
and players such as aplay exit 0 even then, so nothing here waits on a player or trusts
its exit status. Sound is started in the background and forgotten; the bell and the
flash are the stage's business as much as ours.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import tempfile
import wave
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from retreat.i18n import _

RATE = 22050
# Two alternating pitches a musical fourth apart, like a European emergency siren: nobody
# mistakes them for a phone notification. Four notes with short gaps, about a second.
PATTERN: tuple[tuple[float, float], ...] = (
    (988.0, 0.2), (0.0, 0.05), (740.0, 0.2), (0.0, 0.05),
    (988.0, 0.2), (0.0, 0.05), (740.0, 0.2), (0.0, 0.05),
)  # fmt: skip
WAV_NAME = "retreat-alarm-v1.wav"  # bump the version when PATTERN changes

LINUX_PLAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("paplay", ()),
    ("pw-play", ()),
    ("aplay", ("-q",)),
)


def tone_samples(pattern: Sequence[tuple[float, float]] = PATTERN, rate: int = RATE) -> array[int]:
    """16-bit mono samples of `pattern` (frequency 0 is silence), with 5 ms fades against clicks."""
    samples: array[int] = array("h")
    fade = int(rate * 0.005)
    for freq, seconds in pattern:
        count = int(rate * seconds)
        for i in range(count):
            if freq <= 0:
                samples.append(0)
                continue
            ramp = min(1.0, i / fade, (count - 1 - i) / fade) if fade else 1.0
            samples.append(int(0.6 * 32767 * ramp * math.sin(2 * math.pi * freq * i / rate)))
    return samples


def write_tone(path: Path, pattern: Sequence[tuple[float, float]] = PATTERN) -> Path:
    """Write the alarm WAV to `path` atomically (two processes may start at once)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as raw, wave.open(raw, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(RATE)
            out.writeframes(tone_samples(pattern).tobytes())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def cache_dir(platform: str | None = None) -> Path:
    """Where the tone is kept: %LOCALAPPDATA% on Windows, ~/Library/Caches on macOS, else XDG."""
    platform = platform or sys.platform
    if platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "retreat" / "Cache"
    if platform == "darwin" and not os.environ.get("XDG_CACHE_HOME"):
        return Path.home() / "Library" / "Caches" / "retreat"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "retreat"


def _ensure_tone(path: Path) -> Path:
    if not path.is_file() or path.stat().st_size == 0:
        write_tone(path)
    return path


def tone_file(directory: Path | None = None) -> Path:
    """The alarm WAV, written on first use; falls back to the temp dir if the cache is read-only."""
    folders = [directory] if directory else [cache_dir(), Path(tempfile.gettempdir())]
    for folder in folders[:-1]:
        try:
            return _ensure_tone(folder / WAV_NAME)
        except OSError:
            continue
    return _ensure_tone(folders[-1] / WAV_NAME)


@dataclass(frozen=True)
class Player:
    """How this platform plays a WAV file: a command (argv before the file) or winsound."""

    name: str
    argv: tuple[str, ...] = ()

    def describe(self) -> str:
        where = self.argv[0] if self.argv else _("built into Windows")
        return _("{name} ({where})").format(name=self.name, where=where)


def find_player(
    platform: str | None = None, which: Callable[[str], str | None] | None = None
) -> Player | None:
    """The first player found on this platform, or None (the visual alarm still works)."""
    platform = platform or sys.platform
    which = which or shutil.which
    if platform == "win32":
        return Player("winsound")
    candidates = (("afplay", ()),) if platform == "darwin" else LINUX_PLAYERS
    for name, flags in candidates:
        path = which(name)
        if path:
            return Player(name, (path, *flags))
    return None


def looked_for(platform: str | None = None) -> str:
    platform = platform or sys.platform
    if platform == "win32":
        return "winsound"
    if platform == "darwin":
        return "afplay"
    return ", ".join(name for name, _flags in LINUX_PLAYERS)


class Process(Protocol):
    def poll(self) -> int | None: ...
    def terminate(self) -> None: ...


Runner = Callable[[Sequence[str]], Process]


def popen_runner(argv: Sequence[str]) -> Process:
    """Start a player detached from the terminal: its chatter must not scribble on the stage."""
    return subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a Ctrl-C or hang-up aimed at us must not reach the player
    )


def winsound_play(path: Path) -> None:  # pragma: no cover - Windows only
    if sys.platform == "win32":  # also tells mypy on other platforms to skip winsound
        import winsound

        winsound.PlaySound(str(path), winsound.SND_FILENAME | winsound.SND_ASYNC)


def terminal_bell() -> None:
    """Ring the bell on the real terminal; a redirected stdout gets no stray BEL byte."""
    out = sys.__stdout__
    if out is not None and out.isatty():
        out.write("\a")
        out.flush()


class Alarm:
    """Rings the bell and starts the tone without ever blocking the caller.

    Everything with a side effect is injected so tests make no noise: `runner` starts a
    player process, `bell` rings the bell (the stage passes `console.bell`).
    """

    def __init__(
        self,
        *,
        sound: bool = True,
        bell: Callable[[], None] | None = terminal_bell,
        player: Player | None = None,
        tone: Path | None = None,
        runner: Runner = popen_runner,
        play_winsound: Callable[[Path], None] = winsound_play,
    ) -> None:
        self.sound = sound
        self.player = player if sound else None
        self._tone = tone
        self._bell = bell
        self._runner = runner
        self._play_winsound = play_winsound
        self._playing: Process | None = None
        self.last_error: str | None = None

    @classmethod
    def detect(
        cls,
        *,
        sound: bool = True,
        bell: Callable[[], None] | None = terminal_bell,
        runner: Runner | None = None,
    ) -> Alarm:
        """An Alarm with the platform's player found now, at start-up, and its tone written."""
        player = find_player() if sound else None
        alarm = cls(sound=sound, bell=bell, player=player, runner=runner or popen_runner)
        alarm.prepare()
        return alarm

    def prepare(self) -> None:
        """Write the tone now, so the first alarm is not late by the time it takes to make it."""
        if self.player is not None and self._tone is None:
            try:
                self._tone = tone_file()
            except OSError as e:
                self.last_error = str(e)

    def describe(self) -> str:
        """One line for the start-up screen and `retreat alarm-test`."""
        if not self.sound:
            return _("sound: off (--no-sound); the bell and the visual alarm still work")
        if self.player is None:
            return _("sound: no player (tried {names}); the flash always works").format(
                names=looked_for()
            )
        return _("sound: {player}").format(player=self.player.describe())

    def fire(self) -> bool:
        """Ring the bell and start the tone; True if a player was started (not proof of sound)."""
        if self._bell is not None:
            self._bell()
        return self._play()

    def _play(self) -> bool:
        if self.player is None:
            return False
        if self._playing is not None and self._playing.poll() is None:
            return False  # still sounding: a stuck player must not pile up copies
        try:
            tone = self._tone or tone_file()
            if self.player.name == "winsound":
                self._play_winsound(tone)
                return True
            self._playing = self._runner([*self.player.argv, str(tone)])
        except OSError as e:
            self.last_error = str(e)  # the flash still works; the caller may show this
            return False
        return True

    def stop(self) -> None:
        """Silence a tone that is still playing (the `a` key), without waiting for it."""
        if self._playing is not None and self._playing.poll() is None:
            self._playing.terminate()


def flash_on(overtime: float, period: float = 1.0) -> bool:
    """Is the overtime flash lit `overtime` seconds after time ran out? Lit the first half of each period."""
    if overtime < 0:
        return False
    return math.floor(overtime / (period / 2)) % 2 == 0


def next_flash_change(overtime: float, period: float = 1.0) -> float:
    """The overtime (in seconds) at which `flash_on` next changes, so a loop can sleep until then."""
    if overtime < 0:
        return 0.0
    half = period / 2
    return (math.floor(overtime / half) + 1) * half
