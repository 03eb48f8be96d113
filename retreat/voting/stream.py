"""Text handed in as chunks (a file read piece by piece), read as whole lines.

The readers never need the whole text at once: a million-ballot file is read a block of
lines at a time, and its memory is that of the block, not of the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

Chunks = Iterable[str]


class LineReader:
    """Lines of text arriving in chunks. `\\r\\n` and `\\r` end lines as `\\n` does; a BOM at
    the very start is dropped; a last line without a newline gets one.

    `number` is the number of lines handed out so far (so the next line is number + 1).
    """

    def __init__(self, chunks: str | Chunks) -> None:
        self._chunks: Iterator[str] = iter([chunks] if isinstance(chunks, str) else chunks)
        self._buf = ""  # whole lines (each ending with \n) not handed out yet, from _at
        self._at = 0
        self._partial: list[str] = []  # text after the last \n seen
        self._cr = False  # the last chunk ended with \r: a \n starting the next one is its pair
        self._started = False
        self._eof = False
        self.number = 0

    def _pull(self) -> bool:
        """Append the next chunk's whole lines to the buffer; False at the end of the text."""
        while not self._eof:
            chunk = next(self._chunks, None)
            if chunk is None:
                self._eof = True
                tail = "".join(self._partial)
                self._partial = []
                if self._cr:
                    tail += "\n"
                    self._cr = False
                if tail and not tail.endswith("\n"):
                    tail += "\n"
                if tail:
                    self._append(tail)
                    return True
                return False
            if not self._started:
                if not chunk:
                    continue
                self._started = True
                chunk = chunk.removeprefix("\ufeff")
            if self._cr:
                chunk = "\r" + chunk
                self._cr = False
            if chunk.endswith("\r"):
                chunk = chunk[:-1]
                self._cr = True
            if "\r" in chunk:
                chunk = chunk.replace("\r\n", "\n").replace("\r", "\n")
            cut = chunk.rfind("\n") + 1
            if cut == 0:
                self._partial.append(chunk)
                continue
            whole = "".join([*self._partial, chunk[:cut]])
            self._partial = [chunk[cut:]] if cut < len(chunk) else []
            self._append(whole)
            return True
        return False

    def _append(self, text: str) -> None:
        self._buf = self._buf[self._at :] + text if self._at < len(self._buf) else text
        self._at = 0

    def readline(self) -> str | None:
        """The next line without its newline, or None at the end of the text."""
        end = self._buf.find("\n", self._at)
        while end < 0:
            if not self._pull():
                return None
            end = self._buf.find("\n", self._at)
        line = self._buf[self._at : end]
        self._at = end + 1
        self.number += 1
        return line

    def block(self) -> tuple[str, int] | None:
        """The lines available now (at least one), as text ending with a newline, and the
        number of the first of them; None at the end of the text."""
        if self._at >= len(self._buf) and not self._pull():
            return None
        text = self._buf[self._at :] if self._at else self._buf
        self._buf, self._at = "", 0
        first = self.number + 1
        self.number += text.count("\n")
        return text, first

    def unread(self, text: str) -> None:
        """Put back whole lines just taken (text ending with a newline, or empty)."""
        if text:
            self._buf = text + self._buf[self._at :]
            self._at = 0
            self.number -= text.count("\n")
