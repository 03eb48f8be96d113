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

The text is read as a stream of blocks of lines. With `aggregate`, equal ballot lines are
counted (collections.Counter, at C speed) and each distinct line is parsed once, so memory
follows the number of distinct rankings, not of ballots. Ballot lines of digits and blanks
are parsed a block at a time by numpy; any other line (ids, `=`, stray characters, numbers too
long for int64) by Python, with exact integers. Weights may have up to MAX_DIGITS digits;
a longer one refuses the file.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice
from typing import NamedTuple

import numpy as np

from retreat.errors import BallotError
from retreat.i18n import _
from retreat.voting.ballots import (
    EMPTY,
    INT64_SAFE,
    MAX_CANDIDATES,
    MAX_DIGITS,
    BoolArray,
    CandArray,
    IntArray,
    Profile,
    Rejection,
    WeightArray,
    aggregate,
    brief,
    cand_dtype,
    concat_weights,
    first_repeat,
    is_digits,
    leading,
    ranked_twice,
    unknown_number,
    weight_array,
)
from retreat.voting.stream import Chunks, LineReader

_QUOTED = re.compile(r'"([^"]*)"')
_END_FIRST = re.compile(r"[^\S\n]*0[^\S\n]*\n")  # the end-of-ballots line, first in a block
_END = re.compile(r"\n[^\S\n]*0[^\S\n]*\n")  # ... or after a newline
FLUSH_AT = 1 << 18  # distinct ballot lines held before they are merged into rankings
LONG_TOKEN = 19  # digits from which a number may not fit int64: such lines go to Python
_TOKEN = re.compile(r"\S+")
_BLANK = re.compile(r"\s")
WINDOW = 1 << 20  # characters of a long ballot line looked at a time

Reason = str | int  # an int: that candidate (index) is ranked twice (named once names are read)


def read_blt(text: str | Chunks, source: str = "<blt>", *, aggregate: bool = False) -> Profile:
    """Parse BLT text (a string or chunks of one). File-level problems raise BallotError; bad
    ballots become rejections. `aggregate`: equal rankings become one row (for counting)."""
    lines = LineReader(text)
    header = _next_nonblank(lines)
    if header is None:
        raise BallotError(f"{source}: the file is empty; expected a BLT header 'candidates seats'.")
    n_cand, seats = _header(header, source, lines.number)
    withdrawn: set[int] = set()
    tie_order: tuple[int, ...] | None = None
    warnings: list[str] = []
    while True:
        line = _next_nonblank(lines)
        if line is None:
            raise BallotError(f"{source}: no ballots and no end marker '0' after the header.")
        first = line.split()[0]
        if first.startswith("["):
            tie = _option(line, n_cand, withdrawn, warnings, source, lines.number)
            tie_order = tie if tie is not None else tie_order
        elif first.startswith("-") and is_digits(first[1:]):
            withdrawn.update(_candidate_numbers(line.split(), n_cand, source, lines.number,
                                                neg=True))
        else:
            lines.unread(line + "\n")
            break
    ballots = _BallotLines(n_cand, frozenset(withdrawn), aggregate, source)
    while True:
        got = lines.block()
        if got is None:
            raise BallotError(f"{source}: no end-of-ballots line '0' was found.")
        block, number = got
        end = _END_FIRST.match(block) or _END.search(block)
        if end is None:
            ballots.feed(block, number)
            continue
        at = end.start() + (end.group()[0] == "\n")  # where the line '0' starts
        ballots.feed(block, number, upto=at)
        lines.unread(block[end.end() :])
        break
    names, title = _names(lines, n_cand, source)
    return ballots.profile(names, seats=seats, tie_order=tie_order, title=title,
                           warnings=warnings)


def _next_nonblank(lines: LineReader) -> str | None:
    while (line := lines.readline()) is not None:
        if line.strip():
            return line
    return None


