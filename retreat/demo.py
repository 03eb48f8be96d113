"""The scripted demo meeting: the bundled agenda run in simulated time, with no input.

It exercises what a real retreat does: reports on time, one overrunning into its alarm,
one extended by the chair, a pause, talking points ticked, notes, and a laptop crash in
the middle of a report (the session is resumed and the speaker's time kept counting).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path

from retreat.agenda import Agenda
from retreat.clock import FakeClock
from retreat.i18n import translator
from retreat.meeting.engine import Cmd, ItemState
from retreat.meeting.session import Session

# Per item: seconds actually spoken, and what happens along the way.
# Keys are item ids of the bundled agendas (zh and en share them).
_SPOKEN = {
    "opening": 170,
    "pgo-report": 400,
    "bdo-report": 465,  # runs over: the alarm fires, repeats, then is silenced
    "leader-zhang": 290,
    "svc-report": 455,  # the chair extends by a minute before time is up
    "sgo-report": 410,
    "break": 585,
    "jus-report": 430,  # the laptop crashes at 3:00 and is back 2 minutes later
    "urb-report": 380,
    "leader-huang": 305,
    "grassroots-qa": 1620,
    "livelihood-vote": 1080,
    "key-task-vote": 840,
    "closing": 540,
}
CRASH_AT, CRASH_FOR = 180, 120
DRAW_SEED = 20260108

# The Q&A segment: (question, department, seconds to answer, answer, outcome, satisfaction,
# promise, due). Modelled on the questions of a real retreat (see shared/CONTEXT.md).
_QUESTIONS = {
    "zh-CN": [
        ("小区业主委员会和物业管理委员会里必须有党员吗？选不出党员怎么办？", "sgo", 150,
         "应当有党员成员；选不出时由社区党组织推荐，街道审核把关。", "answered", "satisfied", "", ""),
        ("希望街道推动“三所联动”执法平台真正运转起来，管住违法建设。", "jus", 190,
         "今年将完成平台联调，建立每月会商和通报制度。", "follow-up", "basically satisfied",
         "二季度完成“三所联动”平台联调，每月向居民区通报违建整治进展", "2026-06-30"),
        ("老旧小区停车难，能否利用周边空地建临时停车场？", "urb", 140,
         "先摸排周边可用空地，再与产权单位协商。", "follow-up", "satisfied",
         "3月底前完成周边空地摸排，并向居民区反馈方案", "2026-03-31"),
        ("社区食堂能否对80岁以上老人给予优惠？", "svc", 100,
         "已纳入今年民生实事备选项目，开业后对80岁以上老人实行优惠。", "answered", "satisfied", "", ""),
    ],
    "en": [
        ("Must the property-management committee include party members, and what if none are elected?",
         "sgo", 150, "It should; if none are elected, the community party organisation nominates one and "
         "the street office reviews it.", "answered", "satisfied", "", ""),
        ("Please make the three-bureau linkage law-enforcement platform work against illegal construction.",
         "jus", 190, "The platform will be linked up this year, with monthly case meetings and reports.",
         "follow-up", "basically satisfied",
         "Link up the three-bureau platform in Q2 and report monthly on illegal construction cases",
         "2026-06-30"),
        ("Parking is hard in old estates: can nearby vacant land become temporary parking?", "urb", 140,
         "We will survey usable land first, then negotiate with the owners.", "follow-up", "satisfied",
         "Survey vacant land near old estates by the end of March and report a plan back", "2026-03-31"),
        ("Can the community canteen give a discount to residents over 80?", "svc", 100,
         "It is on this year's list of candidate projects; over-80s will get a discount when it opens.",
         "answered", "satisfied", "", ""),
    ],
}


@dataclass(frozen=True)
class Step:
    """One line of the demo's progress view."""

    position: int
    count: int
    item: ItemState
    events: int


def run_demo(agenda: Agenda, session_path: Path, clock: FakeClock | None = None) -> Generator[Step, None, None]:
    clock = clock or FakeClock()
    t = translator(agenda.language).gettext
    session = Session.create(session_path, agenda, clock)
    try:
        for position, planned in enumerate(agenda.items):
            spoken = _SPOKEN.get(planned.id, planned.limit - 30)
            session = _run_item(session, clock, planned.id, spoken, t)
            session.handle(Cmd.NEXT)
            yield Step(position + 1, len(agenda.items), session.state.items[position], session.state.events)
    finally:
        session.close()


