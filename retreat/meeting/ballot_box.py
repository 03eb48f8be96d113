"""Live votes in the room: ballots by working group, undo, import, reveal, tie decisions.

Pure like the engine: `decide_*` turn commands into events (or refuse them), `apply`
folds events into `VoteState`s, and `tally` recounts from the ballots with the seed the
reveal recorded, so the minutes, `retreat results` and a recount of the exported ballots
all give what the room saw. A ballot carries an opaque random id, its ranking, its group
and its weight: never who cast it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

import numpy as np

from retreat.agenda import Agenda, Item, candidate_ids
from retreat.errors import CommandRefused
from retreat.i18n import N_, _
from retreat.meeting.events import (
    BallotCast,
    BallotReplaced,
    BallotUndone,
    Event,
    EventKind,
    OnVote,
    ResultRevealed,
    RunoffOpened,
    Stamp,
    TieDecided,
)
from retreat.voting import count
from retreat.voting.ballots import Profile, build_profile, is_digits, rows_to_matrix
from retreat.voting.result import Result

RUNOFF = "/runoff-"


# What a tie was about, as the voting core records it (plain English identifiers, kept
# stable for `retreat tally --format json`), in words for the board and the minutes.
TIE_PURPOSES = {
    "seat boundary": N_("the last seats"),
    "order of election": N_("the order of election"),
    "order of surplus transfer": N_("which surplus passes first"),
    "defeat": N_("who drops out"),
    "elimination": N_("who drops out"),
}

@dataclass
class Ballot:
    id: str
    ranking: tuple[str, ...]  # candidate ids, most preferred first
    group: str | None
    weight: int
    source: str
    undone: bool = False
    key: str = ""  # the idempotency key of the submit that last set it (phones)


@dataclass
class VoteState:
    key: str  # the item id, or "<item>/runoff-N" for a runoff among tied candidates
    item: str
    candidates: tuple[str, ...]  # ids, in number order (1, 2, ...)
    titles: tuple[str, ...]
    seats: int
    ranks: int
    method: str
    quota: str
    tie: str
    groups: tuple[str, ...]  # group ids that vote
    group_vote: bool
    ballots: list[Ballot] = field(default_factory=list)
    closed: bool = False
    revealed: list[tuple[str, int]] = field(default_factory=list)  # (scope: "all" or group id, seed)
    chair_choice: tuple[str, ...] | None = None
    runoff: str | None = None  # key of the runoff this vote's tie went to

    @property
    def counted(self) -> list[Ballot]:
        return [b for b in self.ballots if not b.undone]

    def received(self, group: str | None) -> int:
        return sum(1 for b in self.counted if b.group == group)

    @property
    def seed(self) -> int | None:
        for scope, seed in reversed(self.revealed):
            if scope == "all":
                return seed
        return None

    def title_of(self, cid: str) -> str:
        return self.titles[self.candidates.index(cid)]


def new_vote(agenda: Agenda, item: Item) -> VoteState:
    spec = item.vote
    if spec is None:
        raise ValueError(f"{item.id} is not a vote")
    groups = tuple(spec.groups) if spec.groups is not None else tuple(g.id for g in agenda.groups)
    return VoteState(
        key=item.id, item=item.id, candidates=tuple(candidate_ids(spec)),
        titles=tuple(c.title for c in spec.candidates), seats=spec.seats, ranks=spec.ranks or spec.seats,
        method=spec.method, quota=spec.quota, tie=spec.tie, groups=groups, group_vote=spec.group_vote,
    )


def group_size(agenda: Agenda, group: str | None) -> int:
    for g in agenda.groups:
        if g.id == group:
            return len(g.members)
    return 0


def parse_ranking(vote: VoteState, entry: object) -> tuple[str, ...]:
    """`3 7 1 12 5` (numbers as shown to the room) or a list of ids/numbers -> candidate ids.

    Refuses, with the reason, an unknown number, a candidate ranked twice, too many ranks,
    or an empty ballot: a secretary retypes the line, nothing half-valid is stored.
    """
    tokens: list[object] = []
    if isinstance(entry, str):
        tokens.extend(entry.replace(",", " ").replace(">", " ").split())
    elif isinstance(entry, list | tuple):
        tokens.extend(entry)
    if not tokens:
        raise CommandRefused(_("an empty ballot: type the candidate numbers in order, e.g. 3 7 1"))
    ranking: list[str] = []
    for token in tokens:
        text = str(token).strip()
        if is_digits(text):
            n = int(text)
            if not 1 <= n <= len(vote.candidates):
                raise CommandRefused(
                    _("{n} is not a candidate number (1 to {last})").format(n=n, last=len(vote.candidates))
                )
            cid = vote.candidates[n - 1]
        elif text in vote.candidates:
            cid = text
        else:
            raise CommandRefused(_('"{token}" is not a candidate').format(token=text))
        if cid in ranking:
            raise CommandRefused(
                _("{n} is ranked twice").format(n=vote.candidates.index(cid) + 1)
            )
        ranking.append(cid)
    if len(ranking) > vote.ranks:
        raise CommandRefused(
            _("{n} ranked, but a ballot may rank at most {k}").format(n=len(ranking), k=vote.ranks)
        )
    return tuple(ranking)


def _open(vote: VoteState) -> None:
    if vote.closed or vote.revealed:
        raise CommandRefused(_("voting is closed: no more ballots"))


def _group(agenda: Agenda, vote: VoteState, group: object) -> str | None:
    if not vote.groups:
        return None
    gid = str(group or "").strip()
    for g in agenda.groups:
        if gid in (g.id, g.name) and g.id in vote.groups:
            return g.id
    names = ", ".join(g.name for g in agenda.groups if g.id in vote.groups)
    raise CommandRefused(_("choose the working group first: {names}").format(names=names))


def decide_cast(agenda: Agenda, vote: VoteState, value: Mapping[str, object], now: Stamp) -> list[Event]:
    _open(vote)
    ballot_id = str(value.get("ballot") or "").strip()
    if not ballot_id:
        raise CommandRefused(_("a ballot needs an id"))
    ranking = parse_ranking(vote, value.get("ranking"))
    group = _group(agenda, vote, value.get("group"))
    if any(b.id == ballot_id for b in vote.ballots):
        raise CommandRefused(_("ballot {id} is already in").format(id=ballot_id))
    weight, source = 1, str(value.get("source", "keyboard"))
    if vote.group_vote:
        if any(b.group == group for b in vote.counted):
            raise CommandRefused(_("this group's ranking is already in; undo it first to replace it"))
        weight, source = max(1, group_size(agenda, group)), "group"
    cast_ = BallotCast(item=vote.item, vote=vote.key, ballot=ballot_id, ranking=list(ranking), group=group,
                       weight=weight, source=source)
    if key := _key(value):
        cast_["key"] = key
    return [Event(EventKind.BALLOT_CAST, now, cast_)]


def _key(value: Mapping[str, object]) -> str:
    """The idempotency key of a phone's submit, or ""."""
    return str(value.get("key") or "")


