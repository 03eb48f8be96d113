"""Batch hints: a join slow-hashes a code under the salt of the batch that may hold it, not
under every batch's; batches written before hints still admit their codes; nothing stored
gives a code away in clear."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from support.web import VOTE_AGENDA, field

from retreat import agenda as agenda_mod
from retreat.clock import FakeClock
from retreat.meeting import phone_codes
from retreat.meeting.engine import Cmd
from retreat.meeting.session import Session, load
from retreat.web.app import create_app
from retreat.web.gate import Gate

# Three printed batches of 20 codes, one salt each (fixed here, random in `retreat codes`).
BATCHES = {f"salt-{n}": [f"{n}{letter}{k:02d}ABCDE".replace("0", "Z").replace("1", "Y")[:8]
                         for letter in "HJ" for k in range(10)] for n in (2, 3, 4)}
OLD_SALT, OLD_CODE = "old-salt", "QQQQ7777"


def test_the_batches_codes_are_well_formed() -> None:
    codes = [c for batch in BATCHES.values() for c in batch]
    assert len(set(codes)) == 60
    assert all(len(c) == 8 and set(c) <= set(phone_codes.CODE_ALPHABET) for c in codes)


@pytest.fixture
def hs(tmp_path: Path, clock: FakeClock) -> Iterator[Session]:
    """The vote, started, with a batch written before hints and the three batches with hints."""
    s = Session.create(tmp_path / "h.retreat", agenda_mod.load(VOTE_AGENDA), clock)
    s.handle(Cmd.ISSUE_CODES, {"salt": OLD_SALT, "hashes": [phone_codes.hash_code(OLD_CODE, OLD_SALT)]})
    for salt, codes in BATCHES.items():
        s.handle(Cmd.ISSUE_CODES, phone_codes.issued(codes, "g1", salt=salt))
    s.handle(Cmd.START)
    yield s
    s.close()


@pytest.fixture
def slow_hashes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every slow hash computed from now on: (salt, rounds)."""
    calls: list[tuple[str, int]] = []
    real: Callable[[str, str, int], str] = phone_codes.hash_code

    def counted(code: str, salt: str, rounds: int = phone_codes.LEGACY_ROUNDS) -> str:
        calls.append((salt, rounds))
        return real(code, salt, rounds)

    monkeypatch.setattr(phone_codes, "hash_code", counted)
    return calls


def new_batches(book: phone_codes.CodeBook) -> list[phone_codes.Batch]:
    return [b for b in book.batches if b.salt != OLD_SALT]


def test_a_batch_stores_its_rounds_and_one_short_hint_per_code(hs: Session) -> None:
    batches = new_batches(hs.state.codes)
    assert [b.salt for b in batches] == list(BATCHES)
    for batch, codes in zip(batches, BATCHES.values(), strict=True):
        assert batch.rounds == phone_codes.CODE_ROUNDS < phone_codes.LEGACY_ROUNDS
        assert batch.hint_bits == 20 .bit_length() + 2 == 7  # 128 values for 20 codes
        assert batch.hints == {phone_codes.code_hint(c, batch.salt, 7) for c in codes}
    assert load(hs.path).state.codes == hs.state.codes  # read back from the file (typed payload), replayed


def test_the_hint_selects_the_batch(hs: Session) -> None:
    batches = new_batches(hs.state.codes)
    for salt, codes in BATCHES.items():
        for code in codes:
            holding = [b.salt for b in batches if b.may_hold(code)]
            assert salt in holding
    # Another batch's hints let a code through about 1 time in 7 here (1 - (127/128)^20):
    # 60 codes x 2 other batches = 120 chances, about 17 expected.
    strays = sum(b.may_hold(c) for salt, codes in BATCHES.items() for c in codes for b in batches if b.salt != salt)
    assert strays < 40


def test_a_code_of_the_second_batch_joins_with_one_slow_hash(hs: Session,
                                                             slow_hashes: list[tuple[str, int]]) -> None:
    book = hs.state.codes
    # A code that no other batch's hints let through (most of them are).
    code = next(c for c in BATCHES["salt-3"]
                if [b.salt for b in new_batches(book) if b.may_hold(c)] == ["salt-3"])
    with TestClient(create_app(Gate(hs))) as phone:
        csrf = field(phone.get("/").text, "csrf")
        slow_hashes.clear()
        page = phone.post("/join", data={"code": code.lower(), "csrf": csrf})
        assert page.status_code == 200 and "rt_phone" in phone.cookies
    # One for its own batch, one for the batch written before hints (it may hold any code).
    assert sorted(slow_hashes) == sorted([("salt-3", phone_codes.CODE_ROUNDS), (OLD_SALT, phone_codes.LEGACY_ROUNDS)])