def _run_item(
    session: Session, clock: FakeClock, item_id: str, spoken: int, t: Callable[[str], str]
) -> Session:
    state = session.state.item
    session.handle(Cmd.START)
    points = len(state.item.points)
    marks = {round(spoken * (i + 1) / (points + 1)): i for i in range(points)}
    elapsed = 0
    for at in sorted({*marks, spoken, *_extra_moments(item_id)}):
        _advance(session, clock, at - elapsed)
        elapsed = at
        if item_id == "jus-report" and at == CRASH_AT:
            session = _crash_and_resume(session, clock)
            elapsed += CRASH_FOR  # the speaker kept talking while the laptop rebooted
        if item_id == "svc-report" and at == 300:
            session.handle(Cmd.ADJUST, 60)
        if item_id == "bdo-report" and at == 460:
            session.handle(Cmd.SILENCE)
        if item_id == "sgo-report" and at == 200:
            session.handle(Cmd.PAUSE)
            clock.advance(45)  # a projector cable is reseated; the clock is paused
            session.handle(Cmd.RESUME)
        if at in marks:
            session.handle(Cmd.TICK_POINT)
        if item_id == "grassroots-qa" and at == 60:
            session.handle(Cmd.NOTE, t("Representatives were drawn at random; questions below."))
            _questions(session, clock, session.agenda.language)
            elapsed += sum(q[2] + 30 for q in _QUESTIONS[session.agenda.language])
        if item_id in ("livelihood-vote", "key-task-vote") and at == 60:
            _vote(session, clock, item_id)
            elapsed += 13 * 20 + 3 * 30
        if item_id == "closing" and at == spoken:
            session.handle(Cmd.NOTE, t("The consensus will be written into this year's work plan."))
    return session


def _questions(session: Session, clock: FakeClock, lang: str) -> None:
    """Draw askers and take their questions; each answer runs on its own countdown."""
    for n, (text, dep, seconds, answer, outcome, satisfied, promise, due) in enumerate(_QUESTIONS[lang]):
        session.handle(Cmd.DRAW, DRAW_SEED if n == 0 else None)
        _advance(session, clock, 30)
        session.handle(Cmd.ASK, {"text": text, "department": dep})
        _advance(session, clock, seconds)
        if session.state.qa.answer_timer is not None and session.state.qa.answer_timer.time_up:
            session.handle(Cmd.SILENCE)
        session.handle(
            Cmd.ANSWER,
            {"answer": answer, "outcome": outcome, "satisfaction": satisfied, "promise": promise, "due": due},
        )


# How much the room likes each candidate (by id): the demo's ballots are drawn from these.
_APPEAL = {
    "canteen": 10, "living-room": 8, "elderly-alliance": 9, "micro-renewal": 7, "parking": 6, "lift": 5,
    "child-care": 4, "legal-aid": 2, "waste-sorting": 3, "youth-hub": 2, "market": 4, "fitness": 3,
    "invest-centre": 9, "secretary-training": 8, "pilot-area": 7, "three-bureau": 7, "grid": 4,
    "business-env": 5, "property-mgmt": 6, "illegal-build": 5, "volunteer": 3, "smart-community": 3,
    "dispute": 4, "emergency": 2, "cadre-eval": 2, "credit": 3,
}
VOTE_SEED = 20260108