def _header(line: str, source: str, number: int) -> tuple[int, int]:
    parts = line.split()
    if len(parts) != 2 or not all(is_digits(p) for p in parts):
        raise BallotError(
            f"{source}:{number}: expected the BLT header 'candidates seats' (two whole numbers), "
            f"found {brief(line.strip(), 60)!r}."
        )
    cands, seats = (p.lstrip("0") or "0" for p in parts)
    if len(cands) > len(str(MAX_CANDIDATES)) or int(cands) > MAX_CANDIDATES:
        raise BallotError(_(
            "{source}:{number}: the header declares {n} candidates; at most {max} can be "
            "counted."
        ).format(source=source, number=number, n=brief(cands, unit="digits"),
                 max=f"{MAX_CANDIDATES:,}"))
    if len(seats) > MAX_DIGITS:
        raise BallotError(_(
            "{source}:{number}: the number of seats has {digits} digits; expected a whole "
            "number of at most {max} digits."
        ).format(source=source, number=number, digits=f"{len(seats):,}", max=MAX_DIGITS))
    n_cand = int(cands)
    if n_cand < 1:
        raise BallotError(f"{source}:{number}: the header declares no candidates.")
    return n_cand, int(seats)


def _candidate_numbers(
    tokens: Sequence[str], n_cand: int, source: str, number: int, *, neg: bool = False
) -> list[int]:
    out = []
    for tok in tokens:
        digits = tok[1:] if neg and tok.startswith("-") else tok
        value = digits.lstrip("0")
        if not is_digits(digits) or len(value) > len(str(n_cand)) or not 1 <= int(
                value or "0") <= n_cand:
            raise BallotError(
                f"{source}:{number}: {brief(tok)!r} is not a candidate number 1..{n_cand}."
            )
        out.append(int(value) - 1)
    return out


def _option(
    line: str, n_cand: int, withdrawn: set[int], warnings: list[str], source: str, number: int
) -> tuple[int, ...] | None:
    body = line.strip()
    if not body.endswith("]"):
        raise BallotError(f"{source}:{number}: option line {brief(body, 60)!r} does not end "
                          "with ']'.")
    tokens = body[1:-1].split()
    name, args = (tokens[0], tokens[1:]) if tokens else ("", [])
    if name == "withdrawn":
        withdrawn.update(_candidate_numbers(args, n_cand, source, number))
        return None
    if name == "tie":
        order = _candidate_numbers(args, n_cand, source, number)
        if len(order) != n_cand or sorted(order) != list(range(n_cand)):
            raise BallotError(
                f"{source}:{number}: a [tie] line must list each of the {n_cand} candidates "
                "exactly once."
            )
        return tuple(order)
    warnings.append(f"{source}:{number}: option line {brief(body, 60)!r} is not supported and "
                    "was ignored.")
    return None


@dataclass
class _Rows:
    """Valid rankings parsed from some ballot lines: which lines (`index`), the rankings
    (0-based, withdrawn candidates removed) one after another, their lengths and weights."""

    index: IntArray
    flat: CandArray
    lengths: IntArray
    weights: WeightArray


class _Parsed(NamedTuple):
    rows: _Rows
    bad: list[tuple[int, Reason, int]]  # (index, reason, weight)
    fatal: list[tuple[int, str]]  # (index, the weight too long to count)
    blank: list[int]  # indices of lines holding nothing but blanks


