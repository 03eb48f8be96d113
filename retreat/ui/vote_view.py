"""What the vote screen shows, as plain frozen data (like `view.View`, and part of it).

While ballots come in, the room sees the candidates by number, how many ballots each
working group has handed in against its size, and the countdown: never a score. Once
the facilitator reveals a scope (a group, then everyone), the screen shows that scope's
result: one bar per candidate, winners marked, and for STV/IRV one round at a time. Every
text is formatted and translated here; `vote_stage` only lays it out. Equal views draw
identical frames, so the run loop repaints only when something the room sees changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, cast

from retreat import i18n
from retreat.i18n import N_, _
from retreat.meeting.ballot_box import (
    PHONE,
    RUNOFF,
    TIE_PURPOSES,
    VoteState,
    boundary_tie,
    chosen,
    group_size,
    tally,
)

if TYPE_CHECKING:
    from retreat.meeting.engine import MeetingState
    from retreat.voting.result import Result, Round

# States of a bar: drawn differently, and named in words beside the bar.
WINNER, ELECTED, TIED, OUT, TOP = "winner", "elected", "tied", "out", "top"

METHOD_RULES = {
    "borda": N_("Borda count: with {m} candidates a 1st choice gets {m} points, a 2nd {m2}, "
                "and so on; unranked 0."),
    "approval": N_("Approval: one point for every candidate a ballot names."),
    "plurality": N_("Plurality: one point for the first choice."),
    "stv": N_("Single transferable vote: whoever reaches the quota is elected; surpluses "
              "and the ballots of the last are passed on."),
    "irv": N_("Instant runoff: the fewest first choices drop out until one has a majority."),
    "schulze": N_("Schulze: the candidate who beats every other head to head, by the "
                  "strongest paths."),
    "ranked_pairs": N_("Ranked pairs: the biggest head-to-head wins are locked in first."),
}
TIE_RULES = {
    "lot": N_("A tie for the last seat is drawn by lot (the seed is shown)."),
    "runoff": N_("A tie for the last seat goes to a runoff vote among the tied."),
    "chair": N_("A tie for the last seat is decided by the chair."),
}
MEASURES = {
    "borda": N_("Borda points"),
    "approval": N_("approvals"),
    "plurality": N_("first choices"),
    "schulze": N_("candidates beaten head to head"),
    "ranked_pairs": N_("candidates beaten head to head"),
}
STATE_LABELS = {WINNER: N_("chosen"), ELECTED: N_("elected"), TIED: N_("tied"), OUT: N_("out"),
                TOP: N_("top")}  # a group's result chooses nothing: its winners are its top places


@dataclass(frozen=True)
class Choice:
    """A candidate as the room votes for it: by number."""

    number: int
    title: str


@dataclass(frozen=True)
class GroupCount:
    name: str
    received: int
    size: int  # 0 when the group has no member list
    current: bool  # the group whose ballots are being typed

    @property
    def over(self) -> bool:
        """More ballots than members: someone should look."""
        return 0 < self.size < self.received


@dataclass(frozen=True)
class Entry:
    """The secretary's line: what is asked, what is typed, and the instant check of it."""

    prompt: str
    text: str
    hint: str  # the titles the line stands for, or why it cannot be counted
    bad: bool
    last: str  # the last ballot counted, to check against the paper


@dataclass(frozen=True)
class Bar:
    place: str  # "1", "=3"
    number: int
    title: str
    value: str
    fraction: float  # of the longest bar
    state: str  # WINNER, ELECTED, TIED, OUT or ""

    @property
    def label(self) -> str:
        return _(STATE_LABELS[self.state]) if self.state else ""


@dataclass(frozen=True)
class Outcome:
    """One revealed scope (a group or everyone) at one round."""

    heading: str
    measure: str
    bars: tuple[Bar, ...]
    quota: float | None  # where the quota falls on the bars' scale (STV)
    notes: tuple[str, ...]  # what happened in this round, and every tie
    tie: str  # a tie the agenda's rule still has to settle, and how
    chosen: str
    round: int
    rounds: int