def decide_undo(vote: VoteState, now: Stamp) -> list[Event]:
    _open(vote)
    desk = [b for b in vote.counted if b.source != PHONE]  # a phone's ballot is its owner's to change
    if not desk:
        raise CommandRefused(_("there is no ballot to undo"))
    last = desk[-1]
    return [Event(EventKind.BALLOT_UNDONE, now, BallotUndone(item=vote.item, vote=vote.key, ballot=last.id))]


def parse_import(vote: VoteState, text: str, source: str) -> tuple[list[tuple[tuple[str, ...], int, str | None]],
                                                                    list[tuple[int, str]]]:
    """Ballots from a file exported by an online form: (valid rows, rejected (line, reason))."""
    from retreat.voting import read_ballots

    profile = read_ballots(text, source)
    by_name = {**{t: c for c, t in zip(vote.candidates, vote.titles, strict=True)},
               **{c: c for c in vote.candidates}}
    unknown = [name for name in profile.candidates if name not in by_name]
    if unknown:
        raise CommandRefused(
            _("{source} names candidates this vote does not have: {names}").format(
                source=source, names=", ".join(unknown))
        )
    rows: list[tuple[tuple[str, ...], int, str | None]] = []
    rejected = [(r.line, r.reason) for r in profile.rejected]
    groups: tuple[str | None, ...] = profile.groups or tuple(None for _ in range(len(profile.weights)))
    for (ranking, weight), line, group in zip(profile.ballots(), profile.lines.tolist(), groups, strict=True):
        ids = tuple(by_name[profile.candidates[c]] for c in ranking)
        if len(ids) > vote.ranks:
            rejected.append((int(line), _("{n} ranked, but a ballot may rank at most {k}").format(
                n=len(ids), k=vote.ranks)))
            continue
        rows.append((ids, int(weight), group))
    return rows, sorted(rejected)


