"""What a count returns: winners, ranking, every round, and every tie that had to be broken.

Candidates appear by name (exactly as in the ballot file); values are exact fractions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any


@dataclass(frozen=True)
class Tie:
    """A tie that was broken: in which round, among whom, for what, by which rule, with which seed."""

    round: int | None
    candidates: tuple[str, ...]
    purpose: str
    rule: str
    chosen: str
    seed: int | None = None

    def describe(self) -> str:
        """One sentence for people: the JSON 'rule' field."""
        return f"{self.purpose}: {self.rule} -> {self.chosen}"


@dataclass(frozen=True)
class Transfer:
    """Votes moving from one candidate's pile: a surplus or an eliminated candidate's ballots."""

    source: str
    kind: str  # "surplus" or "elimination"
    ratio: Fraction  # the factor applied to each ballot's value (1 for an elimination)
    to: dict[str, Fraction]
    exhausted: Fraction


@dataclass
class Round:
    """One round: the tallies it started from and what happened in it."""

    number: int
    tallies: dict[str, Fraction]
    elected: list[str] = field(default_factory=list)
    eliminated: list[str] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)
    exhausted: Fraction = Fraction(0)
    quota: Fraction | None = None
    note: str = ""
    pairwise: dict[str, dict[str, int]] | None = None


@dataclass
class Result:
    """The outcome of one count, complete enough to re-check by hand."""

    method: str
    seats: int
    candidates: tuple[str, ...]
    winners: list[str]
    ranking: list[list[str]] | None
    rounds: list[Round]
    ties: list[Tie]
    quota: Fraction | None = None
    rule: str = ""
    valid: int = 0
    exhausted: Fraction = Fraction(0)


def number(value: Fraction | int) -> int | float:
    """A JSON number: whole values stay integers, others become the nearest float."""
    f = Fraction(value)
    return f.numerator if f.denominator == 1 else float(f)


def round_to_json(r: Round) -> dict[str, Any]:
    out: dict[str, Any] = {
        "round": r.number,
        "tallies": {k: number(v) for k, v in r.tallies.items()},
        "quota": None if r.quota is None else number(r.quota),
        "elected": list(r.elected),
        "eliminated": list(r.eliminated),
        "transfers": [
            {
                "from": t.source,
                "kind": t.kind,
                "ratio": number(t.ratio),
                "to": {k: number(v) for k, v in t.to.items()},
                "exhausted": number(t.exhausted),
            }
            for t in r.transfers
        ],
        "exhausted": number(r.exhausted),
        "note": r.note,
    }
    if r.pairwise is not None:
        out["pairwise"] = r.pairwise
    return out


def result_to_json(result: Result, rejected: list[tuple[int, str, int]]) -> dict[str, Any]:
    """The `retreat tally --format json` object; `rejected` holds (line, reason, weight)."""
    return {
        "method": result.method,
        "seats": result.seats,
        "winners": list(result.winners),
        "ranking": result.ranking,
        "rounds": [round_to_json(r) for r in result.rounds],
        "ties": [
            {"round": t.round, "candidates": list(t.candidates), "rule": t.describe(),
             "seed": t.seed}
            for t in result.ties
        ],
        "quota": None if result.quota is None else number(result.quota),
        "ballots": {
            "valid": result.valid,
            "rejected": sum(w for _, _, w in rejected),
            "exhausted": number(result.exhausted),
        },
        "rejected": [{"line": line, "reason": reason} for line, reason, _ in rejected],
    }
