"""Whatever a meeting goes through, the file alone gives back the whole live state.

A Hypothesis state machine drives a session on a temp file with random sequences of
commands: timing (start, pause, resume, adjust, next, skip, time passing on a fake clock),
Q&A (draw, ask, answer with follow-ups, their progress and completion, edits, withdrawals),
votes (cast, undo, a phone replacing its ballot, reveal), phone codes, the room views' token,
last year's tasks recorded at the first start, rehearsal, approvals,
the end of the meeting, and restarts of the program. After every step the log read back
from the file must replay to a MeetingState equal to the live one: timing, Q&A, votes,
codes, approvals and follow-ups alike. A refused command is a normal outcome here.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from support import DATA

from retreat import agenda as agenda_mod
from retreat.clock import FakeClock
from retreat.errors import CommandRefused
from retreat.meeting import phone_codes
from retreat.meeting.engine import Cmd
from retreat.meeting.session import Session, load

AGENDA = agenda_mod.load(DATA / "agendas" / "short.yaml")  # a report, remarks with points, Q&A, a vote
ITEMS = [item.id for item in AGENDA.items]
RANKINGS = st.permutations(["1", "2", "3"]).flatmap(lambda p: st.integers(1, 3).map(lambda n: " ".join(p[:n])))
WORDS = st.sampled_from(["停车难", "加装电梯", "社区食堂", "Parking", "老旧小区改造"])


# A fixed seed, not `derandomize`: derandomized runs keep choosing the first rule, while a
# seeded random run spreads over all of them and is just as repeatable (CI never flakes).
@seed(20260108)
class MeetingLog(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="retreat-stateful-"))
        self.path = self.folder / "m.retreat"
        self.clock = FakeClock()
        self.session = Session.create(self.path, AGENDA, self.clock)
        self.ballots = 0
        self.steps = 0

    def do(self, cmd: Cmd, value: object = None) -> None:
        self.steps += 1
        try:
            self.session.handle(cmd, value)
        except CommandRefused:
            pass  # the engine said no, and nothing was written: also a state to replay

    def qids(self) -> list[int]:
        return sorted(self.session.state.qa.questions)

    def at(self, item: str) -> None:
        """Go to the item a command belongs to and start it: otherwise nearly every Q&A or vote
        command would be refused and the machine would test little but refusals."""
        if self.session.state.item.item.id != item:
            self.do(Cmd.GOTO, item)
        if self.session.state.item.started_at is None:
            self.do(Cmd.START)

    # --- timing ---------------------------------------------------------------------------

    @rule(cmd=st.sampled_from([Cmd.START, Cmd.START, Cmd.PAUSE, Cmd.RESUME, Cmd.TOGGLE, Cmd.NEXT,
                               Cmd.PREVIOUS, Cmd.SKIP, Cmd.END, Cmd.SILENCE, Cmd.TICK_POINT]))
    def timing(self, cmd: Cmd) -> None:
        self.do(cmd)

    @rule(key=st.sampled_from([1, 2, 3, 0, 0]))
    def message_to_the_speaker(self, key: int) -> None:
        self.do(Cmd.MESSAGE, key)

    @rule(seconds=st.sampled_from([-60, 30, 60, 120]), item=st.sampled_from(ITEMS))
    def adjust_or_goto(self, seconds: int, item: str) -> None:
        self.do(Cmd.ADJUST, seconds)
        self.do(Cmd.GOTO, item)

    @rule(seconds=st.sampled_from([0.5, 5, 29, 61, 200]), restart=st.sampled_from([False] * 5 + [True]))
    def time_passes(self, seconds: float, restart: bool) -> None:
        if restart:  # the laptop dies meanwhile; the program is started again on the same file
            self.session.close()
            self.clock.restart(down_for=seconds)
            self.session = Session.resume(self.path, self.clock)
        else:
            self.clock.advance(seconds)
        self.do(Cmd.TICK)

    @precondition(lambda self: self.steps > 30)  # late, so most runs have a meeting to end
    @rule()
    def end_meeting(self) -> None:
        self.do(Cmd.END_MEETING)

    @rule(action=st.sampled_from(["note", "approve", "rehearsal", "meeting"]), text=WORDS)
    def record(self, action: str, text: str) -> None:
        if action == "note":
            self.do(Cmd.NOTE, text)
        elif action == "approve":
            self.do(Cmd.APPROVE, "王书记")
        else:
            self.do(Cmd.REHEARSAL, action == "rehearsal")

    # --- questions from the grassroots ----------------------------------------------------

    @rule(action=st.sampled_from(["draw", "ask", "ask", "answer", "follow-up", "progress", "done",
                                  "edit", "withdraw"]),
          n=st.integers(0, 5), text=WORDS)
    def qa(self, action: str, n: int, text: str) -> None:
        self.at("qa")
        qids = self.qids()
        if action in ("progress", "done"):  # mostly the commitments, sometimes any question
            qids = [q.qid for q in self.session.state.qa.followups()] if n else qids
        qid = qids[n % len(qids)] if qids else 1
        if action == "draw":
            self.do(Cmd.DRAW, n)
        elif action == "ask":  # this agenda invites no representatives: the asker is named
            self.do(Cmd.ASK, {"text": text, "department": "pgo", "asker": "林秀英", "area": "东湖社区"})
        elif action in ("answer", "follow-up"):
            if self.session.state.qa.answering is None:
                self.do(Cmd.ASK, {"text": text, "department": "pgo", "asker": "马国庆", "area": "西苑小区"})
            value = {"answerer": "陈静", "answer": "会后研究", "satisfaction": "satisfied", "outcome": "answered"}
            if action == "follow-up":
                value |= {"outcome": "follow-up", "promise": "三月底前答复", "due": "2026-03-31"}
            self.do(Cmd.ANSWER, value)
        elif action in ("progress", "done"):
            self.do(Cmd.FOLLOWUP_DONE if action == "done" else Cmd.FOLLOWUP_PROGRESS, {"qid": qid, "note": text})
        elif action == "edit":
            self.do(Cmd.EDIT_QUESTION, {"qid": qid, "text": text})
        else:
            self.do(Cmd.WITHDRAW_QUESTION, qid)

    # --- votes and phones -----------------------------------------------------------------

    @rule(action=st.sampled_from(["cast", "cast", "cast", "undo", "replace", "reveal"]),
          n=st.integers(1, 5), ranking=RANKINGS)
    def vote(self, action: str, n: int, ranking: str) -> None:
        self.at("v1")
        if action == "cast":
            self.ballots += 1
            self.do(Cmd.CAST, {"ballot": f"b{self.ballots}", "ranking": ranking})
        elif action == "undo":
            self.do(Cmd.UNDO_BALLOT)
        elif action == "replace":
            self.do(Cmd.REPLACE_BALLOT, {"ballot": f"b{n}", "ranking": ranking})
        else:
            self.do(Cmd.REVEAL, {"scope": "all", "seed": n})

    @rule(codes=st.lists(st.sampled_from(["ABCD2345", "WXYZ6789", "MNPQ3456"]), min_size=1, max_size=3,
                         unique=True), revoke=st.booleans(), n=st.integers(0, 5))
    def phones(self, codes: list[str], revoke: bool, n: int) -> None:
        hashes = sorted(self.session.state.codes.groups)
        if revoke and hashes:
            self.do(Cmd.REVOKE_CODE, hashes[n % len(hashes)])
        else:
            salt = f"s{self.steps}"
            self.do(Cmd.ISSUE_CODES, {"salt": salt, "hashes": [phone_codes.hash_code(c, salt) for c in codes]})

    @rule(token=st.sampled_from(["m3uHi9goHZmg-iIoB2z0YQ", "short", "0123456789abcdefghij"]))
    def view_token(self, token: str) -> None:
        self.do(Cmd.SET_VIEW_TOKEN, token)

    @rule(done=st.booleans(), overdue=st.booleans())
    def last_years_tasks(self, done: bool, overdue: bool) -> None:
        task = {"id": "2025:livelihood-vote:canteen", "kind": "project", "title": "社区食堂", "department": "pgo",
                "owner": "党政办公室", "due": "2025-09-30", "status": "done" if done else "open",
                "overdue": overdue and not done, "origin": "表决选出：民生实事项目", "progress": "开业",
                "progress_date": "2025-09-26", "session": "2025.retreat"}
        self.do(Cmd.RECORD_PREVIOUS, {"sessions": [{"file": "2025.retreat", "meeting": "2025年度工作务虚会", "year": 2025}],
                                      "tasks": [task]})

    # --- the invariant --------------------------------------------------------------------

    @invariant()
    def the_file_replays_to_the_live_state(self) -> None:
        assert load(self.path).state == self.session.state

    def teardown(self) -> None:
        self.session.close()
        shutil.rmtree(self.folder, ignore_errors=True)


MeetingLog.TestCase.settings = settings(
    max_examples=30, stateful_step_count=30, deadline=None, database=None
)
test_the_log_replays_to_the_whole_live_state = pytest.mark.slow(MeetingLog.TestCase)  # seconds: a replay per step
