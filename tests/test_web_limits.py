"""Wrong codes and PINs are limited as the README says: 5 a minute per phone (per browser,
not per network address: a hall's Wi-Fi behind NAT or a proxy shows every phone with one
address) and 60 a minute for the whole room. The clock is injected: no real sleeps."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from support import Ticks
from support.web import CODES, PIN, field

from retreat.i18n import translator
from retreat.meeting.session import Session
from retreat.web import phones as web
from retreat.web.app import create_app
from retreat.web.gate import Gate

tr = translator("zh-CN").gettext
JOINED = tr("You have joined.")


@pytest.fixture
def app(vs: Session, ticks: Ticks) -> Starlette:
    return create_app(Gate(vs), clock=ticks, desk_token="desk")


@pytest.fixture
def phones(app: Starlette) -> Iterator[list[TestClient]]:
    """Phones on the hall's Wi-Fi: one server, every request from the same address."""
    clients = [TestClient(app, follow_redirects=True) for _ in range(3)]
    yield clients
    for c in clients:
        c.close()


def attempt(phone: TestClient, code: str) -> tuple[int, str]:
    page = phone.get("/")
    r = phone.post("/join", data={"code": code, "csrf": field(page.text, "csrf")})
    return r.status_code, r.text


def test_phones_behind_one_address_each_get_their_own_five_tries(phones: list[TestClient], ticks: Ticks) -> None:
    a, b, c = phones
    for _ in range(5):
        assert attempt(a, "ZZZZ9999")[0] == 403
    assert attempt(a, CODES[0])[0] == 429  # a has used its tries: even a good code waits
    for n in range(5):  # b shares a's address, not a's count
        status, text = attempt(b, "ZZZZ9999")
        assert status == 403 and tr("That code is not valid. Check it and try again.") in text, n
    assert attempt(b, CODES[1])[0] == 429
    status, text = attempt(c, CODES[2])  # a third phone on the same Wi-Fi is not held back at all
    assert status == 200 and JOINED in text
    ticks.now += 61
    assert JOINED in attempt(a, CODES[0])[1]


@pytest.mark.slow
def test_the_room_still_gets_sixty_wrong_tries_a_minute(phones: list[TestClient], ticks: Ticks) -> None:
    """A guesser who drops the cookie after every try is a fresh phone each time: the
    room-wide limit still holds it (and everyone else) to 60 a minute."""
    guesser, honest, _ = phones
    seen = []
    for n in range(60):
        guesser.cookies.clear()
        assert attempt(guesser, "ZZZZ9999")[0] == 403, n
        seen.append(dict(guesser.cookies))
    assert len({c[web.VISITOR_COOKIE] for c in seen}) == 60  # a fresh id each time
    assert (web.MAX_FAILS_PER_PHONE, web.MAX_FAILS_TOTAL) == (5, 60)  # what the README promises
    guesser.cookies.clear()
    assert attempt(guesser, CODES[0])[0] == 429
    assert attempt(honest, CODES[1])[0] == 429  # the whole room waits
    ticks.now += 30
    assert attempt(honest, CODES[1])[0] == 429
    ticks.now += 31
    assert JOINED in attempt(honest, CODES[1])[1]


def test_each_phone_gets_its_own_unguessable_id_on_its_first_visit(phones: list[TestClient]) -> None:
    a, b, _ = phones
    first = a.get("/")
    cookie = next(h for h in first.headers.get_list("set-cookie") if h.startswith(web.VISITOR_COOKIE + "="))
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    b.get("/")
    mine, theirs = a.cookies[web.VISITOR_COOKIE], b.cookies[web.VISITOR_COOKIE]
    assert mine != theirs and len(mine) >= 22  # 128 random bits
    a.get("/")
    assert a.cookies[web.VISITOR_COOKIE] == mine  # kept, not reissued on every page
    attempt(a, "ZZZZ9999")
    assert a.cookies[web.VISITOR_COOKIE] == mine


def test_an_id_the_server_did_not_make_is_replaced(app: Starlette) -> None:
    for made_up in ("x" * 5000, "A" * 22 + "." + "0" * 32, "A" * 22):
        with TestClient(app) as phone:
            phone.cookies.update({web.VISITOR_COOKIE: made_up, web.CSRF_COOKIE: "token"})
            r = phone.post("/join", data={"code": "ZZZZ9999", "csrf": "token"})
            given = [h for h in r.headers.get_list("set-cookie") if h.startswith(web.VISITOR_COOKIE + "=")]
            assert r.status_code == 403 and len(given) == 1 and made_up not in given[0]


def test_pin_phones_behind_one_address_each_get_their_own_five_tries(ps: Session, ticks: Ticks) -> None:  # noqa: F811
    app = create_app(Gate(ps), clock=ticks, desk_token="desk")
    with TestClient(app, follow_redirects=True) as a, TestClient(app, follow_redirects=True) as b:
        for _ in range(5):
            assert attempt(a, "000000")[0] == 403
        assert attempt(a, PIN)[0] == 429
        assert attempt(b, "000000")[0] == 403
        assert JOINED in attempt(b, PIN)[1]