@dataclass(frozen=True)
class VoteView:
    title: str
    rule: str  # how to fill in a ballot, the method and the tie rule
    choices: tuple[Choice, ...]
    groups: tuple[GroupCount, ...]
    total: str
    status: str
    entry: Entry | None
    report: tuple[str, ...]  # an import's rejected rows
    outcome: Outcome | None
    keys: tuple[tuple[str, str], ...]  # (key, what it does) for the help line
    phones: int = 0  # ballots in from phones (grouped or not), shown beside the groups' counts


def join(names: list[str] | tuple[str, ...]) -> str:
    return ("、" if i18n.language() == "zh-CN" else ", ").join(names)


def figure(value: Fraction | int) -> str:
    f = Fraction(value)
    return str(f.numerator) if f.denominator == 1 else f"{float(f):.2f}"


def group_name(state: MeetingState, gid: str | None) -> str:
    if gid is None:
        return _("no group")
    return next((g.name for g in state.agenda.groups if g.id == gid), gid)


def rule_line(vote: VoteState) -> str:
    ask = _("Rank up to {k} of the {n}, best first, by number.").format(k=vote.ranks, n=len(vote.candidates))
    if vote.group_vote:
        ask = _("Each group hands in one agreed ranking (up to {k}), counted once per member.").format(
            k=vote.ranks)
    m = len(vote.candidates)
    method = _(METHOD_RULES.get(vote.method, vote.method)).format(m=m, m2=m - 1)
    return " ".join((ask, method, _(TIE_RULES.get(vote.tie, vote.tie))))


def vote_title(state: MeetingState, vote: VoteState) -> str:
    title = state.item.item.title
    if RUNOFF in vote.key:
        return _("Runoff among the tied: {title}").format(title=title)
    return title


def counts(state: MeetingState, vote: VoteState, current: str | None) -> tuple[GroupCount, ...]:
    rows = [GroupCount(group_name(state, g), vote.received(g), group_size(state.agenda, g), g == current)
            for g in vote.groups]
    stray = vote.received(None)
    if vote.groups and stray:
        rows.append(GroupCount(_("no group"), stray, 0, False))
    return tuple(rows)


def total_line(vote: VoteState) -> str:
    counted = vote.counted
    n = len(counted)
    if vote.group_vote:
        return i18n.ngettext("{n} group ranking in", "{n} group rankings in", n).format(n=n)
    weight = sum(b.weight for b in counted)
    line = i18n.ngettext("{n} ballot in", "{n} ballots in", n).format(n=n)
    if weight != n:
        line += " " + _("(weight {w})").format(w=weight)
    return line


# --- results ----------------------------------------------------------------------------


class Tallies:
    """Counts kept while the ballots, seeds and decisions stay the same: a frame a second on
    the result screen must not recount."""

    def __init__(self) -> None:
        self._cache: dict[tuple[object, ...], object] = {}

    @staticmethod
    def _mark(vote: VoteState) -> tuple[object, ...]:
        undone = sum(1 for b in vote.ballots if b.undone)
        return (vote.key, len(vote.ballots), undone, vote.chair_choice, tuple(vote.revealed), vote.runoff)

    def _cached(self, key: tuple[object, ...], compute: Callable[[], object]) -> object:
        if key not in self._cache:
            if len(self._cache) > 64:
                self._cache.clear()
            self._cache[key] = compute()
        return self._cache[key]

    def get(self, vote: VoteState, scope: str, seed: int) -> Result:
        key = ("tally", self._mark(vote), scope, seed)
        result = self._cached(key, lambda: tally(vote, None if scope == "all" else scope, seed=seed))
        return cast("Result", result)

    def chosen(self, votes: dict[str, VoteState], vote: VoteState) -> list[str] | None:
        chain, at = [self._mark(vote)], vote
        while at.runoff is not None and at.runoff in votes:
            at = votes[at.runoff]
            chain.append(self._mark(at))
        return cast("list[str] | None", self._cached(("chosen", *chain), lambda: chosen(votes, vote)))


def scope_seed(vote: VoteState, scope: str) -> int | None:
    for s, seed in reversed(vote.revealed):
        if s == scope:
            return seed
    return None


