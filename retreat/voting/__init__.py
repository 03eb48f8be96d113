"""Ballots and tallies, pure: parse text handed in, count, return a Result. No I/O, no clock.

    profile = read_ballots(text, "votes.blt")
    result = count(profile, "stv", seats=5, quota="droop", seed=1234)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from retreat.voting.ballots import Profile, Rejection, is_digits
from retreat.voting.result import Result, Round, Tie, Transfer

METHODS = ("stv", "irv", "borda", "schulze", "ranked_pairs", "approval", "plurality")
QUOTAS = ("droop", "hagenbach-bischoff")


def read_ballots(
    text: str | Iterable[str], source: str = "<ballots>", candidates_text: str | None = None,
    candidates_source: str = "<candidates>", *, aggregate: bool = False,
) -> Profile:
    """Read BLT, CSV or JSON (told by the file name's extension, else by the content).

    `text` is the whole text or chunks of it (e.g. a file read piece by piece: BLT and CSV
    are then read as a stream). `aggregate`: equal rankings become one row with their summed
    weight (memory follows the distinct rankings; what counting needs), instead of one row
    per ballot in file order (what an import needs).
    """
    from retreat.errors import BallotError
    from retreat.voting.blt import read_blt
    from retreat.voting.csvjson import read_candidates, read_csv, read_json

    cands = read_candidates(candidates_text, candidates_source) if candidates_text else None
    chunks = _Peekable(text)
    kind = _kind(chunks.head, source)
    if kind == "json":
        return read_json(chunks, source, cands, aggregate=aggregate)
    if kind == "csv":
        return read_csv(chunks, source, cands, aggregate=aggregate)
    profile = read_blt(chunks, source, aggregate=aggregate)
    if cands is not None:
        if len(cands.names) != len(profile.candidates):
            raise BallotError(
                f"{candidates_source}: lists {len(cands.names)} candidates but {source} has "
                f"{len(profile.candidates)}."
            )
        profile.candidates = tuple(cands.names)
    return profile


class _Peekable:
    """Chunks of text whose beginning (up to the first non-blank text) is read ahead."""

    def __init__(self, text: str | Iterable[str]) -> None:
        self._it: Iterator[str] = iter([text] if isinstance(text, str) else text)
        self._ahead: list[str] = []
        for chunk in self._it:
            self._ahead.append(chunk)
            if chunk.strip():
                break
        self.head = "".join(self._ahead)

    def __iter__(self) -> Iterator[str]:
        yield from self._ahead
        self._ahead = []
        yield from self._it


def _kind(head: str, source: str) -> str:
    lower = source.lower()
    for ext in ("blt", "csv", "json"):
        if lower.endswith("." + ext):
            return ext
    body = head.removeprefix("\ufeff").lstrip()
    if body.startswith(("{", "[")):
        return "json"
    first = body.split("\n", 1)[0]
    parts = first.split()
    return "blt" if len(parts) == 2 and all(is_digits(p) for p in parts) else "csv"


def count(
    profile: Profile, method: str = "stv", seats: int = 1, quota: str = "droop", seed: int = 0
) -> Result:
    """Count a profile by one method; `seed` drives any lot (report it to make it replayable)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    if seats < 1:
        raise ValueError("seats must be at least 1")
    if method == "stv":
        from retreat.voting.stv import stv

        return stv(profile, seats, quota, seed)
    if method == "irv":
        from retreat.voting.irv import irv

        return irv(profile, seats, seed)
    if method == "schulze":
        from retreat.voting.condorcet import schulze

        return schulze(profile, seats, seed)
    if method == "ranked_pairs":
        from retreat.voting.condorcet import ranked_pairs

        return ranked_pairs(profile, seats, seed)
    from retreat.voting.scoring import score_method

    return score_method(method, profile, seats, seed)


__all__ = ["METHODS", "QUOTAS", "Profile", "Rejection", "Result", "Round", "Tie", "Transfer",
           "count", "read_ballots"]
