"""A join's and a ballot's POST are answered with the page itself (no redirect: one request per
phone, not two, when a hall votes at once), sent only once the batch is durable, and filed by
the browser under the page's own address so that a reload does not send the form again."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient
from support.web import CODES, ballot_form, field

from retreat.meeting.events import EventKind
from retreat.meeting.session import Session
from retreat.web.app import create_app
from retreat.web.gate import Gate


@pytest.fixture
def phone(vs: Session) -> Iterator[TestClient]:
    with TestClient(create_app(Gate(vs)), follow_redirects=False) as c:
        yield c


def _join(phone: TestClient) -> str:
    r = phone.post("/join", data={"code": CODES[0], "csrf": field(phone.get("/").text, "csrf")})
    assert r.status_code == 200 and "rt_phone" in phone.cookies
    return r.text


def _kinds_on_disk(vs: Session) -> list[str]:
    with sqlite3.connect(vs.path) as other:  # another connection: only what is committed
        return [r[0] for r in other.execute("SELECT kind FROM events ORDER BY seq")]


def test_a_join_is_answered_with_the_home_page_filed_as_joined(phone: TestClient) -> None:
    page = _join(phone)
    assert "href=/vote" in page  # the open vote, as the home page shows it
    assert 'history.replaceState(null,"","/?joined=1")' in page


def test_a_ballot_is_answered_with_its_received_page_once_durable(phone: TestClient, vs: Session) -> None:
    _join(phone)
    form = ballot_form(phone)
    r = phone.post("/vote", data={**form, "ranking": "2 1"})
    assert r.status_code == 200 and "id=received" in r.text
    assert 'history.replaceState(null,"","/vote?received=1")' in r.text
    assert _kinds_on_disk(vs).count(EventKind.BALLOT_CAST.value) == 1  # on disk when answered
    again = phone.post("/vote", data={**form, "ranking": "2 1"})  # a reload that resends the form
    assert again.status_code == 200 and "id=received" in again.text
    assert _kinds_on_disk(vs).count(EventKind.BALLOT_CAST.value) == 1
    assert EventKind.BALLOT_REPLACED.value not in _kinds_on_disk(vs)
    filed = phone.get("/vote?received=1")  # what a reload reads once the address was replaced
    assert filed.status_code == 200 and "id=received" in filed.text


def test_a_refused_ballot_keeps_the_address_it_was_sent_to(phone: TestClient) -> None:
    _join(phone)
    r = phone.post("/vote", data={**ballot_form(phone), "ranking": "1 1"})
    assert r.status_code == 422 and "replaceState" not in r.text and "id=received" not in r.text
