"""Single key presses, no Enter, and a wait that ends at a key press or a deadline.

Built on prompt_toolkit's input API. `attach()` registers the terminal with an asyncio
loop, so the reader owns a private loop and runs it only inside `get()`: the caller's
stage loop stays plain synchronous code, and while it waits the process sleeps in the
selector (no polling), which is what keeps an idle countdown near 0% CPU.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import deque
from collections.abc import Callable
from contextlib import ExitStack
from types import TracebackType
from typing import TYPE_CHECKING

from retreat.errors import UsageError
from retreat.i18n import _

if TYPE_CHECKING:
    from prompt_toolkit.input import Input
    from prompt_toolkit.key_binding import KeyPress


def no_terminal() -> UsageError:
    return UsageError(
        _(
            "retreat run needs a terminal to read keys from, and stdin is not one. "
            "Run it in a terminal window, or try `retreat demo`, which needs none "
            "(see `retreat --help`)."
        )
    )


def key_name(press: KeyPress) -> str | None:
    """`n`, `+`, ` ` for characters; prompt_toolkit's names (`c-c`, `escape`, `up`) for the rest.

    None for pseudo-keys such as cursor-position reports, which are not the user's.
    """
    from prompt_toolkit.keys import Keys

    if isinstance(press.key, Keys):
        return None if press.key.value.startswith("<") else press.key.value
    return press.key


class KeyReader:
    """Reads key presses in raw mode while used as a context manager.

    In raw mode Ctrl-C is the key `c-c`, not a signal: the stage decides what it means.
    """

    def __init__(
        self,
        input: Input | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        on_key: Callable[[str], None] | None = None,
    ) -> None:
        self._input = input
        self._clock = clock
        self._on_key = on_key
        self._keys: deque[str] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stack = ExitStack()
        self._ready: asyncio.Event | None = None
        self.closed = False

    def __enter__(self) -> KeyReader:
        if self._input is None:
            # Checked before prompt_toolkit sees stdin: it would print its own warning.
            if sys.stdin is None or not sys.stdin.isatty():
                raise no_terminal()
            from prompt_toolkit.input import create_input

            self._input = create_input()
        inp = self._input
        self._loop = asyncio.new_event_loop()
        try:
            self._stack.enter_context(inp.raw_mode())
            self._loop.run_until_complete(self._attach(inp))
        except EOFError as e:
            self._close()
            raise no_terminal() from e
        except BaseException:
            self._close()
            raise
        return self

    async def _attach(self, inp: Input) -> None:
        self._ready = asyncio.Event()
        self._stack.enter_context(inp.attach(self._on_ready))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._close()

    def _close(self) -> None:
        # Detaching and leaving raw mode must happen even if the stage crashed,
        # or the user's shell is left without echo.
        try:
            self._stack.close()
        finally:
            if self._loop is not None:
                self._loop.close()
                self._loop = None

    def _on_ready(self) -> None:
        assert self._input is not None and self._ready is not None
        delivered = self._deliver(self._input.read_keys())
        if self._input.closed:
            self.closed = True
        if delivered or self.closed:  # half an escape sequence is no reason to wake
            self._ready.set()

    def _deliver(self, presses: list[KeyPress]) -> int:
        count = len(self._keys)
        for press in presses:
            name = key_name(press)
            if name is None:
                continue
            self._keys.append(name)
            if self._on_key is not None:
                self._on_key(name)
        return len(self._keys) - count

    def get(self, deadline: float | None = None) -> str | None:
        """The next key, waiting until `deadline` (on the reader's monotonic clock) at most.

        None when the deadline passes first (or has passed already); None as deadline
        waits for a key however long it takes. Raises EOFError once the input is closed
        and every key read before that has been handed out.
        """
        if not self._keys:
            if self.closed:
                raise EOFError
            if self._loop is None:
                raise RuntimeError("KeyReader.get() outside its `with` block")
            timeout = None if deadline is None else max(0.0, deadline - self._clock())
            self._loop.run_until_complete(self._wait(timeout))
        if self._keys:
            return self._keys.popleft()
        if self.closed:
            raise EOFError
        return None

    async def _wait(self, timeout: float | None) -> None:
        assert self._ready is not None and self._input is not None
        self._ready.clear()
        if timeout == 0:
            await asyncio.sleep(0)  # one non-blocking look at the terminal
            return
        try:
            await asyncio.wait_for(self._ready.wait(), timeout)
        except TimeoutError:
            # A lone Escape stays in the parser until something follows it; a wait that
            # ran out means nothing will, so it is a key of its own.
            self._deliver(self._input.flush_keys())

    def drain(self) -> list[str]:
        """Every key already read, without waiting (e.g. to drop keys typed during a redraw)."""
        keys = list(self._keys)
        self._keys.clear()
        return keys