class _BallotLines:
    """Ballot lines, fed a block at a time: valid rankings kept, bad ones rejected by line."""

    def __init__(self, n_cand: int, withdrawn: frozenset[int], aggregate: bool,
                 source: str) -> None:
        self.n_cand = n_cand
        self.withdrawn = withdrawn
        self.aggregate = aggregate
        self.source = source
        self.counts: Counter[str] = Counter()  # aggregate: line text -> times seen
        self.known_bad: dict[str, tuple[Reason, int]] = {}
        self.parts: list[_Rows] = []
        self.lines: list[IntArray] = []  # not aggregate: the line of each row of `parts`
        self.merged: list[tuple[CandArray, IntArray, WeightArray]] = []
        self.rejected: list[tuple[int, Reason, int]] = []

    def feed(self, block: str, first: int, upto: int | None = None) -> None:
        """Lines of `block` (text ending with a newline; only up to `upto` if given), the
        first being line `first`."""
        count = block.count("\n", 0, upto) if upto is not None else -1
        if not count:
            return
        batch = block.split("\n", count)
        batch.pop()  # the text after the last newline taken
        if self.aggregate:
            self._feed_counted(batch, first)
            return
        parsed = _parse(batch, self.n_cand, self.withdrawn)
        if parsed.fatal:
            i, token = min(parsed.fatal)
            raise self._too_big(first + i, token)
        self.parts.append(parsed.rows)
        self.lines.append(first + parsed.rows.index)
        self.rejected += [(first + i, reason, w) for i, reason, w in parsed.bad]

    def _feed_counted(self, batch: list[str], first: int) -> None:
        counts = self.counts
        before = len(counts)
        counts.update(batch)  # C speed; new texts are appended to the dict, in order
        fresh = list(islice(reversed(counts), len(counts) - before))
        fresh.reverse()
        seen_bad: set[str] = set()
        if self.known_bad:
            seen_bad = {t for t in fresh if t in self.known_bad}
            if seen_bad:
                fresh = [t for t in fresh if t not in seen_bad]
                for text in seen_bad:
                    del counts[text]
        parsed = _parse(fresh, self.n_cand, self.withdrawn)
        if parsed.fatal:
            texts = {fresh[i]: token for i, token in parsed.fatal}
            line = next(first + k for k, t in enumerate(batch) if t in texts)
            raise self._too_big(line, texts[batch[line - first]])
        for i in parsed.blank:
            del counts[fresh[i]]
        for i, reason, weight in parsed.bad:
            text = fresh[i]
            self.known_bad[text] = (reason, weight)
            del counts[text]
            seen_bad.add(text)
        if seen_bad:  # rejected ballots are reported one by one, with their lines
            for k, text in enumerate(batch):
                if text in seen_bad:
                    self.rejected.append((first + k, *self.known_bad[text]))
        # what is left of this block's new texts in `counts` are exactly the rows parsed, in
        # the same order (the dict keeps insertion order): `_flush` relies on it
        rows = parsed.rows
        self.parts.append(_Rows(rows.index[:0], rows.flat, rows.lengths, rows.weights))
        if len(counts) > FLUSH_AT:
            self._flush()

    def _flush(self) -> None:
        """Merge the texts counted so far into distinct rankings with their total weights."""
        parts, self.parts = self.parts, []
        times = np.fromiter(self.counts.values(), dtype=np.int64, count=len(self.counts))
        self.counts.clear()
        if len(times):
            lengths = np.concatenate([p.lengths for p in parts])
            if len(lengths) != len(times):
                raise AssertionError("ballot texts and parsed rows out of step")
            weights = _times(concat_weights([p.weights for p in parts]), times)
            flat = np.concatenate([p.flat for p in parts])
            del parts
            self.merged.append(aggregate(flat, lengths, weights))

    def _too_big(self, line: int, token: str) -> BallotError:
        return BallotError(_(
            "{source}:{line}: the weight {weight} has {digits} digits; expected a whole number "
            "of at most {max} digits."
        ).format(source=self.source, line=line, weight=leading(token),
                 digits=f"{len(token):,}", max=MAX_DIGITS))

    def profile(self, names: list[str], *, seats: int, tie_order: tuple[int, ...] | None,
                title: str, warnings: list[str]) -> Profile:
        dtype = cand_dtype(self.n_cand)
        if self.aggregate:
            self._flush()
            merged = self.merged
            if len(merged) > 1:
                merged = [aggregate(np.concatenate([p[0] for p in merged]),
                                    np.concatenate([p[1] for p in merged]),
                                    concat_weights([p[2] for p in merged]))]
            flat, lengths, weights = merged[0] if merged else (
                np.zeros(0, dtype=dtype), np.zeros(0, dtype=np.int64), weight_array([]))
            lines = np.zeros(len(lengths), dtype=np.int64)
        else:
            flat = np.concatenate([np.zeros(0, dtype=dtype), *(p.flat for p in self.parts)])
            lengths = np.concatenate([np.zeros(0, dtype=np.int64),
                                      *(p.lengths for p in self.parts)])
            weights = concat_weights([p.weights for p in self.parts])
            lines = np.concatenate([np.zeros(0, dtype=np.int64), *self.lines])
        rejected = sorted(
            (Rejection(line, ranked_twice(names[r]) if isinstance(r, int) else r, w)
             for line, r, w in self.rejected), key=lambda r: r.line)
        return Profile(
            candidates=tuple(names), flat=flat.astype(dtype, copy=False),
            offsets=np.concatenate(([0], np.cumsum(lengths))).astype(np.int64),
            weights=weights, lines=lines, rejected=rejected, withdrawn=self.withdrawn,
            seats=seats, tie_order=tie_order, title=title, warnings=warnings,
            distinct=self.aggregate,
        )