def _vote(session: Session, clock: FakeClock, item_id: str) -> None:
    """Every member of every working group ranks the candidates they most want, on paper;
    the secretary types the ballots in; each group's result, then the overall one, is revealed."""
    rng = random.Random(f"{VOTE_SEED}:{item_id}")
    vote = session.state.vote()
    for group in session.agenda.groups:
        for _member in group.members:
            pool = list(vote.candidates)
            ranking: list[str] = []
            while pool and len(ranking) < vote.ranks:
                pick = rng.choices(pool, weights=[_APPEAL.get(c, 1) for c in pool])[0]
                pool.remove(pick)
                ranking.append(pick)
            numbers = " ".join(str(vote.candidates.index(c) + 1) for c in ranking)
            session.handle(Cmd.CAST, {"ballot": f"{rng.getrandbits(64):016x}", "ranking": numbers,
                                      "group": group.id})
            _advance(session, clock, 20)
    session.handle(Cmd.UNDO_BALLOT)  # a mistyped ballot, taken back and entered again
    session.handle(Cmd.CAST, {"ballot": f"{rng.getrandbits(64):016x}", "ranking": "1 2 3",
                              "group": session.agenda.groups[-1].id})
    for group in session.agenda.groups:
        session.handle(Cmd.REVEAL, {"scope": group.id, "seed": VOTE_SEED})
        _advance(session, clock, 30)
    session.handle(Cmd.REVEAL, {"scope": "all", "seed": VOTE_SEED})


def _extra_moments(item_id: str) -> set[int]:
    return {
        "jus-report": {CRASH_AT},
        "svc-report": {300},
        "bdo-report": {460},
        "sgo-report": {200},
        "grassroots-qa": {60},
        "livelihood-vote": {60},
        "key-task-vote": {60},
    }.get(item_id, set())


def _advance(session: Session, clock: FakeClock, seconds: float) -> None:
    """Let time pass the way the live loop would: wake at each deadline and tick."""
    left = float(seconds)
    while left > 0:
        due = session.seconds_until_due()
        step = left if due is None else min(left, max(due, 0.001))
        clock.advance(step)
        left -= step
        session.tick()


def _crash_and_resume(session: Session, clock: FakeClock) -> Session:
    path = session.path
    session.close()  # the process dies here: nothing more is written
    clock.restart(down_for=CRASH_FOR)
    return Session.resume(path, clock)


# --- a year later: `retreat demo --next-year` ----------------------------------------------
# What the departments recorded on the demo's tasks during 2026, through the ledger's commands
# (as `retreat followups` does), each on its own day: some done, some under way, some left
# past their due date. (day, task key in retreat-demo.retreat, what, note or date); a task the
# votes did not choose in a language's demo is passed over.
_YEAR: dict[str, list[tuple[str, str, str, str]]] = {
    "zh-CN": [
        ("2026-01-20", "livelihood-vote:canteen", "due", "2026-09-30"),
        ("2026-01-20", "livelihood-vote:elderly-alliance", "due", "2026-10-31"),
        ("2026-01-20", "livelihood-vote:lift", "due", "2026-11-30"),
        ("2026-01-20", "key-task-vote:secretary-training", "due", "2026-04-30"),
        ("2026-01-20", "key-task-vote:invest-centre", "due", "2026-06-30"),
        ("2026-03-20", "3", "progress", "完成周边空地摸排，形成临时停车方案"),
        ("2026-03-28", "3", "done", "方案已向各居民区反馈，两处临时停车场开工"),
        ("2026-04-25", "key-task-vote:secretary-training", "done", "完成两期培训，覆盖全部居民区党组织书记"),
        ("2026-05-08", "livelihood-vote:canteen", "progress", "选址确定，完成装修设计"),
        ("2026-05-15", "2", "progress", "平台完成初步联调，每月会商制度建立"),
        ("2026-06-28", "key-task-vote:invest-centre", "done", "投资服务中心挂牌运行"),
        ("2026-07-01", "livelihood-vote:elderly-alliance", "progress", "12家养老服务机构加入联盟"),
        ("2026-08-20", "livelihood-vote:micro-renewal", "progress", "首批3个小区完成居民议事，方案公示"),
        ("2026-09-26", "livelihood-vote:canteen", "done", "社区食堂开业，80岁以上老人就餐优惠"),
        ("2026-10-12", "key-task-vote:volunteer", "progress", "志愿服务队伍登记注册完成"),
        ("2026-11-15", "livelihood-vote:living-room", "done", "社区客厅建成开放"),
    ],
    "en": [
        ("2026-01-20", "livelihood-vote:canteen", "due", "2026-09-30"),
        ("2026-01-20", "livelihood-vote:elderly-alliance", "due", "2026-10-31"),
        ("2026-01-20", "livelihood-vote:lift", "due", "2026-11-30"),
        ("2026-01-20", "key-task-vote:secretary-training", "due", "2026-04-30"),
        ("2026-01-20", "key-task-vote:invest-centre", "due", "2026-06-30"),
        ("2026-03-20", "3", "progress", "Vacant land surveyed; a temporary parking plan drawn up"),
        ("2026-03-28", "3", "done", "Plan reported back to every residential area; two temporary car parks started"),
        ("2026-04-25", "key-task-vote:secretary-training", "done", "Two courses held for every area's party secretary"),
        ("2026-05-08", "livelihood-vote:canteen", "progress", "Site chosen, fit-out designed"),
        ("2026-05-15", "2", "progress", "Platform linked up in a first test; monthly case meetings set up"),
        ("2026-06-28", "key-task-vote:invest-centre", "done", "Investment-service centre opened"),
        ("2026-07-01", "livelihood-vote:elderly-alliance", "progress", "12 care providers joined the alliance"),
        ("2026-08-20", "livelihood-vote:micro-renewal", "progress", "First 3 estates agreed their plans; plans posted"),
        ("2026-09-26", "livelihood-vote:canteen", "done", "Canteen opened, with a discount for over-80s"),
        ("2026-10-12", "key-task-vote:volunteer", "progress", "Volunteer teams registered"),
        ("2026-11-15", "livelihood-vote:living-room", "done", "Community living room opened"),
    ],
}
NEXT_START = 1_799_281_800.0  # 2027-01-07 08:30 in Beijing: the next retreat's planned start
_UPDATE_HOUR = 9 * 3600  # after a day's 00:00 UTC: 17:00 in Beijing, when the day's updates are made


