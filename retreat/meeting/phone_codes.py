"""What lets a phone in: one-time join codes printed on slips, or the meeting's PIN.

Pure like the engine: `decide_*` turn commands into events (or refuse them) and
`apply_codes` folds them into the `CodeBook`. The log keeps only salted, slow hashes of
the codes, so a copied session file does not give them away cheaply; the codes in clear
exist only on the printed slips (`retreat codes`) or the demo's terminal. The CLI, the
demo and the phone server all make and check codes here, so none of them imports another.

Each printed batch has its own salt. So that a join costs one slow hash and not one per
batch, a batch also stores, per code, a *hint*: a few bits of a fast keyed hash of the
code under the batch's salt, sized so that a code of another batch matches one of them
1 time in 4 to 9. A typed code is slow-hashed only under the salts whose batch has its hint.
What this costs in secrecy is written out in the README ("Codes, PIN"): the hints let
someone holding the file skip the slow hash for most wrong guesses, so the file gives a
code away a few times faster than without them, for the same work at each join.
Batches written before hints (no `hints`, 20,000 rounds) are slow-hashed for every code.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
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
# PBKDF2-SHA256 rounds of a code's slow hash. Batches written before a batch said its own
# rounds used 20,000 (about 6-8 ms here); a new batch uses 5,000 (1.5-2 ms), with hints so
# that a join costs about one of them whatever the number of batches.
LEGACY_ROUNDS = 20_000
CODE_ROUNDS = 5_000
MIN_ROUNDS, MAX_ROUNDS = 1_000, 10_000_000
HINT_MARGIN = 2  # a batch of n codes has hints of n.bit_length() + 2 bits: 4n to 8n values
MAX_HINT_BITS = 32


@dataclass(frozen=True)
class Batch:
    """One printed batch of codes as the log keeps it: its salt, its rounds and its hints."""

    salt: str
    rounds: int = LEGACY_ROUNDS
    hint_bits: int = 0  # 0: a batch written before hints: any code may be one of it
    hints: frozenset[str] = frozenset()

    def may_hold(self, code: str) -> bool:
        """Whether a (normalised) code may be of this batch: its hint is one of the batch's.
        A few microseconds; False for most codes of other batches."""
        return not self.hint_bits or code_hint(code, self.salt, self.hint_bits) in self.hints


@dataclass
class CodeBook:
    """Join codes, as salted hashes only: (salt, hash) -> group; revoked hashes."""

    batches: list[Batch] = field(default_factory=list)  # in the order issued
    groups: dict[str, str | None] = field(default_factory=dict)  # hash -> group
    revoked: set[str] = field(default_factory=set)
    pin: str | None = None  # the meeting's PIN, when the agenda lets phones join with one

    @property
    def salts(self) -> list[str]:
        return [b.salt for b in self.batches]

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
    data = CodesIssued(salt=salt, hashes=hashes, group=None if group is None else str(group))
    if "rounds" in value or "hints" in value:  # a batch made by `issued` (older callers: neither)
        rounds, bits = value.get("rounds"), value.get("hint_bits")
        hints = [str(h) for h in cast("list[object]", value.get("hints") or [])]
        if (not isinstance(rounds, int) or not MIN_ROUNDS <= rounds <= MAX_ROUNDS
                or not isinstance(bits, int) or not 1 <= bits <= MAX_HINT_BITS or len(hints) != len(hashes)):
            raise TypeError(f"a batch of codes needs rounds, hint_bits and one hint per code, not {dict(value)!r}")
        data["rounds"], data["hint_bits"], data["hints"] = rounds, bits, hints
    return [Event(EventKind.CODES_ISSUED, now, data)]


def decide_revoke(book: CodeBook, digest: str, now: Stamp) -> list[Event]:
    if digest not in book.groups:
        raise CommandRefused(_("no such code was issued for this session"))
    if digest in book.revoked:
        raise CommandRefused(_("that code is already revoked"))
    return [Event(EventKind.CODE_REVOKED, now, CodeRevoked(hash=digest))]


def apply_codes(book: CodeBook, event: Event) -> None:
    if event.kind is EventKind.CODES_ISSUED:
        codes = cast(CodesIssued, event.data)
        hints = codes.get("hints")
        batch = Batch(codes["salt"], codes.get("rounds", LEGACY_ROUNDS), codes.get("hint_bits", 0) if hints else 0,
                      frozenset(hints or ()))
        at = next((i for i, b in enumerate(book.batches) if b.salt == batch.salt), None)
        if at is None:
            book.batches.append(batch)
        else:  # the same salt twice (not done by `issued`): a code of either may be typed
            old = book.batches[at]
            both = old.hint_bits == batch.hint_bits and old.rounds == batch.rounds and old.hint_bits
            book.batches[at] = replace(old, hints=old.hints | batch.hints) if both else replace(old, hint_bits=0)
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


def issued(codes: list[str], group: str | None, salt: str | None = None) -> dict[str, object]:
    """The ISSUE_CODES command's value for fresh codes: a new salt (`salt` only in tests),
    their slow hashes and their hints, never the codes."""
    salt = salt or secrets.token_hex(16)
    bits = hint_bits(len(codes))
    return {"salt": salt, "hashes": [hash_code(c, salt, CODE_ROUNDS) for c in codes], "group": group,
            "rounds": CODE_ROUNDS, "hint_bits": bits, "hints": [code_hint(c, salt, bits) for c in codes]}


def hint_bits(count: int) -> int:
    """How many bits of hint a batch of `count` codes gets: a code of another batch matches
    one of its hints with a chance of about 1 - e^(-count / 2^bits), 1 in 4 to 1 in 8."""
    return min(MAX_HINT_BITS, max(1, count).bit_length() + HINT_MARGIN)


def code_hint(code: str, salt: str, bits: int) -> str:
    """A code's hint in a batch: the first `bits` bits of HMAC-SHA256(salt, code), in hex.

    Fast by design: it only says under which salt the slow hash is worth computing."""
    mac = hmac.digest(salt.encode(), b"hint:" + normalise_code(code).encode(), "sha256")
    return format(int.from_bytes(mac[:8], "big") >> (64 - bits), "x")


def normalise_code(text: str) -> str:
    # NFKC: a Chinese input method may type the slip's letters and digits full-width.
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).upper() if ch not in " -\t")


def hash_code(code: str, salt: str, rounds: int = LEGACY_ROUNDS) -> str:
    """A code's slow hash: PBKDF2-HMAC-SHA256 under the batch's salt."""
    return hashlib.pbkdf2_hmac("sha256", normalise_code(code).encode(), salt.encode(), rounds).hex()


def find_code(book: CodeBook, code: str) -> str | None:
    """The stored hash of a code, if it was issued (revoked or not)."""
    return issued_among(book, code, code_hashes(code, book.batches))


def code_hashes(code: str, batches: Iterable[Batch]) -> dict[str, str]:
    """What a typed code hashes to under the salt of each batch that may hold it ("" for a
    batch whose hints rule it out; nothing at all for what cannot be a code).

    The slow part of checking a code, and it needs no lock: the phone server computes it
    before it takes the session's lock, for the batches it knows, then looks them up there.
    With hints, that is one slow hash for most codes, whatever the number of batches."""
    code = normalise_code(code)
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return {}
    return {b.salt: hash_code(code, b.salt, b.rounds) if b.may_hold(code) else "" for b in batches}


def issued_among(book: CodeBook, code: str, hashes: dict[str, str]) -> str | None:
    """`find_code` given the code's `code_hashes`; a batch issued since they were computed
    (printed meanwhile) is checked here."""
    batches = list(book.batches)
    missing = [b for b in batches if b.salt not in hashes]
    if missing:
        hashes = {**hashes, **code_hashes(code, missing)}
    for batch in batches:
        digest = hashes.get(batch.salt)
        if digest and digest in book.groups:
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