ImportRow = tuple[Sequence[str], int, "str | None"]  # (ranking, weight, group), as parse_import gives them


def decide_import(agenda: Agenda, vote: VoteState, value: Mapping[str, object], now: Stamp) -> list[Event]:
    """{rows: [ImportRow], ids: [one per row], source: the file's name}"""
    _open(vote)
    rows = cast(Sequence[ImportRow], value.get("rows") or [])
    if not rows:
        raise CommandRefused(_("the file holds no valid ballot"))
    ids = list(cast(Sequence[object], value.get("ids") or []))
    if len(ids) != len(rows):
        raise CommandRefused(_("every imported ballot needs an id"))
    events = []
    for ballot_id, (ranking, weight, group) in zip(ids, rows, strict=True):
        gid = _group(agenda, vote, group) if vote.groups and group else None
        events.append(Event(EventKind.BALLOT_CAST, now, BallotCast(
            item=vote.item, vote=vote.key, ballot=str(ballot_id), ranking=list(ranking),
            group=gid, weight=int(weight), source="file:" + str(value.get("source", "")),
        )))
    return events


def decide_reveal(vote: VoteState, scope: str, seed: int, now: Stamp) -> list[Event]:
    if not vote.counted:
        raise CommandRefused(_("no ballots yet: nothing to reveal"))
    if scope != "all" and scope not in vote.groups:
        raise CommandRefused(_('"{scope}" is not a group of this vote').format(scope=scope))
    events = []
    if not vote.closed:
        events.append(Event(EventKind.VOTE_CLOSED, now, OnVote(item=vote.item, vote=vote.key)))
    events.append(Event(EventKind.RESULT_REVEALED, now,
                        ResultRevealed(item=vote.item, vote=vote.key, scope=scope, seed=int(seed))))
    return events


def boundary_tie(vote: VoteState, result: Result) -> tuple[list[str], list[str]] | None:
    """(elected above the tie, tied candidates) when a tie decides the last seats, else None.

    Only for methods that rank by score or dominance; STV and IRV settle their ties by their
    own rules (look back through the rounds, then lot), reported in the result."""
    if result.ranking is None or vote.method in ("stv", "irv"):
        return None
    above: list[str] = []
    for tier in result.ranking:
        room = vote.seats - len(above)
        if room <= 0:
            return None
        if len(tier) > room:
            return above, list(tier)
        above.extend(tier)
    return None


def decide_chair(vote: VoteState, chosen: list[str], now: Stamp) -> list[Event]:
    result = tally(vote)
    tie = boundary_tie(vote, result) if vote.tie == "chair" else None
    if tie is None:
        raise CommandRefused(_("there is no tie for the chair to decide"))
    above, tied = tie
    room = vote.seats - len(above)
    titles = [vote.title_of(c) if c in vote.candidates else c for c in chosen]
    if len(set(titles)) != room or not set(titles) <= set(tied):
        raise CommandRefused(
            _("choose {n} of the tied: {tied}").format(n=room, tied=", ".join(tied))
        )
    ids = [vote.candidates[vote.titles.index(t)] for t in titles]
    return [Event(EventKind.TIE_DECIDED, now, TieDecided(item=vote.item, vote=vote.key, chosen=ids))]


