"""CSV and JSON ballots, and candidate lists.

CSV, one row per ballot, in one of three layouts told apart by the header row:
- rank columns: headers like `1, 2, 3` or `rank 1, rank 2` (also `choice 1`, `第1`), each cell a
  candidate;
- one ranking cell: a column `ranking` (or the only column) holding `A>B>C`;
- one column per candidate holding a rank number (the export of common online form tools;
  a header `Question [Name]` means candidate `Name`), blank for unranked.
Columns `weight` and `group` (also 权重, 小组/组别) are read; `id`, `timestamp`, `name`,
`email` (also 编号, 时间) are ignored.

JSON: `{"candidates": [...], "ballots": [[...], ...]}`, where a ballot may also be
`{"ranking": [...], "weight": n, "group": "..."}`; optional `"seats"` and `"title"`.

A ballot names a candidate by its name, by its id from a candidates file, or, where the
candidates are known before reading, by its 1-based number.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np

from retreat.errors import BallotError
from retreat.i18n import _
from retreat.voting.ballots import (
    EMPTY,
    MAX_CANDIDATES,
    MAX_DIGITS,
    Profile,
    Rejection,
    brief,
    first_repeat,
    is_digits,
    leading,
    ranked_twice,
    weight_array,
)
from retreat.voting.stream import Chunks, LineReader

WEIGHT = {"weight", "count", "权重", "票数"}
GROUP = {"group", "小组", "组别", "组"}
IGNORED = {"id", "ballot id", "timestamp", "time", "name", "email", "submitted at", "编号",
           "时间", "提交时间"}
RANKING = {"ranking", "ranks", "order", "preferences", "ballot", "排序"}
_RANK_HEADER = re.compile(
    r"^(?:rank|choice|preference|pref|place|第)?\s*#?\s*([0-9]{1,9})\s*(?:st|nd|rd|th|位|名|志愿)?$",
    re.IGNORECASE,
)
_BRACKET = re.compile(r"\[([^\]]+)\]\s*$")
_SEP = re.compile(r"\s*[>＞]\s*")
_SURROGATE = re.compile("[\ud800-\udfff]")


class TooManyCandidates(ValueError):
    """More different names than MAX_CANDIDATES."""


class NotText(ValueError):
    """A name holding half of a UTF-16 surrogate pair (from a JSON \\u escape): unprintable."""


@dataclass
class Candidates:
    """Names in order, and other ways a ballot may refer to them (ids, numbers)."""

    names: list[str]
    aliases: dict[str, int] = field(default_factory=dict)
    known: bool = True  # False: inferred from the ballots themselves
    index: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.index = {n: i for i, n in reversed(list(enumerate(self.names)))}

    def find(self, token: str) -> int | None:
        if token in self.aliases:
            return self.aliases[token]
        if token in self.index:
            return self.index[token]
        if self.known and is_digits(token) and len(token.lstrip("0")) <= 9 and (
                1 <= int(token) <= len(self.names)):
            return int(token) - 1
        if not self.known:
            if len(self.names) >= MAX_CANDIDATES:
                raise TooManyCandidates(token)
            if _SURROGATE.search(token):
                raise NotText(token)
            self.names.append(token)
            self.index[token] = len(self.names) - 1
            return len(self.names) - 1
        return None


def read_candidates(text: str, source: str = "<candidates>") -> Candidates:
    """One name per line, or CSV with a header `id,title`."""
    lines = [ln.strip() for ln in text.removeprefix("\ufeff").splitlines() if ln.strip()]
    if not lines:
        raise BallotError(f"{source}: the candidates file is empty.")
    names: list[str] = []
    aliases: dict[str, int] = {}
    if [h.strip().lower() for h in lines[0].split(",")] == ["id", "title"]:
        for number, row in enumerate(csv.reader(lines[1:]), start=2):
            if len(row) != 2:
                raise BallotError(f"{source}:{number}: expected 'id,title', found {row!r}.")
            aliases[row[0].strip()] = len(names)
            names.append(row[1].strip())
    else:
        names = lines
    _check_count(len(names), source)
    if len(set(names)) < len(names):
        dup = [n for n in names if names.count(n) > 1]
        raise BallotError(f"{source}: candidate {dup[0]!r} is listed twice.")
    return Candidates(names, aliases)


def _check_count(n: int, source: str, line: int | None = None) -> None:
    if n > MAX_CANDIDATES:
        raise _too_many(source, line)


def _too_many(source: str, line: int | None = None) -> BallotError:
    return BallotError(_(
        "{where}: more than {max} different candidates; at most {max} can be counted (is "
        "a separator or a column wrong?)."
    ).format(where=f"{source}:{line}" if line is not None else source,
             max=f"{MAX_CANDIDATES:,}"))


def _not_text(text: str, source: str, line: int | None = None) -> BallotError:
    half = _SURROGATE.search(text)
    code = ascii(half.group() if half else "")[1:-1]
    shown = ascii(brief(text, 40))
    if line is None:
        return BallotError(_(
            "{source}: {text} contains {code}, half of a UTF-16 surrogate pair and not a "
            "character; fix that \\u escape in the file."
        ).format(source=source, text=shown, code=code))
    return BallotError(_(
        "{source}:{line}: {text} contains {code}, half of a UTF-16 surrogate pair and not a "
        "character; fix that \\u escape in the file."
    ).format(source=source, line=line, text=shown, code=code))


def read_csv(text: str | Chunks, source: str = "<csv>", candidates: Candidates | None = None,
             *, aggregate: bool = False) -> Profile:
    reader = csv.reader(_lines(LineReader(text)))
    try:
        return _read_csv(reader, source, candidates, aggregate)
    except csv.Error as e:
        if "field larger than field limit" in str(e):
            raise BallotError(_(
                "{source}:{line}: a cell holds more than {limit} characters, more than any "
                "ballot needs; is this really a CSV ballot file?"
            ).format(source=source, line=reader.line_num,
                     limit=f"{csv.field_size_limit():,}")) from e
        raise BallotError(_("{source}:{line}: not valid CSV: {reason}.").format(
            source=source, line=reader.line_num, reason=e)) from e


def _lines(lines: LineReader) -> Iterator[str]:
    """Each line with its newline, as csv.reader wants them (so line_num counts lines)."""
    while (got := lines.block()) is not None:
        for line in got[0][:-1].split("\n"):
            yield line + "\n"


def _read_csv(reader: Any, source: str, candidates: Candidates | None,
              aggregate: bool) -> Profile:
    header = next(reader, None)
    if not header:
        raise BallotError(f"{source}: the file is empty; expected a header row.")
    heads = [h.strip() for h in header]
    low = [h.lower() for h in heads]
    meta = {i for i, h in enumerate(low) if h in WEIGHT | GROUP | IGNORED}
    other = [i for i in range(len(heads)) if i not in meta]
    if not other:
        raise BallotError(f"{source}:1: no ranking columns in the header {heads!r}.")
    weight_col = next((i for i, h in enumerate(low) if h in WEIGHT), None)
    group_col = next((i for i, h in enumerate(low) if h in GROUP), None)
    cell_col = next((i for i in other if low[i] in RANKING), None)
    rank_cols = sorted((int(m.group(1)), i) for i in other if (m := _RANK_HEADER.match(heads[i])))
    if cell_col is None and len(other) == 1 and not rank_cols:
        cell_col = other[0]
    if cell_col is None and not rank_cols:
        _check_count(len(other), source, 1)
        grid = _grid_candidates([heads[i] for i in other], candidates, source)
        cands = grid
    else:
        cands = candidates or Candidates([], known=False)
    out = _Collector(cands, aggregate, source)
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        cell = _Row(row)
        weight = _weight(cell(weight_col), source, line)
        if isinstance(weight, str):
            out.reject(line, weight)
            continue
        if cell_col is not None:
            tokens = [t for t in _SEP.split(cell(cell_col)) if t] if cell(cell_col) else []
            ranking = out.resolve(tokens, line)
        elif rank_cols:
            ranking = out.resolve_columns([(n, cell(i)) for n, i in rank_cols], line)
        else:
            ranking = _grid_ranking([(c, cell(i)) for c, i in zip(range(len(other)), other,
                                                                  strict=True)], cands)
        out.add(line, ranking, weight, cell(group_col))
    return out.profile(source, title="")


class _Row:
    """Cells of one CSV row by column, '' where the row is short or the column absent."""

    def __init__(self, row: list[str]) -> None:
        self.row = row

    def __call__(self, i: int | None) -> str:
        return self.row[i].strip() if i is not None and i < len(self.row) else ""


def _grid_candidates(heads: list[str], given: Candidates | None, source: str) -> Candidates:
    names = [m.group(1).strip() if (m := _BRACKET.search(h)) else h for h in heads]
    if given is None:
        return Candidates(names)
    order = []
    for name in names:
        found = given.find(name)
        if found is None:
            raise BallotError(f"{source}:1: column {name!r} is not in the candidates file.")
        order.append(found)
    # ballots refer to columns; a candidates file fixes the names and their order
    return Candidates(given.names, {str(-1 - k): c for k, c in enumerate(order)})


def _grid_ranking(cells: list[tuple[int, str]], cands: Candidates) -> list[int] | str:
    ranked: list[tuple[int, int]] = []
    for column, value in cells:
        if not value:
            continue
        if not is_digits(value) or int(value.lstrip("0") or "0") < 1:
            return f"rank {brief(value)!r} is not a whole number from 1"
        if len(value.lstrip("0")) > 9 or int(value) > len(cells):
            return _("rank {rank} is beyond the number of candidates ({n})").format(
                rank=brief(value.lstrip("0")), n=len(cells))
        cand = cands.aliases.get(str(-1 - column), column)
        ranked.append((int(value), cand))
    ranked.sort()
    ranks = [r for r, _c in ranked]
    for a, b in zip(ranked, ranked[1:], strict=False):
        if a[0] == b[0]:
            return (f'candidates "{cands.names[a[1]]}" and "{cands.names[b[1]]}" share rank '
                    f"{a[0]} (equal preferences are not counted)")
    if ranks != list(range(1, len(ranks) + 1)):
        return f"gap in rank numbers: {', '.join(map(str, ranks))} (expected 1, 2, 3, ...)"
    return [c for _r, c in ranked]


def _weight(value: str, source: str, line: int) -> int | str:
    """The weight in a cell: a whole number, or the reason the ballot is rejected; one too
    long to count exactly refuses the file."""
    if not value:
        return 1
    digits = value.lstrip("0")
    if not is_digits(value) or not digits:
        return f"weight {brief(value)!r} is not a whole number of at least 1"
    if len(digits) > MAX_DIGITS:
        raise BallotError(_(
            "{source}:{line}: the weight {weight} has {digits} digits; expected a whole number "
            "of at most {max} digits."
        ).format(source=source, line=line, weight=leading(digits), digits=f"{len(digits):,}",
                 max=MAX_DIGITS))
    return int(digits)


class _Collector:
    """Ballots as they are read: rejections with their line, valid rankings either one row
    per ballot (in file order, with line and group) or, with `aggregate`, one per ranking."""

    def __init__(self, cands: Candidates, aggregate: bool, source: str) -> None:
        self.cands = cands
        self.aggregate = aggregate
        self.source = source
        self.distinct: dict[tuple[int, ...], int] = {}
        self.flat: list[int] = []
        self.lengths: list[int] = []
        self.weights: list[int] = []
        self.lines: list[int] = []
        self.groups: list[str] = []
        self.rejected: list[Rejection] = []

    def reject(self, line: int, reason: str, weight: int = 1) -> None:
        self.rejected.append(Rejection(line, reason, weight))

    def resolve(self, tokens: Sequence[str], line: int) -> list[int] | str:
        out = []
        for tok in tokens:
            if "=" in tok:
                return f"equal preferences {brief(tok)!r}: the methods here need a strict order"
            try:
                found = self.cands.find(tok)
            except TooManyCandidates as e:
                raise _too_many(self.source, line) from e
            except NotText as e:
                raise _not_text(tok, self.source, line) from e
            if found is None:
                return f"unknown candidate {brief(tok)!r}"
            out.append(found)
        return out

    def resolve_columns(self, cells: list[tuple[int, str]], line: int) -> list[int] | str:
        filled = [n for n, v in cells if v]
        if filled and filled != [n for n, _v in cells][: len(filled)]:
            missing = next(n for n, v in cells if not v)
            return f"gap in rank numbers: rank {missing} is empty but a later rank is filled"
        return self.resolve([v for _n, v in cells if v], line)

    def add(self, line: int, ranking: list[int] | str, weight: int, group: str) -> None:
        if isinstance(ranking, str):
            self.reject(line, ranking, weight)
            return
        if len(set(ranking)) < len(ranking):
            self.reject(line, ranked_twice(self.cands.names[first_repeat(ranking)]), weight)
            return
        if not ranking:
            self.reject(line, EMPTY, weight)
            return
        if self.aggregate:
            key = tuple(ranking)
            self.distinct[key] = self.distinct.get(key, 0) + weight
            return
        self.flat += ranking
        self.lengths.append(len(ranking))
        self.weights.append(weight)
        self.lines.append(line)
        self.groups.append(group)

    def profile(self, source: str, title: str, seats: int | None = None) -> Profile:
        if not self.cands.names:
            raise BallotError(f"{source}: no candidate is named anywhere; pass --candidates FILE.")
        warnings = []
        if not self.cands.known:
            warnings.append(f"{source}: candidates taken from the ballots in order of first "
                            "appearance; pass --candidates FILE to fix the list.")
        if self.aggregate:
            rankings = list(self.distinct)
            flat = np.fromiter(chain.from_iterable(rankings), dtype=np.int64)
            lengths = np.array([len(r) for r in rankings], dtype=np.int64)
            weights = weight_array(list(self.distinct.values()))
            lines = np.zeros(len(rankings), dtype=np.int64)
            groups = None
        else:
            flat = np.array(self.flat, dtype=np.int64)
            lengths = np.array(self.lengths, dtype=np.int64)
            weights = weight_array(self.weights)
            lines = np.array(self.lines, dtype=np.int64)
            groups = tuple(self.groups) if any(self.groups) else None
        return Profile(
            candidates=tuple(self.cands.names), flat=flat,
            offsets=np.concatenate(([0], np.cumsum(lengths))).astype(np.int64),
            weights=weights, lines=lines,
            rejected=sorted(self.rejected, key=lambda r: r.line), warnings=warnings,
            seats=seats, title=title, groups=groups, distinct=self.aggregate,
        )


class _LongNumber(str):
    """A JSON integer too long to convert (kept as its digits; refused where it matters)."""


def _json_int(text: str) -> int | str:
    if len(text.lstrip("-").lstrip("0")) > MAX_DIGITS:
        return _LongNumber(text)
    return int(text)


def read_json(text: str | Chunks, source: str = "<json>", candidates: Candidates | None = None,
              *, aggregate: bool = False) -> Profile:
    whole = text if isinstance(text, str) else "".join(text)
    try:
        data: Any = json.loads(whole.removeprefix("\ufeff"), parse_int=_json_int)
    except json.JSONDecodeError as e:
        raise BallotError(f"{source}:{e.lineno}:{e.colno}: not valid JSON: {e.msg}.") from e
    except RecursionError as e:
        raise BallotError(_(
            "{source}: the JSON is nested too deeply to read; a ballot file needs three "
            "levels: the object, its list of ballots, and each ballot."
        ).format(source=source)) from e
    del whole
    if not isinstance(data, dict) or not isinstance(data.get("ballots"), list):
        raise BallotError(f'{source}: expected an object with a "ballots" list.')
    names = data.get("candidates")
    if names is not None:
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise BallotError(f'{source}: "candidates" must be a list of names.')
        _check_count(len(names), source)
        for name in names:
            if _SURROGATE.search(name):
                raise _not_text(name, source)
        candidates = Candidates(list(names))
    title = str(data.get("title", ""))
    if _SURROGATE.search(title):
        raise _not_text(title, source)
    out = _Collector(candidates or Candidates([], known=False), aggregate, source)
    for number, ballot in enumerate(data["ballots"], start=1):
        ranking, weight, group = _json_ballot(ballot)
        if isinstance(ranking, str):
            out.reject(number, ranking)
            continue
        if not aggregate and _SURROGATE.search(group):
            raise _not_text(group, source, number)
        tokens = [str(t) for t in ranking]
        parsed = _weight(str(weight), source, number) if weight is not None else 1
        if isinstance(parsed, str):
            out.reject(number, parsed)
            continue
        out.add(number, out.resolve(tokens, number), parsed, group)
    seats = data.get("seats")
    return out.profile(source, title, seats if isinstance(seats, int) and seats > 0 else None)


def _json_ballot(ballot: Any) -> tuple[list[Any] | str, Any, str]:
    if isinstance(ballot, dict):
        ranking = ballot.get("ranking", ballot.get("ballot"))
        weight, group = ballot.get("weight"), str(ballot.get("group", ""))
    else:
        ranking, weight, group = ballot, None, ""
    if isinstance(ranking, str):
        ranking = [t for t in _SEP.split(ranking.strip()) if t]
    if not isinstance(ranking, list) or not all(isinstance(t, (str, int)) for t in ranking):
        return "a ballot must be a list of candidate names or numbers", None, ""
    return ranking, weight, group