def outcome(state: MeetingState, vote: VoteState, scope: str, step: int, tallies: Tallies) -> Outcome | None:
    """The revealed result of `scope` at round `step` (0-based; clamped), or None if not revealed."""
    seed = scope_seed(vote, scope)
    if seed is None:
        return None
    result = tallies.get(vote, scope, seed)
    rounds = len(result.rounds)
    step = max(0, min(step, rounds - 1))
    rnd = result.rounds[step]
    last = step == rounds - 1
    heading = _("Overall result") if scope == "all" else _("Result of {group}").format(
        group=group_name(state, scope))
    tie_line, final = "", ""
    states = _states(vote, result, step)
    if scope != "all":
        states = {t: TOP if s == WINNER else s for t, s in states.items()}
    if scope == "all":
        tie_line, decided = _tie_situation(state, vote, result, tallies)
        states.update(decided)
        if last:
            root = state.votes.get(state.item.item.id, vote)
            picked = tallies.chosen(state.votes, root)
            if picked is not None:
                final = _("Chosen: {titles}").format(titles=join(picked))
    return Outcome(
        heading=heading,
        measure=_measure(vote, result, rnd, step, scope),
        bars=_bars(vote, result, rnd, states),
        quota=_quota_mark(result, rnd),
        notes=tuple(_notes(result, rnd, step, lot=vote.tie == "lot")),
        tie=tie_line,
        chosen=final,
        round=step + 1,
        rounds=rounds,
    )


def _states(vote: VoteState, result: Result, step: int) -> dict[str, str]:
    """Each title's state at this round: elected so far, out so far, chosen at the end."""
    states: dict[str, str] = {}
    for rnd in result.rounds[: step + 1]:
        for t in rnd.eliminated:
            states[t] = OUT
        for t in rnd.elected:
            states[t] = ELECTED
    if step == len(result.rounds) - 1:
        for t in result.winners:
            states[t] = WINNER
    return states


def _tie_situation(state: MeetingState, vote: VoteState, result: Result,
                   tallies: Tallies) -> tuple[str, dict[str, str]]:
    """What the agenda's tie rule still has to settle, and the states it changes."""
    tie = boundary_tie(vote, result)
    if tie is None or vote.tie == "lot":
        return "", {}
    above, tied = tie
    room = vote.seats - len(above)
    states = {t: TIED for t in result.winners if t not in above}
    states.update({t: TIED for t in tied})
    numbers = join([f"{vote.titles.index(t) + 1} {t}" for t in tied])
    if vote.tie == "chair":
        if vote.chair_choice is not None:
            picked = [vote.title_of(c) for c in vote.chair_choice]
            states.update({t: WINNER for t in picked})
            return _("Tied: {tied}. The chair chose {picked}.").format(tied=numbers, picked=join(picked)), states
        return _("Tied for the last {n} seat(s): {tied}. The chair decides: press c and type the "
                 "number(s).").format(n=room, tied=numbers), states
    runoff = state.votes.get(vote.runoff) if vote.runoff else None
    if runoff is not None:
        won = tallies.chosen(state.votes, runoff)
        if won is not None:
            states.update({t: WINNER for t in won})
            return _("Tied: {tied}. The runoff chose {picked}.").format(tied=numbers, picked=join(won)), states
        return _("Tied: {tied}. The runoff among them is open.").format(tied=numbers), states
    return _("Tied for the last {n} seat(s): {tied}. The agenda calls for a runoff among them: "
             "press f to open it.").format(n=room, tied=numbers), states


def _measure(vote: VoteState, result: Result, rnd: Round, step: int, scope: str) -> str:
    ballots = len([b for b in vote.counted if scope == "all" or b.group == scope])
    count = i18n.ngettext("{n} ballot", "{n} ballots", ballots).format(n=ballots)
    if result.method in ("stv", "irv"):
        what = _("first choices") if step == 0 else _("votes after transfers")
        line = _("Round {r} of {n}: {what}").format(r=step + 1, n=len(result.rounds), what=what)
        if rnd.quota is not None:
            line = _("{first}, {then}").format(first=line, then=_("quota {q} (|)").format(q=figure(rnd.quota)))
        if rnd.exhausted:
            line = _("{first}, {then}").format(first=line, then=_("exhausted {x}").format(x=figure(rnd.exhausted)))
        return _("{first}; {then}").format(first=line, then=count)
    return _("{first}; {then}").format(first=_(MEASURES.get(result.method, result.method)), then=count)