def decide_runoff(vote: VoteState, now: Stamp) -> list[Event]:
    result = tally(vote)
    tie = boundary_tie(vote, result) if vote.tie == "runoff" else None
    if tie is None or vote.runoff is not None:
        raise CommandRefused(_("there is no tie to send to a runoff"))
    above, tied = tie
    number = 1 + vote.key.count(RUNOFF)
    key = f"{vote.item}{RUNOFF}{number}"
    ids = [vote.candidates[vote.titles.index(t)] for t in tied]
    return [Event(EventKind.RUNOFF_OPENED, now, RunoffOpened(item=vote.item, vote=key, parent=vote.key,
                                                             candidates=ids, seats=vote.seats - len(above)))]


# --- counting --------------------------------------------------------------------------


def profile_of(vote: VoteState, group: str | None = None) -> Profile:
    """The counted ballots as a profile named by candidate titles, in cast order."""
    ballots = [b for b in vote.counted if group is None or b.group == group]
    index = {c: i for i, c in enumerate(vote.candidates)}
    rows = [[index[c] for c in b.ranking] for b in ballots]
    return build_profile(
        vote.titles, rows_to_matrix(rows), np.array([b.weight for b in ballots], dtype=np.int64),
        np.arange(1, len(ballots) + 1, dtype=np.int64),
        groups=[b.group or "" for b in ballots], seats=vote.seats, title=vote.key,
    )


def tally(vote: VoteState, group: str | None = None, seed: int | None = None) -> Result:
    seats = min(vote.seats, len(vote.candidates))
    used = seed if seed is not None else (vote.seed or 0)
    return count(profile_of(vote, group), vote.method, seats=seats, quota=vote.quota, seed=used)


def chosen(votes: dict[str, VoteState], vote: VoteState) -> list[str] | None:
    """The titles finally chosen, after any chair decision or runoff; None until revealed."""
    if vote.seed is None:
        return None
    result = tally(vote)
    tie = boundary_tie(vote, result)
    if tie is not None and vote.tie == "chair" and vote.chair_choice is not None:
        return tie[0] + [vote.title_of(c) for c in vote.chair_choice]
    if tie is not None and vote.tie == "runoff" and vote.runoff in votes:
        runoff = chosen(votes, votes[vote.runoff])
        return None if runoff is None else tie[0] + runoff
    if tie is not None and vote.tie != "lot":
        return None  # waiting for the chair or the runoff
    return list(result.winners)


# --- applying --------------------------------------------------------------------------

VOTE_EVENTS = frozenset({EventKind.BALLOT_CAST, EventKind.BALLOT_UNDONE, EventKind.VOTE_CLOSED,
                         EventKind.RESULT_REVEALED, EventKind.TIE_DECIDED, EventKind.RUNOFF_OPENED,
                         EventKind.BALLOT_REPLACED})


def apply(votes: dict[str, VoteState], agenda: Agenda, event: Event) -> None:
    key = cast(OnVote, event.data)["vote"]
    if event.kind is EventKind.RUNOFF_OPENED:
        opened = cast(RunoffOpened, event.data)
        parent = votes[opened["parent"]]
        parent.runoff = key
        ids = tuple(opened["candidates"])
        votes[key] = VoteState(
            key=key, item=parent.item, candidates=ids, titles=tuple(parent.title_of(c) for c in ids),
            seats=opened["seats"], ranks=min(parent.ranks, len(ids)), method=parent.method,
            quota=parent.quota, tie="lot", groups=parent.groups, group_vote=parent.group_vote,
        )
        return
    if key not in votes:
        votes[key] = new_vote(agenda, agenda.items[agenda.index_of(key)])
    vote = votes[key]
    if event.kind is EventKind.BALLOT_CAST:
        cast_ = cast(BallotCast, event.data)
        vote.ballots.append(Ballot(cast_["ballot"], tuple(cast_["ranking"]), cast_.get("group"),
                                   cast_.get("weight", 1), cast_.get("source", ""), key=cast_.get("key", "")))
    elif event.kind is EventKind.BALLOT_REPLACED:
        replaced = cast(BallotReplaced, event.data)
        for b in vote.ballots:
            if b.id == replaced["ballot"]:
                b.ranking, b.key = tuple(replaced["ranking"]), replaced.get("key", "")
    elif event.kind is EventKind.BALLOT_UNDONE:
        undone = cast(BallotUndone, event.data)["ballot"]
        for b in vote.ballots:
            if b.id == undone:
                b.undone = True
    elif event.kind is EventKind.VOTE_CLOSED:
        vote.closed = True
    elif event.kind is EventKind.RESULT_REVEALED:
        revealed = cast(ResultRevealed, event.data)
        vote.revealed.append((revealed["scope"], revealed["seed"]))
    elif event.kind is EventKind.TIE_DECIDED:
        vote.chair_choice = tuple(cast(TieDecided, event.data)["chosen"])


