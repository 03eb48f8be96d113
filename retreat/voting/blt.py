"""BLT, the ballot format of STV counting programs (OpenSTV, OpaVote, Droop): read and write.

    3 2                  candidates seats
    -2                   optional: withdrawn candidates, as negative numbers
    [tie 3 2 1]          optional Droop option lines: [withdrawn ...] and [tie ...] are honoured
    4 1 2 0              weight, preferences (1-based candidate numbers), 0
    (b7) 1 3 0           a ballot id in parentheses stands for weight 1
    0                    end of ballots
    "Castor"             one quoted name per candidate
    "Pollux"
    "Helen"
    "The title"          anything after the title is ignored
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from retreat.errors import BallotError
from retreat.voting.ballots import PAD, IntArray, Profile, Rejection, build_profile, rows_to_matrix

_QUOTED = re.compile(r'"([^"]*)"')
_FAST_BLOCK = re.compile(r"[^0-9 \t\n]")
_LINE_END = re.compile(r"[ \t]0[ \t]*(?:\n|$)")


def read_blt(text: str, source: str = "<blt>") -> Profile:
    """Parse BLT text. File-level problems raise BallotError; bad ballots become rejections."""
    lines = text.removeprefix("\ufeff").splitlines()
    at = _next_nonblank(lines, 0)
    if at is None:
        raise BallotError(f"{source}: the file is empty; expected a BLT header 'candidates seats'.")
    n_cand, seats = _header(lines[at], source, at + 1)
    withdrawn: set[int] = set()
    tie_order: tuple[int, ...] | None = None
    warnings: list[str] = []
    at += 1
    while True:
        nxt = _next_nonblank(lines, at)
        if nxt is None:
            raise BallotError(f"{source}: no ballots and no end marker '0' after the header.")
        at = nxt
        first = lines[at].split()[0]
        if first.startswith("["):
            tie = _option(lines[at], n_cand, withdrawn, warnings, source, at + 1)
            tie_order = tie if tie is not None else tie_order
        elif first.startswith("-") and first[1:].isdigit():
            withdrawn.update(_candidate_numbers(lines[at].split(), n_cand, source, at + 1, neg=True))
        else:
            break
        at += 1
    end = _end_marker(lines, at, source)
    matrix, weights, line_numbers, rejected = _ballots(lines, at, end, source)
    names, title = _names(lines, end + 1, n_cand, source)
    return build_profile(
        names, matrix, weights, line_numbers, rejected=rejected, withdrawn=frozenset(withdrawn),
        seats=seats, tie_order=tie_order, title=title, warnings=warnings,
    )


def _next_nonblank(lines: Sequence[str], at: int) -> int | None:
    while at < len(lines):
        if lines[at].strip():
            return at
        at += 1
    return None


def _header(line: str, source: str, number: int) -> tuple[int, int]:
    parts = line.split()
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise BallotError(
            f"{source}:{number}: expected the BLT header 'candidates seats' (two whole numbers), "
            f"found {line.strip()!r}."
        )
    n_cand, seats = int(parts[0]), int(parts[1])
    if n_cand < 1:
        raise BallotError(f"{source}:{number}: the header declares no candidates.")
    return n_cand, seats


def _candidate_numbers(
    tokens: Sequence[str], n_cand: int, source: str, number: int, *, neg: bool = False
) -> list[int]:
    out = []
    for tok in tokens:
        digits = tok[1:] if neg and tok.startswith("-") else tok
        if not digits.isdigit() or not 1 <= int(digits) <= n_cand:
            raise BallotError(
                f"{source}:{number}: {tok!r} is not a candidate number 1..{n_cand}."
            )
        out.append(int(digits) - 1)
    return out


def _option(
    line: str, n_cand: int, withdrawn: set[int], warnings: list[str], source: str, number: int
) -> tuple[int, ...] | None:
    body = line.strip()
    if not body.endswith("]"):
        raise BallotError(f"{source}:{number}: option line {body!r} does not end with ']'.")
    tokens = body[1:-1].split()
    name, args = (tokens[0], tokens[1:]) if tokens else ("", [])
    if name == "withdrawn":
        withdrawn.update(_candidate_numbers(args, n_cand, source, number))
        return None
    if name == "tie":
        order = _candidate_numbers(args, n_cand, source, number)
        if sorted(order) != list(range(n_cand)):
            raise BallotError(
                f"{source}:{number}: a [tie] line must list each of the {n_cand} candidates "
                "exactly once."
            )
        return tuple(order)
    warnings.append(f"{source}:{number}: option line {body!r} is not supported and was ignored.")
    return None


def _end_marker(lines: Sequence[str], at: int, source: str) -> int:
    try:
        return list.index(list(lines), "0", at)  # the usual, exact "0": a C-speed search
    except ValueError:
        pass
    for i in range(at, len(lines)):
        if lines[i].strip() == "0":
            return i
    raise BallotError(f"{source}: no end-of-ballots line '0' was found.")


def _ballots(
    lines: Sequence[str], start: int, end: int, source: str
) -> tuple[IntArray, IntArray, IntArray, list[Rejection]]:
    block = "\n".join(lines[start:end])
    if not _FAST_BLOCK.search(block):
        fast = _fast_ballots(lines, start, end, block)
        if fast is not None:
            return fast
    rows: list[list[int]] = []
    weights: list[int] = []
    numbers: list[int] = []
    rejected: list[Rejection] = []
    for i in range(start, end):
        if not lines[i].strip():
            continue
        parsed = _ballot_line(lines[i])
        if isinstance(parsed, str):
            rejected.append(Rejection(i + 1, parsed, _weight_guess(lines[i])))
            continue
        weights.append(parsed[0])
        rows.append(parsed[1])
        numbers.append(i + 1)
    return (
        rows_to_matrix(rows),
        np.array(weights, dtype=np.int64),
        np.array(numbers, dtype=np.int64),
        rejected,
    )


def _fast_ballots(
    lines: Sequence[str], start: int, end: int, block: str
) -> tuple[IntArray, IntArray, IntArray, list[Rejection]] | None:
    """All-digit ballot lines, one ballot per line: parse them as one array (100x faster)."""
    count = end - start
    ends = block.count(" 0\n") + block.endswith(" 0")  # str.count is C-fast; regex if spaces
    if count == 0 or (ends != count and len(_LINE_END.findall(block)) != count):
        return None  # some line does not end with " 0"
    values = np.fromstring(block, dtype=np.int64, sep=" ")
    zeros = np.flatnonzero(values == 0)
    if len(zeros) != count:
        return None  # blank lines, zero weights or a 0 inside a ranking: let the slow path say
    begins = np.concatenate(([0], zeros[:-1] + 1))
    weights = values[begins]
    lengths = zeros - begins - 1
    width = max(int(lengths.max()), 1)
    matrix = np.full((count, width), PAD, dtype=np.int64)
    row = np.repeat(np.arange(count), lengths)
    pref_at = np.arange(len(values))
    is_pref = np.ones(len(values), dtype=bool)
    is_pref[begins] = False
    is_pref[zeros] = False
    col = pref_at[is_pref] - begins[row] - 1
    matrix[row, col] = values[is_pref] - 1
    numbers = np.arange(start + 1, end + 1, dtype=np.int64)
    return matrix, weights, numbers, []


def _weight_guess(line: str) -> int:
    first = line.split()[0] if line.split() else ""
    return int(first) if first.isdigit() and int(first) > 0 else 1


def _ballot_line(line: str) -> tuple[int, list[int]] | str:
    """(weight, 0-based ranking) or the reason the line cannot be counted."""
    text = line.strip()
    weight = 1
    if text.startswith("("):
        close = text.find(")")
        if close < 0:
            return "ballot id in parentheses is not closed"
        text = text[close + 1 :].strip()
        tokens = text.split()
    else:
        tokens = text.split()
        if not tokens[0].isdigit():
            return f"weight {tokens[0]!r} is not a whole number"
        weight = int(tokens.pop(0))
        if weight == 0:
            return "weight 0 (only the end-of-ballots line may be 0)"
    if not tokens or tokens[-1] != "0":
        return "ballot line does not end with 0"
    ranking = []
    for tok in tokens[:-1]:
        if "=" in tok:
            return f"equal preferences {tok!r}: the methods here need a strict order"
        if not tok.isdigit() or tok == "0":
            return f"{tok!r} is not a candidate number"
        ranking.append(int(tok) - 1)
    return weight, ranking


def _names(lines: Sequence[str], at: int, n_cand: int, source: str) -> tuple[list[str], str]:
    rest = "\n".join(lines[at:])
    quoted = _QUOTED.findall(rest)
    if len(quoted) < n_cand:
        raise BallotError(
            f"{source}: the header declares {n_cand} candidates but {len(quoted)} quoted names "
            "follow the end-of-ballots line."
        )
    names = quoted[:n_cand]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise BallotError(f"{source}: candidate name {dup[0]!r} appears twice.")
    title = quoted[n_cand] if len(quoted) > n_cand else ""
    return names, title


def write_blt(profile: Profile, seats: int | None = None, title: str | None = None) -> str:
    """The profile as BLT text (rejected ballots are not written: they were never counted)."""
    n_cand = len(profile.candidates)
    out = [f"{n_cand} {seats if seats is not None else (profile.seats or 1)}"]
    if profile.withdrawn:
        out.append(" ".join(f"-{c + 1}" for c in sorted(profile.withdrawn)))
    if profile.tie_order is not None:
        out.append("[tie " + " ".join(str(c + 1) for c in profile.tie_order) + "]")
    for row, weight in zip(profile.rankings.tolist(), profile.weights.tolist(), strict=True):
        prefs = " ".join(str(c + 1) for c in row if c != PAD)
        out.append(f"{weight} {prefs} 0")
    out.append("0")
    for name in [*profile.candidates, profile.title if title is None else title]:
        if '"' in name or "\n" in name:
            raise BallotError(f"{name!r} cannot be written to BLT: it contains a quote or newline.")
        out.append(f'"{name}"')
    return "\n".join(out) + "\n"
