"""Which browser is which phone: the cookies this server gives, and the wrong tries it counts.

A phone that joined carries a random cookie; the session's scratch table keeps only the
cookie's hash, with the code (its stored hash) or the PIN device id it joined with, so a
restart forgets nothing and a copied session file lets nobody act as that phone. Every
browser also gets a visitor cookie, signed by this server, so that wrong codes or PINs
are counted per browser and for the whole room.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retreat.meeting.session import Session

# Wrong codes or PINs. Per phone means per browser (its visitor cookie), not per network
# address: a hall's Wi-Fi behind NAT, or a proxy, shows every phone with the same address.
MAX_FAILS_PER_PHONE = 5  # wrong tries per visitor per window
MAX_FAILS_TOTAL = 60  # wrong tries from everyone per window (slows a room-wide guessing attempt)
FAIL_WINDOW = 60.0  # seconds
PHONE_COOKIE, CSRF_COOKIE, LANG_COOKIE = "rt_phone", "rt_csrf", "rt_lang"
VISITOR_COOKIE = "rt_visitor"  # a browser's own id (random, signed by this server), for counting wrong tries
LANGUAGES = ("zh-CN", "en")
PHONES = "phones"  # scratch space: sha256(cookie) -> {code, group, csrf}


@dataclass
class Phone:
    code: str  # the code's stored hash, or PIN_PHONE + a device id
    group: str | None
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(16))

    def dump(self) -> str:
        return json.dumps({"code": self.code, "group": self.group, "csrf": self.csrf})

    @classmethod
    def load(cls, text: str) -> Phone:
        data = json.loads(text)
        return cls(str(data["code"]), data.get("group"), str(data["csrf"]))


def cookie_key(token: str) -> str:
    """What the store keeps of a phone's cookie: a copied session file lets nobody act as that phone."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class WrongTries:
    """Wrong codes or PINs in the last FAIL_WINDOW seconds: per visitor, and for the whole room.

    A browser that drops its visitor cookie comes back as a fresh visitor: the room-wide
    count is what bounds a guesser. Only visitors with a wrong try in the window are kept."""

    clock: Callable[[], float]
    room: deque[float] = field(default_factory=deque)
    visitors: dict[str, deque[float]] = field(default_factory=dict)

    def _forget(self, now: float) -> None:
        cutoff = now - FAIL_WINDOW
        for key, tries in [("", self.room), *self.visitors.items()]:
            while tries and tries[0] <= cutoff:
                tries.popleft()
            if key and not tries:
                del self.visitors[key]

    def limited(self, visitor: str) -> bool:
        self._forget(self.clock())
        mine = self.visitors.get(visitor, ())
        return len(mine) >= MAX_FAILS_PER_PHONE or len(self.room) >= MAX_FAILS_TOTAL

    def failed(self, visitor: str) -> None:
        now = self.clock()
        self.room.append(now)
        self.visitors.setdefault(visitor, deque()).append(now)


class Phones:
    """The phones that joined (a cache of the store's) and the visitors' signed ids."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.joined: dict[str, Phone] = {}  # cookie -> phone
        self.tries = WrongTries(clock)
        self._secret = secrets.token_bytes(32)

    def _sign(self, token: str) -> str:
        return hmac.new(self._secret, token.encode(), hashlib.sha256).hexdigest()[:32]

    def visitor(self, cookie: str) -> str | None:
        """The visitor id in a cookie this server set; None for a missing, altered or foreign one."""
        token, _, signature = cookie[:100].partition(".")
        return token if token and secrets.compare_digest(signature, self._sign(token)) else None

    def new_visitor(self) -> tuple[str, str]:
        """A fresh visitor id and the cookie that carries it."""
        token = secrets.token_urlsafe(16)
        return token, f"{token}.{self._sign(token)}"

    def phone(self, session: Session, token: str) -> Phone | None:
        if not token:
            return None
        if token not in self.joined:
            stored = session.store.scratch_get(PHONES, cookie_key(token))
            if stored is None:
                return None
            self.joined[token] = Phone.load(stored)
        return self.joined[token]

    def add(self, session: Session, phone: Phone) -> str:
        """Remember a phone that just joined; returns its new cookie."""
        token = secrets.token_urlsafe(24)
        session.store.put_scratch(PHONES, cookie_key(token), phone.dump())
        self.joined[token] = phone
        return token