# --- exports ---------------------------------------------------------------------------


def anonymous_profile(vote: VoteState) -> Profile:
    """The counted ballots in a canonical order (sorted), so the file says nothing about who
    voted when; identical ballots keep their own lines so group labels survive in CSV."""
    order = sorted(range(len(vote.counted)), key=lambda i: (vote.counted[i].group or "", vote.counted[i].ranking))
    ballots = [vote.counted[i] for i in order]
    index = {c: i for i, c in enumerate(vote.candidates)}
    return build_profile(
        vote.titles, rows_to_matrix([[index[c] for c in b.ranking] for b in ballots]),
        np.array([b.weight for b in ballots], dtype=np.int64), np.arange(1, len(ballots) + 1, dtype=np.int64),
        groups=[b.group or "" for b in ballots], seats=vote.seats, title=vote.key,
    )


def export_blt(vote: VoteState, title: str) -> str:
    from retreat.voting.blt import write_blt

    return write_blt(anonymous_profile(vote), seats=vote.seats, title=title)


def export_csv(vote: VoteState, group_names: dict[str, str]) -> str:
    """One row per ballot: group, weight, rank1..rankN holding candidate titles."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["group", "weight", *[f"rank{n + 1}" for n in range(vote.ranks)]])
    profile = anonymous_profile(vote)
    groups = profile.groups or tuple("" for _ in range(len(profile.weights)))
    for (ranking, weight), group in zip(profile.ballots(), groups, strict=True):
        titles = [vote.titles[c] for c in ranking]
        writer.writerow([group_names.get(group, group), weight, *titles, *[""] * (vote.ranks - len(titles))])
    return buf.getvalue()


# --- phones: ballots changed by their owner (the codes that let a phone in: phone_codes) -

PHONE = "phone"
LINK_SPACE = "links:"  # + vote key: the store's scratch space of code -> ballot id, while open


def open_to_phones(vote: VoteState | None, meeting_ended: bool) -> bool:
    """Whether phones may still cast or change ballots in this vote."""
    return (vote is not None and not vote.closed and not vote.revealed and not vote.group_vote
            and not meeting_ended)


def find_ballot(vote: VoteState, ballot_id: str) -> Ballot | None:
    for b in vote.ballots:
        if b.id == ballot_id and not b.undone:
            return b
    return None


def decide_replace(vote: VoteState, value: Mapping[str, object], now: Stamp) -> list[Event]:
    """A phone's new ranking for its own ballot (by opaque id) while the vote is open.

    A repeated submit (same idempotency key) or an unchanged ranking records nothing."""
    _open(vote)
    ballot = find_ballot(vote, str(value.get("ballot") or ""))
    if ballot is None or ballot.source != PHONE:
        raise CommandRefused(_("there is no such phone ballot in this vote"))
    ranking = parse_ranking(vote, value.get("ranking"))
    key = _key(value)
    if (key and key == ballot.key) or ranking == ballot.ranking:
        return []
    replaced = BallotReplaced(item=vote.item, vote=vote.key, ballot=ballot.id, ranking=list(ranking))
    if key:
        replaced["key"] = key
    return [Event(EventKind.BALLOT_REPLACED, now, replaced)]