def _places(result: Result, rnd: Round) -> dict[str, str]:
    tiers = result.ranking if result.ranking is not None and len(result.rounds) == 1 else None
    if tiers is None:  # rank this round's tallies
        ordered = sorted(rnd.tallies.items(), key=lambda kv: -kv[1])
        tiers, i = [], 0
        while i < len(ordered):
            tier = [t for t, v in ordered if v == ordered[i][1]]
            tiers.append(tier)
            i += len(tier)
    places: dict[str, str] = {}
    at = 1
    for tier in tiers:
        for t in tier:
            places[t] = ("=" if len(tier) > 1 else "") + str(at)
        at += len(tier)
    return places


def _bars(vote: VoteState, result: Result, rnd: Round, states: dict[str, str]) -> tuple[Bar, ...]:
    values = {t: rnd.tallies.get(t, Fraction(0)) for t in vote.titles}
    top = max([*values.values(), rnd.quota or Fraction(0), Fraction(1)])
    places = _places(result, rnd)
    order = sorted(vote.titles, key=lambda t: (states.get(t) == OUT, -values[t], vote.titles.index(t)))
    return tuple(
        Bar(place=places.get(t, "") if states.get(t) != OUT else "", number=vote.titles.index(t) + 1,
            title=t, value=figure(values[t]), fraction=float(values[t] / top), state=states.get(t, ""))
        for t in order
    )


def _quota_mark(result: Result, rnd: Round) -> float | None:
    if rnd.quota is None:
        return None
    top = max([*rnd.tallies.values(), rnd.quota, Fraction(1)])
    return float(rnd.quota / top)


def _notes(result: Result, rnd: Round, step: int, lot: bool) -> list[str]:
    notes: list[str] = []
    if rnd.elected and result.method in ("stv", "irv"):
        notes.append(_("Elected in this round: {titles}.").format(titles=join(rnd.elected)))
    for tr in rnd.transfers:
        moved = join([f"{t} +{figure(v)}" for t, v in tr.to.items() if v])
        if tr.kind == "surplus":
            line = _("{title}'s surplus passes on at {ratio} a ballot").format(
                title=tr.source, ratio=f"{float(tr.ratio):.3f}")
        else:
            line = _("{title} has the fewest votes and drops out; its ballots pass on").format(title=tr.source)
        if moved:
            line = _("{first}: {then}").format(first=line, then=moved)
        if tr.exhausted:
            line = _("{first}; {then}").format(first=line, then=_("exhausted {x}").format(x=figure(tr.exhausted)))
        notes.append(_("{sentence}.").format(sentence=line))
    for tie in result.ties:
        if tie.purpose == "seat boundary" and not lot:
            continue  # the agenda's rule (chair, runoff) settles it, not the count's lot
        if tie.round is not None and tie.round != rnd.number:
            continue
        if tie.round is None and step != len(result.rounds) - 1:
            continue
        how = (_("drawn by lot, seed {seed}").format(seed=tie.seed) if tie.seed is not None
               else _("settled by an earlier round's tallies"))
        notes.append(_("Tie for {purpose} among {names}: {how}: {chosen}.").format(
            purpose=_(TIE_PURPOSES.get(tie.purpose, tie.purpose)), names=join(tie.candidates), how=how,
            chosen=tie.chosen))
    return notes


def build(
    state: MeetingState,
    vote: VoteState,
    *,
    entry: Entry | None,
    group: str | None,
    report: tuple[str, ...],
    scope: str | None,
    step: int,
    keys: tuple[tuple[str, str], ...],
    tallies: Tallies,
) -> VoteView:
    """The vote screen: the board while voting, or the shown scope's result once revealed."""
    shown = outcome(state, vote, scope, step, tallies) if scope is not None else None
    if vote.revealed:
        status = _("Voting is closed.")
    elif entry is not None:
        status = _("Results stay hidden until they are revealed.")
    else:
        status = _("Results stay hidden until they are revealed (v).")
    return VoteView(
        title=vote_title(state, vote),
        rule=rule_line(vote),
        choices=tuple(Choice(i + 1, t) for i, t in enumerate(vote.titles)),
        groups=counts(state, vote, group if entry is not None else None),
        total=total_line(vote),
        status=status,
        entry=entry,
        report=report,
        outcome=shown,
        keys=keys,
        phones=sum(1 for b in vote.counted if b.source == PHONE),
    )
