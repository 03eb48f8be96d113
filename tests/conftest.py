"""Shared fixtures: a fake clock, the small test agenda, sessions in a temp folder."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import DATA, Ticks

from retreat import agenda as agenda_mod
from retreat import i18n
from retreat.agenda import Agenda
from retreat.clock import FakeClock
from retreat.meeting.session import Session

# the web fixtures (`vs`: a vote with phone codes, `ps`: a PIN meeting) serve several test files
pytest_plugins = ["support.web"]

SHORT = DATA / "agendas" / "short.yaml"
_GC_THRESHOLD = gc.get_threshold()


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Rich output and language must not depend on the developer's environment."""
    for var in ("FORCE_COLOR", "NO_COLOR", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "COLUMNS", "LINES"):
        monkeypatch.delenv(var, raising=False)
    yield
    i18n.set_language("en")
    # A test that starts the phone server as `retreat run --participate` does tunes the
    # collector for the whole process (web.server.tune_gc): the next test gets Python's own.
    gc.unfreeze()
    gc.set_threshold(*_GC_THRESHOLD)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def short_agenda() -> Agenda:
    return agenda_mod.load(SHORT)


@pytest.fixture
def session(tmp_path: Path, short_agenda: Agenda, clock: FakeClock) -> Iterator[Session]:
    s = Session.create(tmp_path / "short.retreat", short_agenda, clock)
    yield s
    s.close()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regen-golden", action="store_true", help="Rewrite the golden minutes files instead of comparing."
    )


@pytest.fixture
def regen_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--regen-golden"))


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()
