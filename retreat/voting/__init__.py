"""Ballots and tallies, pure: parse text handed in, count, return a Result. No I/O, no clock.

    profile = read_ballots(text, "votes.blt")
    result = count(profile, "stv", seats=5, quota="droop", seed=1234)
"""

from __future__ import annotations

from retreat.voting.ballots import Profile, Rejection
from retreat.voting.result import Result, Round, Tie, Transfer

METHODS = ("stv", "irv", "borda", "schulze", "ranked_pairs", "approval", "plurality")
QUOTAS = ("droop", "hagenbach-bischoff")


def read_ballots(
    text: str, source: str = "<ballots>", candidates_text: str | None = None,
    candidates_source: str = "<candidates>",
) -> Profile:
    """Read BLT, CSV or JSON (told by the file name's extension, else by the content)."""
    from retreat.errors import BallotError
    from retreat.voting.blt import read_blt
    from retreat.voting.csvjson import read_candidates, read_csv, read_json

    cands = read_candidates(candidates_text, candidates_source) if candidates_text else None
    kind = _kind(text, source)
    if kind == "json":
        return read_json(text, source, cands)
    if kind == "csv":
        return read_csv(text, source, cands)
    profile = read_blt(text, source)
    if cands is not None:
        if len(cands.names) != len(profile.candidates):
            raise BallotError(
                f"{candidates_source}: lists {len(cands.names)} candidates but {source} has "
                f"{len(profile.candidates)}."
            )
        profile.candidates = tuple(cands.names)
    return profile


def _kind(text: str, source: str) -> str:
    lower = source.lower()
    for ext in ("blt", "csv", "json"):
        if lower.endswith("." + ext):
            return ext
    body = text.removeprefix("\ufeff").lstrip()
    if body.startswith(("{", "[")):
        return "json"
    first = body.splitlines()[0] if body else ""
    parts = first.split()
    return "blt" if len(parts) == 2 and all(p.isdigit() for p in parts) else "csv"


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