@pytest.mark.slow
def test_without_an_old_batch_a_join_costs_about_one_slow_hash(tmp_path: Path, clock: FakeClock,
                                                               slow_hashes: list[tuple[str, int]]) -> None:
    with Session.create(tmp_path / "n.retreat", agenda_mod.load(VOTE_AGENDA), clock) as s:
        for salt, codes in BATCHES.items():
            s.handle(Cmd.ISSUE_CODES, phone_codes.issued(codes, None, salt=salt))
        book = s.state.codes
        second = next(c for c in BATCHES["salt-3"] if [b.salt for b in book.batches if b.may_hold(c)] == ["salt-3"])
        slow_hashes.clear()
        assert phone_codes.admitted_code(book, second) is not None
        assert slow_hashes == [("salt-3", phone_codes.CODE_ROUNDS)]  # not one per batch
        slow_hashes.clear()
        for codes in BATCHES.values():
            for code in codes:
                assert phone_codes.admitted_code(book, code) is not None
    assert len(slow_hashes) < 60 * 1.4  # without hints: 180 (3 batches); with them 60 + strays
    assert 60 <= len(slow_hashes)


def test_a_code_of_a_batch_written_before_hints_still_joins(hs: Session,
                                                            slow_hashes: list[tuple[str, int]]) -> None:
    with TestClient(create_app(Gate(hs))) as phone:
        csrf = field(phone.get("/").text, "csrf")
        page = phone.post("/join", data={"code": "qqqq-7777", "csrf": csrf})
        assert page.status_code == 200 and "rt_phone" in phone.cookies
    assert (OLD_SALT, phone_codes.LEGACY_ROUNDS) in slow_hashes
    assert phone_codes.find_code(hs.state.codes, OLD_CODE) == phone_codes.hash_code(OLD_CODE, OLD_SALT)


def test_a_wrong_code_is_refused(hs: Session) -> None:
    book = hs.state.codes
    for wrong in ("ZZZZ-ZZZZ", "2HZZABCE", "QQQQ7778"):
        assert phone_codes.admitted_code(book, wrong) is None
        assert phone_codes.find_code(book, wrong) is None
    with TestClient(create_app(Gate(hs))) as phone:
        csrf = field(phone.get("/").text, "csrf")
        page = phone.post("/join", data={"code": "ZZZZ-ZZZZ", "csrf": csrf})
        assert page.status_code == 403 and "rt_phone" not in phone.cookies


def test_a_revoked_code_with_hints_is_found_and_refused(hs: Session) -> None:
    code = BATCHES["salt-4"][5]
    digest = phone_codes.find_code(hs.state.codes, code)
    assert digest == phone_codes.hash_code(code, "salt-4", phone_codes.CODE_ROUNDS)
    hs.handle(Cmd.REVOKE_CODE, digest)
    assert phone_codes.admitted_code(hs.state.codes, code) is None


def test_the_stored_batches_hold_no_code_in_clear(hs: Session) -> None:
    hs.close()
    with sqlite3.connect(hs.path) as db:
        payloads = [r[0] for r in db.execute("SELECT data FROM events WHERE kind = 'codes_issued'")]
    assert len(payloads) == 4
    raw = Path(hs.path).read_bytes() + "".join(payloads).encode()
    for code in [OLD_CODE, *(c for codes in BATCHES.values() for c in codes)]:
        assert code.encode() not in raw and phone_codes.shown(code).encode() not in raw
        assert code.lower().encode() not in raw
    # Each hint is 7 bits: far too few to tell the code; the hashes are PBKDF2 outputs.
    batches = new_batches(load(hs.path).state.codes)
    assert all(len(h) <= 2 for b in batches for h in b.hints)


def test_a_batch_without_its_hints_is_a_bug_not_a_half_batch(hs: Session) -> None:
    value = phone_codes.issued(["RRRR8888"], None, salt="x")
    value["hints"] = []
    with pytest.raises(TypeError):
        hs.handle(Cmd.ISSUE_CODES, value)