def record_the_year(session_path: Path, lang: str) -> int:
    """Record the demo's year of follow-up in its session: progress, completions and new due
    dates, each an event on its own day. Returns how many were recorded."""
    import datetime as dt

    from retreat.meeting.engine import Command
    from retreat.meeting.ledger import tasks
    from retreat.meeting.session import load, record

    known = {t.id.split(":", 1)[1] for t in tasks([load(session_path)], dt.date.min)}
    recorded = 0
    for day, key, what, text in _YEAR["zh-CN" if lang == "zh-CN" else "en"]:
        if key not in known:
            continue
        midnight = dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC).timestamp()
        clock = FakeClock(start_wall=midnight + _UPDATE_HOUR)
        commitment = key.isdigit()
        if what == "due":
            command = Command(Cmd.TASK_DUE, {"task": key, "due": text})
        elif commitment:
            command = Command(Cmd.FOLLOWUP_DONE if what == "done" else Cmd.FOLLOWUP_PROGRESS,
                              {"qid": int(key), "note": text})
        else:
            command = Command(Cmd.TASK_DONE if what == "done" else Cmd.TASK_PROGRESS, {"task": key, "note": text})
        record(session_path, command, clock)
        recorded += 1
    return recorded


def run_next_year(agenda: Agenda, previous_folder: Path, session_path: Path,
                  clock: FakeClock | None = None) -> Generator[Step, None, None]:
    """The shorter meeting a year later: its agenda names the demo's session as `previous`
    (read from `previous_folder`); the snapshot of its tasks is recorded as the first item
    starts, as `retreat run` does."""
    import datetime as dt

    from retreat.meeting.ledger import read_snapshot

    clock = clock or FakeClock(start_wall=NEXT_START)
    t = translator(agenda.language).gettext
    session = Session.create(session_path, agenda, clock)
    try:
        today = dt.datetime.fromtimestamp(clock.now(), dt.timezone(dt.timedelta(seconds=clock.utc_offset()))).date()
        taken = read_snapshot(agenda, today, previous_folder)
        session.handle(Cmd.RECORD_PREVIOUS, dict(taken))
        for position, planned in enumerate(agenda.items):
            session = _run_item(session, clock, planned.id, planned.limit - 30, t)
            session.handle(Cmd.NEXT)
            yield Step(position + 1, len(agenda.items), session.state.items[position], session.state.events)
    finally:
        session.close()
