"""Fakes and helpers the tests share, so that no test file imports another.

`tests/` is on `sys.path` (pytest puts the rootdir of a package-less test folder there,
and `pythonpath` in pyproject says so explicitly), hence `from support.stage import Desk`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from retreat.meeting.session import Session

TESTS = Path(__file__).resolve().parent.parent
DATA = TESTS / "data"


class Ticks:
    """A hand-advanced clock for the rate limiter: no real sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def kinds(session: Session) -> list[str]:
    """The kinds of the events on disk, in order: what a crash would leave behind."""
    with sqlite3.connect(session.path) as db:
        return [k for (k,) in db.execute("SELECT kind FROM events ORDER BY seq")]
