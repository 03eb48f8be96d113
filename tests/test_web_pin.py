"""Phones joining with the meeting's PIN (an agenda with `meeting.join: pin`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient
from support import Ticks
from support.web import PIN, VOTE_AGENDA, ballot_form, field, pin_agenda

from retreat import agenda as agenda_mod
from retreat.clock import FakeClock
from retreat.errors import CommandRefused
from retreat.i18n import translator
from retreat.meeting.engine import Cmd
from retreat.meeting.session import Session
from retreat.web.app import create_app
from retreat.web.gate import Gate

tr = translator("zh-CN").gettext


def phone(session: Session, ticks: Ticks) -> TestClient:
    return TestClient(create_app(Gate(session), clock=ticks, desk_token="desk"), follow_redirects=True)


def join(client: TestClient, pin: str = PIN) -> str:
    page = client.get("/")
    return client.post("/join", data={"code": pin, "csrf": field(page.text, "csrf")}).text


def test_the_pin_is_set_once_and_only_where_the_agenda_says(tmp_path: Path, clock: FakeClock, ps: Session) -> None:
    with pytest.raises(CommandRefused):
        ps.handle(Cmd.SET_PIN, "111111")
    codes = Session.create(tmp_path / "c.retreat", agenda_mod.load(VOTE_AGENDA), clock)
    with codes, pytest.raises(CommandRefused):
        codes.handle(Cmd.SET_PIN, PIN)
    for bad in ("12345", "1234567", "12345a", "１２３４５６"):
        fresh = Session.create(tmp_path / f"b{len(bad)}{bad[-1]}.retreat", pin_agenda(), clock)
        with fresh, pytest.raises(CommandRefused):
            fresh.handle(Cmd.SET_PIN, bad)
    assert ps.state.codes.pin == PIN


def test_the_join_page_asks_for_the_pin_and_the_qr_link_fills_it_in(ps: Session, ticks: Ticks) -> None:
    with phone(ps, ticks) as c:
        page = c.get(f"/?pin={PIN}").text
        assert tr("Type the PIN shown on the screen.") in page and f'value="{PIN}"' in page
        assert 'value="<' not in c.get("/?pin=<script>").text


def test_each_phone_that_knows_the_pin_votes_once(ps: Session, ticks: Ticks) -> None:
    with phone(ps, ticks) as a, phone(ps, ticks) as b:
        assert tr("You have joined.") in join(a, "482 913")  # spaces do not matter
        join(b)
        a.post("/vote", data={**ballot_form(a), "ranking": "1", "group": "g1"})
        a.post("/vote", data={**ballot_form(a), "ranking": "2", "group": "g1"})  # a change, not a second ballot
        b.post("/vote", data={**ballot_form(b), "ranking": "3", "group": "g2"})
    counted = ps.state.vote().counted
    assert sorted((b.group, b.ranking) for b in counted) == [("g1", ("room",)), ("g2", ("alliance",))]
    assert all(b.source == "phone" for b in counted)


def test_a_wrong_pin_is_refused_and_guessing_is_rate_limited(ps: Session, ticks: Ticks) -> None:
    with phone(ps, ticks) as c:
        for _n in range(5):
            page = c.get("/")
            r = c.post("/join", data={"code": "000000", "csrf": field(page.text, "csrf")})
            assert r.status_code == 403 and tr("That PIN is not right. Check the screen and try again.") in r.text
        page = c.get("/")
        r = c.post("/join", data={"code": PIN, "csrf": field(page.text, "csrf")})
        assert r.status_code == 429  # even the right PIN waits out the window
        ticks.now += 61
        assert tr("You have joined.") in join(c)


def test_codes_do_not_open_a_pin_meeting(ps: Session, ticks: Ticks) -> None:
    with phone(ps, ticks) as c:
        assert tr("That PIN is not right. Check the screen and try again.") in join(c, "AAAA2222")


def test_a_phone_can_read_the_pages_in_the_other_language(ps: Session, ticks: Ticks) -> None:
    with phone(ps, ticks) as c:
        page = c.get(f"/?pin={PIN}").text
        assert tr("Type the PIN shown on the screen.") in page and 'href="/lang?to=en"' in page
        back = c.get("/lang?to=en", headers={"referer": f"http://testserver/?pin={PIN}"})
        assert "Type the PIN shown on the screen." in back.text and f'value="{PIN}"' in back.text  # same page
        assert 'href="/lang?to=zh-CN"' in back.text and "中文" in back.text
        join(c)
        assert "Your ranking" in c.get("/vote").text  # the choice stays with the phone
        assert "民生实事推荐" in c.get("/vote").text  # the agenda's words are the agenda's
        away = c.get("/lang?to=zh-CN", headers={"referer": "http://elsewhere.example/phish"}, follow_redirects=False)
        assert away.headers["location"] == "/"  # never sent off the laptop
        assert tr("Your ranking") in c.get("/vote").text
        c.get("/lang?to=xx")
        assert tr("Your ranking") in c.get("/vote").text


def test_the_facilitators_page_shows_the_pin_and_offers_no_code_to_revoke(ps: Session, ticks: Ticks) -> None:
    with phone(ps, ticks) as c:
        desk = c.get("/desk?t=desk").text
    assert tr("PIN for this meeting: {pin}").format(pin=PIN) in desk and 'name="revoke"' not in desk
    assert "name=revoke" not in desk


@pytest.mark.parametrize("typed", ["١٢٣٤٥٦", "٠", "ABCDEF"])
def test_a_pin_in_other_digits_is_a_wrong_pin_not_a_crash(ps: Session, ticks: Ticks, typed: str) -> None:
    with phone(ps, ticks) as c:
        page = c.get("/")
        r = c.post("/join", data={"code": typed, "csrf": field(page.text, "csrf")})
        assert r.status_code == 403 and tr("That PIN is not right. Check the screen and try again.") in r.text


def test_a_pin_typed_in_full_width_digits_joins(ps: Session, ticks: Ticks) -> None:
    full_width = "".join(chr(ord(d) - ord("0") + 0xFF10) for d in PIN)  # what a Chinese input method may type
    with phone(ps, ticks) as c:
        assert tr("You have joined.") in join(c, full_width)
