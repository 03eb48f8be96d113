"""The vote desk: the keys of a vote item, and the secretary's ballot entry on the stage.

On a vote item the run loop hands keys to a `VoteDesk` first. In board mode it takes only
its own keys (b u i v . , c f and the arrows) and lets the stage keep the rest (space,
n, p, q, ...). `b` opens ballot entry: choose the working group once (a digit), then one
line per paper ballot, candidate numbers best first (`3 7 1 12 5`), Enter to count it.
Each line is checked as it is typed (`votes.parse_ranking`, the rule the session applies)
and a line that cannot be counted is refused with the reason and never reaches the
session. On an empty line `u` undoes the last ballot, `g` changes the group, `i` imports
a ballot file; Esc leaves. The line editor is a few lines over the stage's own key
reader: no prompt_toolkit application, nothing to import, nothing to start per ballot.

Every ballot, undo, import, reveal and tie decision is one session command: committed to
the log before the screen shows it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from retreat.errors import BallotError, CommandRefused
from retreat.i18n import _
from retreat.meeting.ballot_box import (
    PHONE,
    RUNOFF,
    VoteState,
    boundary_tie,
    parse_import,
    parse_ranking,
)
from retreat.meeting.engine import Cmd
from retreat.ui import keymap
from retreat.ui.keymap import Action
from retreat.ui.vote_view import Entry, Tallies, VoteView, build, group_name, join, scope_seed
from retreat.voting.ballots import is_digits

if TYPE_CHECKING:
    from rich.console import RenderableType

    from retreat.meeting.session import Session
    from retreat.ui.stage import StageOptions
    from retreat.ui.view import View

BOARD, GROUP, BALLOT, IMPORT, CHAIR = "board", "group", "ballot", "import", "chair"
MAX_REPORT = 8  # rejected rows listed on the screen; the count says how many in all


class VoteDesk:
    """Keys and screen of the current vote item; inert on every other item."""

    def __init__(
        self,
        session: Session,
        say: Callable[[str], None],
        *,
        ballot_id: Callable[[], str] = lambda: secrets.token_hex(8),
        seed: Callable[[], int] = lambda: secrets.randbits(32),
    ) -> None:
        self.session = session
        self.say = say
        self.ballot_id = ballot_id
        self.seed = seed
        self.tallies = Tallies()
        self._key: str | None = None
        self._reset()

    def _reset(self) -> None:
        self.mode = BOARD
        self.text = ""
        self.group: str | None = None
        self.last = ""
        self.recall = ""  # the last refused line, back with the up arrow
        self.report: tuple[str, ...] = ()
        self.scope: str | None = None  # the result on show; None: the latest revealed
        self.step = 0
        self.confirm = False  # v pressed once: the next v closes the vote

    # --- which vote ---------------------------------------------------------------
    def vote(self) -> VoteState | None:
        state = self.session.state
        if state.ended_at is not None or state.item.item.kind != "vote":
            return None
        vote = state.vote()
        if vote.key != self._key:
            self._key = vote.key
            self._reset()
        return vote

    # --- keys ---------------------------------------------------------------------
    def takes(self, key: str) -> bool:
        """Whether `key` is the desk's: any key while a line is open, else its own keys."""
        if self.vote() is None:
            return False
        return self.mode != BOARD or self.confirm or keymap.VOTE_BOARD.action(key) in keymap.BOARD_ACTIONS

    def on_key(self, key: str) -> None:
        vote = self.vote()
        if vote is None:
            return
        if self.mode != BOARD:
            self._line_key(vote, key)
            return
        if self.confirm:
            self.confirm = False
            if keymap.VOTE_BOARD.action(key) is Action.REVEAL:
                self._reveal(vote)
            else:
                self.say(_("Voting goes on; nothing was revealed."))
            return
        self.report = ()
        action = keymap.VOTE_BOARD.action(key)
        if action is Action.ENTER_BALLOTS:
            self._open_entry(vote)
        elif action is Action.UNDO:
            self._undo(vote)
        elif action is Action.IMPORT:
            self._ask(IMPORT)
        elif action is Action.REVEAL:
            self._reveal_key(vote)
        elif action in (Action.NEXT_ROUND, Action.PREVIOUS_ROUND):
            self._step(vote, 1 if action is Action.NEXT_ROUND else -1)
        elif action is Action.CHAIR:
            self._chair_key(vote)
        elif action is Action.RUNOFF:
            self._command(Cmd.OPEN_RUNOFF, None, _("Runoff opened among the tied: vote again by the new numbers."))

    def _ask(self, mode: str) -> None:
        self.mode, self.text = mode, ""

    def _open_entry(self, vote: VoteState) -> None:
        if vote.closed or vote.revealed:
            self.say(_("voting is closed: no more ballots"))
            return
        if vote.groups and (self.group is None or vote.group_vote):
            self._ask(GROUP)
            if vote.group_vote:
                self.group = self._next_group(vote)
        else:
            self._ask(BALLOT)

    def _line_key(self, vote: VoteState, key: str) -> None:
        action = (keymap.BALLOT_LINE if self.mode == BALLOT else keymap.ENTRY_LINE).action(key)
        if action is Action.LEAVE:
            self.mode, self.text = BOARD, ""
            return
        if action is Action.ENTER:
            line, self.text = self.text.strip(), ""
            {GROUP: self._choose_group, BALLOT: self._cast, IMPORT: self._import, CHAIR: self._chair}[self.mode](
                vote, line)
            return
        if action is Action.ERASE:
            self.text = self.text[:-1]
        elif action is Action.CLEAR:
            self.text = ""
        elif action is Action.ERASE_WORD:
            self.text = self.text.rstrip().rpartition(" ")[0]
        elif action is Action.RECALL and self.recall:
            self.text = self.recall
        elif len(key) == 1 and key.isprintable():
            self._typed(vote, key, action)

    def _typed(self, vote: VoteState, key: str, action: Action | None) -> None:
        if self.mode == GROUP and key.isdigit() and not self.text and len(vote.groups) <= 9:
            self._choose_group(vote, key)  # one key: the group's number
        elif self.mode == BALLOT and not self.text and action in (Action.UNDO, Action.GROUP, Action.IMPORT):
            {Action.UNDO: lambda: self._undo(vote), Action.GROUP: lambda: self._ask(GROUP),
             Action.IMPORT: lambda: self._ask(IMPORT)}[action]()
        elif self.mode in (BALLOT, CHAIR) and not (key.isdigit() or key in " ,>"):
            self.say(_(keymap.BALLOT_LINE.reminder))
        else:
            self.text += key

    # --- what the lines do ----------------------------------------------------------
    def _choose_group(self, vote: VoteState, line: str) -> None:
        agenda = self.session.agenda
        groups = [g for g in agenda.groups if g.id in vote.groups]
        picked = None
        if not line and self.group is not None:
            picked = self.group
        elif is_digits(line) and 1 <= int(line) <= len(groups):
            picked = groups[int(line) - 1].id
        else:
            picked = next((g.id for g in groups if line in (g.id, g.name)), None)
        if picked is None:
            self.say(_("Type the group's number: {groups}").format(groups=self._group_menu(vote)))
            self.mode = GROUP
            return
        if vote.group_vote and any(b.group == picked for b in vote.counted):
            self.say(_("this group's ranking is already in; undo it first to replace it"))
            self.mode = GROUP
            return
        self.group = picked
        self.mode = BALLOT

    def _group_menu(self, vote: VoteState) -> str:
        agenda = self.session.agenda
        groups = [g for g in agenda.groups if g.id in vote.groups]
        return "  ".join(f"{n} {g.name}" for n, g in enumerate(groups, 1))

    def _next_group(self, vote: VoteState) -> str | None:
        done = {b.group for b in vote.counted}
        return next((g for g in vote.groups if g not in done), None)

    def _cast(self, vote: VoteState, line: str) -> None:
        if not line:
            return  # an empty Enter is a slip, not an empty ballot
        try:
            parse_ranking(vote, line)  # the instant check, before anything is sent
            self.session.handle(Cmd.CAST, {"ballot": self.ballot_id(), "ranking": line, "group": self.group})
        except CommandRefused as e:
            self.recall = line
            self.say(_("Not counted: {line} ({reason}). Type the ballot again.").format(line=line, reason=e))
            return
        vote = self.session.state.vote()
        self.last = self._describe(vote, len(vote.counted), vote.counted[-1].ranking, vote.counted[-1].group)
        self.say("")
        if vote.group_vote:
            self.group = self._next_group(vote)
            if self.group is None:
                self.mode = BOARD
                self.say(_("Every group's ranking is in."))

    def _describe(self, vote: VoteState, n: int, ranking: tuple[str, ...], group: str | None) -> str:
        numbers = " ".join(str(vote.candidates.index(c) + 1) for c in ranking)
        where = f" ({group_name(self.session.state, group)})" if vote.groups else ""
        return _("Ballot #{n}{group}: {numbers}").format(n=n, group=where, numbers=numbers)

    def _undo(self, vote: VoteState) -> None:
        desk = [b for b in vote.counted if b.source != PHONE]  # what the session's undo takes back
        if not desk:
            self.say(_("there is no ballot to undo"))
            return
        last = desk[-1]
        n = vote.counted.index(last) + 1
        gone = self._describe(vote, n, last.ranking, last.group)
        if self._command(Cmd.UNDO_BALLOT, None, _("Undone: {ballot}").format(ballot=gone)):
            self.last = ""
            if vote.group_vote and self.mode != BOARD:
                self.group = last.group
                self.mode = BALLOT

    def _import(self, vote: VoteState, line: str) -> None:
        back = BALLOT if self.group is not None and not vote.group_vote else BOARD
        if not line:
            self.mode = back
            return
        path = Path(line.strip("'\"")).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
            rows, rejected = parse_import(vote, text, path.name)
        except (OSError, UnicodeDecodeError) as e:
            self.say(_("Cannot read {path}: {reason}").format(path=path, reason=getattr(e, "strerror", None) or e))
            self.mode = IMPORT
            return
        except (BallotError, CommandRefused) as e:
            self.say(str(e))
            self.mode = IMPORT
            return
        group = self.group if vote.groups else None
        rows = [(r, w, g or group) for r, w, g in rows]
        if rows:
            try:
                self.session.handle(Cmd.IMPORT_BALLOTS, {"rows": rows, "ids": [self.ballot_id() for _ in rows],
                                                         "source": path.name})
            except CommandRefused as e:
                self.say(str(e))
                self.mode = IMPORT
                return
        self.mode = back
        self.report = self._import_report(path.name, len(rows), rejected, group)

    def _import_report(self, name: str, n: int, rejected: list[tuple[int, str]], group: str | None) -> tuple[str, ...]:
        head = _("Imported {n} ballot(s) from {file}").format(n=n, file=name)
        if group is not None:
            head += " " + _("for {group}").format(group=group_name(self.session.state, group))
        if not rejected:
            return (_("{sentence}.").format(sentence=head),)
        head = _("{first}; {then}").format(first=head, then=_("{n} row(s) rejected, not counted:").format(n=len(rejected)))
        lines = [_("line {line}: {reason}").format(line=line, reason=reason) for line, reason in rejected]
        if len(lines) > MAX_REPORT:
            lines = [*lines[: MAX_REPORT - 1], _("... and {n} more").format(n=len(lines) - MAX_REPORT + 1)]
        return (head, *lines)

    # --- reveal, rounds, ties ----------------------------------------------------------
    def scopes(self, vote: VoteState) -> list[str]:
        """What `v` reveals, in order: each group that handed in ballots, then everyone."""
        return [g for g in vote.groups if vote.received(g)] + ["all"]

    def _reveal_key(self, vote: VoteState) -> None:
        if not vote.counted:
            self.say(_("no ballots yet: nothing to reveal"))
            return
        if not vote.revealed:
            self.confirm = True
            self.say(_("Close voting and reveal the results? Press v again; any other key goes on voting."))
            return
        self._reveal(vote)

    def _reveal(self, vote: VoteState) -> None:
        done = {s for s, _seed in vote.revealed}
        scopes = self.scopes(vote)
        todo = [s for s in scopes if s not in done]
        if not todo:  # all shown already: v walks through them again
            current = self.shown(vote)
            at = scopes.index(current) if current in scopes else -1
            self.scope, self.step = scopes[(at + 1) % len(scopes)], 0
            return
        if self._command(Cmd.REVEAL, {"scope": todo[0], "seed": self.seed()}, ""):
            self.scope, self.step = todo[0], 0

    def shown(self, vote: VoteState) -> str | None:
        if self.scope is not None and scope_seed(vote, self.scope) is not None:
            return self.scope
        return vote.revealed[-1][0] if vote.revealed else None

    def _step(self, vote: VoteState, by: int) -> None:
        scope = self.shown(vote)
        if scope is None:
            self.say(_("Nothing is revealed yet: v reveals."))
            return
        seed = scope_seed(vote, scope)
        assert seed is not None
        rounds = len(self.tallies.get(vote, scope, seed).rounds)
        if rounds <= 1:
            self.say(_("This count has a single round."))
        self.step = max(0, min(rounds - 1, self.step + by))

    def _chair_key(self, vote: VoteState) -> None:
        tie = boundary_tie(vote, self.tallies.get(vote, "all", vote.seed)) if vote.seed is not None else None
        if vote.tie != "chair" or tie is None or vote.chair_choice is not None:
            self.say(_("there is no tie for the chair to decide"))
            return
        self._ask(CHAIR)

    def _chair(self, vote: VoteState, line: str) -> None:
        self.mode = BOARD
        if not line:
            return
        numbers = line.replace(",", " ").split()
        ids = [vote.candidates[int(n) - 1] for n in numbers if is_digits(n) and 1 <= int(n) <= len(vote.candidates)]
        if len(ids) != len(numbers):
            self.say(_("{line}: type candidate numbers from 1 to {last}").format(line=line, last=len(vote.candidates)))
            self.mode = CHAIR
            return
        if not self._command(Cmd.CHAIR_DECIDES, ids, _("The chair's decision is recorded.")):
            self.mode = CHAIR

    def _command(self, cmd: Cmd, value: object, done: str) -> bool:
        try:
            self.session.handle(cmd, value)
        except CommandRefused as e:
            self.say(str(e))
            return False
        self.say(done)
        return True

    # --- the screen --------------------------------------------------------------------
    def entry(self, vote: VoteState) -> Entry | None:
        state = self.session.state
        if self.mode == BOARD:
            return None
        if self.mode == GROUP:
            return Entry(_("Working group? {groups}").format(groups=self._group_menu(vote)), self.text,
                         "", False, self.last)
        if self.mode == IMPORT:
            return Entry(_("Ballot file (CSV, BLT or JSON), Enter to import:"), self.text, "", False, "")
        if self.mode == CHAIR:
            tie = boundary_tie(vote, self.tallies.get(vote, "all", vote.seed or 0))
            tied = join([f"{vote.titles.index(t) + 1} {t}" for t in tie[1]]) if tie else ""
            return Entry(_("The chair chooses (numbers): {tied}").format(tied=tied), self.text, "", False, "")
        prompt = group_name(state, self.group) if vote.groups else _("Ballot")
        hint, bad = "", False
        if self.text.strip():
            try:
                hint = " > ".join(vote.title_of(c) for c in parse_ranking(vote, self.text))
            except CommandRefused as e:
                hint, bad = str(e), True
        return Entry(prompt, self.text, hint, bad, self.last)

    def keys(self, vote: VoteState) -> tuple[tuple[str, str], ...]:
        """The help line of the desk's screen (the board's j is added by the stage, which knows the phones)."""
        if self.mode == BALLOT:
            return keymap.BALLOT_LINE.help()
        if self.mode != BOARD:
            return keymap.ENTRY_LINE.help()
        if not vote.revealed:
            return keymap.VOTE_BOARD.help("hidden")
        chair = ("chair",) if vote.tie == "chair" else ()
        runoff = ("runoff",) if vote.tie == "runoff" and RUNOFF not in vote.key else ()
        return keymap.VOTE_BOARD.help("revealed", *chair, *runoff)

    def vote_view(self) -> VoteView | None:
        vote = self.vote()
        if vote is None:
            return None
        return build(self.session.state, vote, entry=self.entry(vote), group=self.group, report=self.report,
                     scope=self.shown(vote), step=self.step, keys=self.keys(vote), tallies=self.tallies)

    def decorate(self, view: View) -> View:
        """`view` with the vote screen's data when the current item is a vote."""
        vote = self.vote_view()
        return view if vote is None else replace(view, vote=vote)

    def frame(self, view: View, options: StageOptions) -> RenderableType:
        from retreat.ui.stage import frame

        if view.vote is None or view.overview is not None or view.join:
            return frame(view, options)
        from retreat.ui.vote_stage import VoteStage

        return VoteStage(view, view.vote, options)
