"""The phones' side in tests: a vote meeting with codes, a PIN meeting, and reading forms.

Registered as a pytest plugin by conftest.py, so the `vs` and `ps` fixtures reach every web
test file without one test file importing another (a module's own `vs` still wins there).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from retreat import agenda as agenda_mod
from retreat.clock import FakeClock
from retreat.meeting import phone_codes
from retreat.meeting.engine import Cmd
from retreat.meeting.session import Session
from support import DATA

VOTE_AGENDA = DATA / "agendas" / "vote.yaml"
CODES = ["AAAA2222", "BBBB3333", "CCCC4444"]
SALT = "test-salt"
PIN = "482913"


@pytest.fixture
def vs(tmp_path: Path, clock: FakeClock) -> Iterator[Session]:
    """The vote agenda, started, with three phone codes issued to group g1."""
    s = Session.create(tmp_path / "v.retreat", agenda_mod.load(VOTE_AGENDA), clock)
    s.handle(Cmd.ISSUE_CODES, {"salt": SALT, "hashes": [phone_codes.hash_code(c, SALT) for c in CODES],
                               "group": "g1"})
    s.handle(Cmd.START)
    yield s
    s.close()


def pin_agenda() -> agenda_mod.Agenda:
    text = VOTE_AGENDA.read_text(encoding="utf-8").replace("meeting:\n", "meeting:\n  join: pin\n", 1)
    return agenda_mod.loads(text, "pin.yaml")


@pytest.fixture
def ps(tmp_path: Path, clock: FakeClock) -> Iterator[Session]:
    """The same vote on a PIN meeting (join: pin), started."""
    s = Session.create(tmp_path / "p.retreat", pin_agenda(), clock)
    s.handle(Cmd.SET_PIN, PIN)
    s.handle(Cmd.START)
    yield s
    s.close()


def field(html: str, name: str) -> str:
    m = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert m, f"no field {name}"
    return m.group(1)


def ballot_form(client: TestClient) -> dict[str, str]:
    page = client.get("/vote")
    assert page.status_code == 200, page.text
    return {k: field(page.text, k) for k in ("csrf", "key", "vote")}
