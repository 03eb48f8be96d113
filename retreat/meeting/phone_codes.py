"""What lets a phone in: one-time join codes printed on slips, or the meeting's PIN.

Pure like the engine: `decide_*` turn commands into events (or refuse them) and
`apply_codes` folds them into the `CodeBook`. The log keeps only salted, slow hashes of
the codes, so a copied session file does not give them away; the codes in clear exist
only on the printed slips (`retreat codes`) or the demo's terminal. The CLI, the demo and
the phone server all make and check codes here, so none of them imports another.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import cast

from retreat.agenda import Agenda
from retreat.errors import CommandRefused
from retreat.i18n import _
from retreat.meeting.events import CodeRevoked, CodesIssued, Event, EventKind, PinSet, Stamp

CODE_EVENTS = frozenset({EventKind.CODES_ISSUED, EventKind.CODE_REVOKED, EventKind.PIN_SET})
PIN_PHONE = "pin:"  # + a random device id: what stands for a code when a phone joined with the PIN
PIN_LENGTH = 6
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 symbols: no 0/O, no 1/I
CODE_LENGTH = 8  # 8 x 5 bits = 40 bits
_CODE_ROUNDS = 20_000  # a slow hash: a copied session file does not give the codes away cheaply


@dataclass
class CodeBook:
    """Join codes, as salted hashes only: (salt, hash) -> group; revoked hashes."""

    salts: list[str] = field(default_factory=list)
    groups: dict[str, str | None] = field(default_factory=dict)  # hash -> group
    revoked: set[str] = field(default_factory=set)
    pin: str | None = None  # the meeting's PIN, when the agenda lets phones join with one

    def valid(self, digest: str) -> bool:
        if digest.startswith(PIN_PHONE):
            return self.pin is not None
        return digest in self.groups and digest not in self.revoked


def decide_pin(agenda: Agenda, book: CodeBook, pin: str, now: Stamp) -> list[Event]:
    if agenda.meeting.join != "pin":
        raise CommandRefused(_("phones join this meeting with codes (the agenda's meeting.join), not with a PIN"))
    if book.pin is not None:
        raise CommandRefused(_("this meeting already has its PIN"))
    if len(pin) != PIN_LENGTH or not pin.isdigit() or not pin.isascii():
        raise CommandRefused(_("a PIN is {n} digits").format(n=PIN_LENGTH))
    return [Event(EventKind.PIN_SET, now, PinSet(pin=pin))]


def decide_codes(agenda: Agenda, value: Mapping[str, object], now: Stamp) -> list[Event]:
    hashes = [str(h) for h in cast("list[object]", value.get("hashes") or [])]
    salt = str(value.get("salt") or "")
    if not hashes or not salt:
        raise CommandRefused(_("no codes to issue"))
    group = value.get("group")
    if group is not None and group not in {g.id for g in agenda.groups}:
        names = ", ".join(g.id for g in agenda.groups) or "-"
        raise CommandRefused(_('"{group}" is not a working group of this meeting; one of: {names}').format(
            group=group, names=names))
    return [Event(EventKind.CODES_ISSUED, now,
                  CodesIssued(salt=salt, hashes=hashes, group=None if group is None else str(group)))]


def decide_revoke(book: CodeBook, digest: str, now: Stamp) -> list[Event]:
    if digest not in book.groups:
        raise CommandRefused(_("no such code was issued for this session"))
    if digest in book.revoked:
        raise CommandRefused(_("that code is already revoked"))
    return [Event(EventKind.CODE_REVOKED, now, CodeRevoked(hash=digest))]


def apply_codes(book: CodeBook, event: Event) -> None:
    if event.kind is EventKind.CODES_ISSUED:
        codes = cast(CodesIssued, event.data)
        if codes["salt"] not in book.salts:
            book.salts.append(codes["salt"])
        for digest in codes["hashes"]:
            book.groups[digest] = codes.get("group")
    elif event.kind is EventKind.CODE_REVOKED:
        book.revoked.add(cast(CodeRevoked, event.data)["hash"])
    elif event.kind is EventKind.PIN_SET:
        book.pin = cast(PinSet, event.data)["pin"]


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _n in range(CODE_LENGTH))


def new_pin() -> str:
    return f"{secrets.randbelow(10**PIN_LENGTH):0{PIN_LENGTH}d}"


def shown(code: str) -> str:
    """A code as printed: two groups of four are easier to copy from a slip."""
    return f"{code[:4]}-{code[4:]}"


def issued(codes: list[str], group: str | None) -> dict[str, object]:
    """The ISSUE_CODES command's value for fresh codes: a new salt and their hashes, never the codes."""
    salt = secrets.token_hex(16)
    return {"salt": salt, "hashes": [hash_code(c, salt) for c in codes], "group": group}


def normalise_code(text: str) -> str:
    # NFKC: a Chinese input method may type the slip's letters and digits full-width.
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).upper() if ch not in " -\t")


def hash_code(code: str, salt: str) -> str:
    return hashlib.pbkdf2_hmac("sha256", normalise_code(code).encode(), salt.encode(), _CODE_ROUNDS).hex()


def find_code(book: CodeBook, code: str) -> str | None:
    """The stored hash of a code, if it was issued (revoked or not)."""
    return issued_among(book, code, code_hashes(code, book.salts))


def code_hashes(code: str, salts: list[str]) -> dict[str, str]:
    """What a typed code hashes to under each salt (none for what cannot be a code).

    The slow part of checking a code, and it needs no lock: the phone server computes it
    before it takes the session's lock, for the salts it knows, then looks them up there."""
    code = normalise_code(code)
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return {}
    return {salt: hash_code(code, salt) for salt in salts}


def issued_among(book: CodeBook, code: str, hashes: dict[str, str]) -> str | None:
    """`find_code` given the code's `code_hashes`; a salt issued since they were computed
    (a batch printed meanwhile) is hashed here."""
    missing = [salt for salt in book.salts if salt not in hashes]
    if missing:
        hashes = {**hashes, **code_hashes(code, missing)}
    for salt in book.salts:
        digest = hashes.get(salt)
        if digest is not None and digest in book.groups:
            return digest
    return None


def admitted_code(book: CodeBook, code: str, hashes: dict[str, str] | None = None) -> str | None:
    """The stored hash of a code a phone may join with now: issued and not revoked
    (`hashes`: its `code_hashes`, computed beforehand)."""
    digest = find_code(book, code) if hashes is None else issued_among(book, code, hashes)
    return digest if digest is not None and book.valid(digest) else None


def pin_matches(book: CodeBook, typed: str) -> bool:
    """Whether what a phone typed is the meeting's PIN (anything but digits is ignored)."""
    # Full-width digits from a Chinese input method count as digits (NFKC); then ASCII only:
    # str.isdigit also accepts ١, which compare_digest refuses (that was a 500 page).
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", typed) if ch in "0123456789")
    return book.pin is not None and secrets.compare_digest(digits, book.pin)