def _times(weights: WeightArray, times: IntArray) -> WeightArray:
    """weights x times, exact."""
    if len(weights) == 0:
        return weights
    if weights.dtype != object and int(weights.max()) * int(times.max()) < INT64_SAFE:
        return weights * times
    return weight_array([int(w) * t for w, t in zip(weights.tolist(), times.tolist(),
                                                     strict=True)])


def _parse(texts: list[str], n_cand: int, withdrawn: frozenset[int]) -> _Parsed:
    """Ballot lines -> the valid rankings (in line order), the rejected lines, the lines whose
    weight is too long to count, and the blank lines.

    Short lines of ASCII digits and blanks with no number of LONG_TOKEN digits are parsed
    together by numpy; the others one by one in Python, a token at a time (a line of ten
    megabytes costs its own text, not millions of objects).
    """
    n = len(texts)
    dtype = cand_dtype(n_cand)
    parsed = _Parsed(_Rows(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=dtype),
                           np.zeros(0, dtype=np.int64), weight_array([])), [], [], [])
    if n == 0:
        return parsed
    sizes = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    slow = sizes > 24 * (n_cand + 2) + 64  # longer than any valid ballot line written plainly
    rows: list[_Rows] = []
    short = np.flatnonzero(~slow)
    if len(short):
        sub = texts if len(short) == n else [texts[i] for i in short.tolist()]
        odd, ntok, values = _scan("\n".join(sub), len(sub))
        slow[short[odd]] = True
        parsed.blank.extend(short[~odd & (ntok == 0)].tolist())
        fast = ~odd & (ntok > 0)
        if fast.any():
            _parse_fast(short[fast], ntok[fast], values, n_cand, withdrawn, rows, parsed.bad)
    slow_rows: list[tuple[int, list[int], int]] = []
    for i in np.flatnonzero(slow).tolist():
        got = _parse_slow(texts[i], n_cand, withdrawn)
        if got is None:
            parsed.blank.append(i)
        elif isinstance(got, str):
            parsed.fatal.append((i, got))
        elif isinstance(got[0], list):
            slow_rows.append((i, got[0], got[1]))
        else:
            parsed.bad.append((i, got[0], got[1]))
    if slow_rows:
        rows.append(_Rows(
            np.array([i for i, _r, _w in slow_rows], dtype=np.int64),
            np.array([c for _i, r, _w in slow_rows for c in r], dtype=dtype),
            np.array([len(r) for _i, r, _w in slow_rows], dtype=np.int64),
            weight_array([w for _i, _r, w in slow_rows]),
        ))
    if rows:
        parsed = parsed._replace(rows=_in_line_order(rows))
    return parsed


def _scan(block: str, n: int) -> tuple[BoolArray, IntArray, IntArray]:
    """For the n lines of `block`: which hold anything but ASCII digits and blanks, or a
    number of LONG_TOKEN digits or more (`odd`); how many numbers each holds; and the numbers
    of the other lines, one after another (computed from the bytes, digit by digit)."""
    raw = np.frombuffer(block.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    breaks = np.flatnonzero(raw == 10)
    digit = raw - 48 < 10
    odd = np.zeros(n, dtype=bool)
    other = np.flatnonzero(~digit & (raw != 32) & (raw != 9) & (raw != 10))
    if len(other):
        odd[np.searchsorted(breaks, other)] = True
    edges = np.diff(digit.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts = np.flatnonzero(edges == 1)
    sizes = np.flatnonzero(edges == -1) - starts
    ntok = np.diff(np.searchsorted(starts, breaks), prepend=0, append=len(starts))
    line = np.repeat(np.arange(n), ntok)
    too_long = sizes >= LONG_TOKEN
    if too_long.any():
        odd[line[too_long]] = True
    if odd.any():
        keep = ~odd[line]
        starts, sizes = starts[keep], sizes[keep]
    values = raw[starts].astype(np.int64) - 48
    for j in range(1, int(sizes.max()) if len(sizes) else 0):
        more = np.flatnonzero(sizes > j)
        values[more] = values[more] * 10 + (raw[starts[more] + j] - 48)
    return odd, ntok, values


def _parse_fast(fast: IntArray, ntok: IntArray, values: IntArray, n_cand: int,
                withdrawn: frozenset[int], rows: list[_Rows],
                bad: list[tuple[int, Reason, int]]) -> None:
    """The lines `fast` (indices) of digits and blanks, `ntok` numbers each, all in `values`:
    weight, candidate numbers, 0. All lines are checked at once, never one by one."""
    lines = len(fast)
    ends = np.cumsum(ntok)
    first = ends - ntok
    weight = values[first]
    last = values[ends - 1]
    zeros = np.bincount(np.searchsorted(ends, np.flatnonzero(values == 0), side="right"),
                        minlength=lines)
    weight0 = weight == 0
    k = np.maximum(ntok - 2, 0)  # the numbers between the weight and the final 0
    guess = np.where(weight > 0, weight, 1)
    left = np.ones(lines, dtype=bool)
    for mask, text in (
        (weight0, "weight 0 (only the end-of-ballots line may be 0)"),
        ((ntok < 2) | (last != 0), "ballot line does not end with 0"),
        (zeros - weight0 - ((last == 0) & (ntok > 1)) > 0, "'0' is not a candidate number"),
        (k == 0, EMPTY),
    ):
        mask = mask & left
        if mask.any():
            bad += [(int(fast[j]), text, int(guess[j])) for j in np.flatnonzero(mask).tolist()]
            left &= ~mask
    inside = np.ones(len(values), dtype=bool)
    inside[first] = False
    inside[ends - 1] = False
    cand = values[inside] - 1
    owner = np.repeat(np.arange(lines), k)
    out = (cand < 0) | (cand >= n_cand)
    wrong = np.zeros(lines, dtype=bool)
    wrong[owner[out]] = True
    wrong &= left
    twice = left & ~wrong & _repeats(cand, owner, k, n_cand, out)
    for j in np.flatnonzero(wrong | twice).tolist():
        ranking = values[first[j] + 1 : ends[j] - 1].tolist()
        reason: Reason
        if wrong[j]:
            reason = unknown_number(str(next(v for v in ranking if not 1 <= v <= n_cand)), n_cand)
        else:
            reason = first_repeat(ranking[: n_cand + 1]) - 1
        bad.append((int(fast[j]), reason, int(weight[j])))
    ok = left & ~wrong & ~twice
    if not ok.any():
        return
    flat = cand[ok[owner]].astype(cand_dtype(n_cand))
    lengths = k[ok]
    index = fast[ok]
    weights = weight[ok]
    if withdrawn:
        gone = np.isin(flat, np.array(sorted(withdrawn), dtype=flat.dtype))
        lengths = lengths - np.bincount(np.repeat(np.arange(len(lengths)), lengths)[gone],
                                        minlength=len(lengths))
        for j in np.flatnonzero(lengths == 0).tolist():
            bad.append((int(index[j]), EMPTY, int(weights[j])))
        flat = flat[~gone]
        keep = lengths > 0
        index, lengths, weights = index[keep], lengths[keep], weights[keep]
    rows.append(_Rows(index, flat, lengths, weights))


def _repeats(cand: IntArray, owner: IntArray, k: IntArray, n_cand: int,
             out: BoolArray) -> BoolArray:
    """Which lines rank a candidate twice (`cand`: their candidate indices one after
    another, `owner`: the line of each, `k`: how many each line has; `out`: out of range)."""
    lines = len(k)
    if n_cand <= 62:  # one bit per candidate: a line repeats one if it sets fewer bits
        bit = np.left_shift(np.int64(1), np.where(out, 0, cand))
        has = np.flatnonzero(k > 0)
        bits = np.zeros(lines, dtype=np.int64)
        if len(has):
            bits[has] = np.bitwise_or.reduceat(bit, (np.cumsum(k) - k)[has])
        counted: BoolArray = np.bitwise_count(bits) != k
        return counted
    key = np.sort(owner * (n_cand + 1) + np.where(out, n_cand, cand))
    again = key[1:] == key[:-1]
    twice = np.zeros(lines, dtype=bool)
    twice[key[1:][again] // (n_cand + 1)] = True
    return twice


def _parse_slow(line: str, n_cand: int, withdrawn: frozenset[int]
                ) -> tuple[list[int], int] | tuple[Reason, int] | str | None:
    """One ballot line: (0-based ranking, weight), (reason, weight) if it cannot be counted,
    the weight itself (a string) if it is too long to count at all, or None if it is blank.

    A long line is read a window at a time, and at most the candidates' number of its
    numbers are kept, so any line costs its own text. Reasons come in the order of
    precedence: the weight, the final 0, the first token that is not a candidate number,
    the first unknown candidate, the first repeated one."""
    head = _TOKEN.search(line)
    if head is None:
        return None
    weight = 1
    if head.group().startswith("("):
        start = line.find(")", head.start()) + 1
        if start == 0:
            return "ballot id in parentheses is not closed", 1
    else:
        first = head.group()
        if not is_digits(first):
            return f"weight {brief(first)!r} is not a whole number", 1
        digits = first.lstrip("0")
        if len(digits) > MAX_DIGITS:
            return digits
        weight = int(digits or "0")
        if weight == 0:
            return "weight 0 (only the end-of-ballots line may be 0)", 1
        start = head.end()
    end = len(line)  # the last token must be "0": find it without copying the line
    while end > start and line[end - 1].isspace():
        end -= 1
    end -= 1
    if end < start or line[end] != "0" or (end > start and not line[end - 1].isspace()):
        return "ballot line does not end with 0", weight
    scan = _Scan(n_cand)
    while start < end:
        cut = _BLANK.search(line, start + WINDOW, end) if end - start > WINDOW else None
        stop = cut.start() if cut else end
        reason = scan.feed(line[start:stop])
        if reason is not None:
            return reason, weight
        start = stop
    if scan.unknown is not None:
        return scan.unknown, weight
    if scan.twice is not None:
        return scan.twice, weight
    ranking = [c for c in scan.ranking if c not in withdrawn]
    if not ranking:
        return EMPTY, weight
    return ranking, weight


class _Scan:
    """The candidate numbers of one ballot line, fed a piece at a time, in order: keeps the
    ranking (at most the number of candidates) and the first unknown and repeated ones."""

    def __init__(self, n_cand: int) -> None:
        self.n_cand = n_cand
        self.width = len(str(n_cand))
        self.unknown: str | None = None
        self.twice: int | None = None
        self.seen: set[int] = set()
        self.ranking: list[int] = []

    def feed(self, text: str) -> str | None:
        """Tokens separated by blanks; the reason if one is not a candidate number at all
        (the first such token decides, before any unknown or repeated candidate)."""
        values = _numbers(text) if len(text) > 4096 else None
        if values is None:
            for m in _TOKEN.finditer(text):
                tok = m.group()
                if "=" in tok:
                    return f"equal preferences {brief(tok)!r}: the methods here need a strict order"
                if not is_digits(tok) or tok == "0":
                    return f"{brief(tok)!r} is not a candidate number"
                if self.unknown is None:
                    number = tok.lstrip("0") or "0"
                    if len(number) > self.width or not 1 <= int(number) <= self.n_cand:
                        self.unknown = unknown_number(number, self.n_cand)
                    else:
                        self._take(int(number) - 1)
            return None

        def token(k: int) -> str:
            return next(islice(_TOKEN.finditer(text), k, None)).group()

        for k in np.flatnonzero(values == 0).tolist():  # "0" is no candidate; "00" unknown
            if token(k) == "0":
                return "'0' is not a candidate number"
        if self.unknown is None:
            out = np.flatnonzero((values < 1) | (values > self.n_cand))
            upto = int(out[0]) if len(out) else len(values)
            if len(out):  # (values of 19 digits or more are saturated: show the token)
                self.unknown = unknown_number(token(upto).lstrip("0") or "0", self.n_cand)
            for v in values[: min(upto, self.n_cand + 1)].tolist():  # pigeonhole: enough
                self._take(v - 1)
        return None

    def _take(self, cand: int) -> None:
        if self.twice is None:
            if cand in self.seen:
                self.twice = cand
            else:
                self.seen.add(cand)
                self.ranking.append(cand)


def _numbers(text: str) -> IntArray | None:
    """The numbers of a text holding only ASCII digits and blanks (None if it holds more)."""
    if not text.isascii():
        return None
    raw = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    if not ((raw - 48 < 10) | (raw == 32) | (raw == 9)).all():
        return None
    return np.fromstring(text, dtype=np.int64, sep=" ")


def _in_line_order(parts: list[_Rows]) -> _Rows:
    """Parts of rows, merged and put back in the order of their lines."""
    if not parts:
        return _Rows(*(np.zeros(0, dtype=np.int64),) * 3, weight_array([]))
    index = np.concatenate([p.index for p in parts])
    flat = np.concatenate([p.flat for p in parts])
    lengths = np.concatenate([p.lengths for p in parts])
    weights = concat_weights([p.weights for p in parts])
    order = np.argsort(index, kind="stable")
    if len(parts) == 1 or bool((order == np.arange(len(order))).all()):
        return _Rows(index, flat, lengths, weights)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))[order]
    new_lengths = lengths[order]
    new_starts = np.concatenate(([0], np.cumsum(new_lengths)[:-1]))
    cells = np.repeat(starts - new_starts, new_lengths) + np.arange(int(new_lengths.sum()))
    return _Rows(index[order], flat[cells], new_lengths, weights[order])


def _names(lines: LineReader, n_cand: int, source: str) -> tuple[list[str], str]:
    """The quoted names after the end of ballots, then the title; the rest is not read.

    Only blank lines may come between the end of ballots and the first name: anything else
    (a ballot line after a stray '0', say) refuses the file rather than being dropped."""
    end = lines.number
    quoted: list[str] = []
    pending: list[str] = []  # text from an opening quote not closed yet
    while len(quoted) <= n_cand:
        got = lines.block()
        if got is None:
            break
        block, number = got
        if not quoted and not pending:
            head = block[: block.find('"')] if '"' in block else block
            if head.strip():
                at = len(head) - len(head.lstrip())
                found = head[at:].split("\n", 1)[0].strip()
                raise BallotError(_(
                    "{source}:{line}: expected the candidates' names in quotes after the end "
                    "of the ballots ('0' on line {end}), found {found}."
                ).format(source=source, line=number + head.count("\n", 0, at), end=end,
                         found=repr(brief(found, 40))))
        if pending and '"' not in block:
            pending.append(block)
            continue
        text = "".join([*pending, block])
        pending = []
        pos = 0
        for m in _QUOTED.finditer(text):
            quoted.append(m.group(1))
            pos = m.end()
            if len(quoted) > n_cand:
                break
        opening = text.find('"', pos)
        if opening >= 0 and len(quoted) <= n_cand:
            pending = [text[opening:]]
    if len(quoted) < n_cand:
        raise BallotError(
            f"{source}: the header declares {n_cand} candidates but {len(quoted)} quoted names "
            "follow the end-of-ballots line."
        )
    names = quoted[:n_cand]
    if len(set(names)) < len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
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
    for ranking, weight in profile.ballots():
        prefs = " ".join(str(c + 1) for c in ranking)
        out.append(f"{weight} {prefs} 0")
    out.append("0")
    for name in [*profile.candidates, profile.title if title is None else title]:
        if '"' in name or "\n" in name:
            raise BallotError(f"{name!r} cannot be written to BLT: it contains a quote or newline.")
        out.append(f'"{name}"')
    return "\n".join(out) + "\n"
