"""Questions from the grassroots: the draw of askers, questions, answers and follow-ups.

Pure like the engine: `decide` turns a command into events (or refuses it), `apply` folds
events into `QAState`. The draw is reproducible: the order is `random.Random(seed)`'s
shuffle of the invited representatives in the agenda's order, and the seed is logged.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import cast

from retreat.agenda import Agenda, Item, qa_answer_timing, qa_representatives
from retreat.errors import CommandRefused
from retreat.i18n import N_, _
from retreat.meeting.events import (
    AskerDrawn,
    AskersOrdered,
    Event,
    EventKind,
    FollowupDone,
    FollowupProgress,
    OnQuestion,
    ProposalDecided,
    QuestionAnswered,
    QuestionAsked,
    QuestionEdited,
    QuestionFields,
    QuestionProposed,
    Stamp,
)
from retreat.meeting.timer import Timer
from retreat.voting.ballots import is_digits

OUTCOMES = ("answered", "follow-up")
SATISFACTION = ("satisfied", "basically satisfied", "not satisfied")
OUTCOME_LABELS = {"answered": N_("answered on the spot"), "follow-up": N_("follow-up")}
SATISFACTION_LABELS = {
    "satisfied": N_("satisfied"),
    "basically satisfied": N_("basically satisfied"),
    "not satisfied": N_("not satisfied"),
}
FOLLOWUP_LABELS = {"open": N_("open"), "in progress": N_("in progress"), "done": N_("completed")}
EDITABLE = ("asker", "area", "text", "department", "answerer", "answer", "outcome", "owner", "promise",
            "due", "satisfaction")


@dataclass
class FollowUp:
    owner: str
    promise: str
    due: str  # ISO date
    progress: list[tuple[float, str]] = field(default_factory=list)
    done_at: float | None = None

    @property
    def status(self) -> str:
        if self.done_at is not None:
            return "done"
        return "in progress" if self.progress else "open"

    def overdue(self, today: dt.date) -> bool:
        return self.done_at is None and dt.date.fromisoformat(self.due) < today


@dataclass
class Question:
    qid: int  # 1, 2, ... in the order asked; stable, never reused
    item: str
    asker: str
    area: str
    text: str
    department: str
    asked_at: float
    answerer: str = ""
    answer: str = ""
    outcome: str | None = None
    satisfaction: str | None = None
    followup: FollowUp | None = None
    withdrawn: bool = False
    answer_seconds: float | None = None
    history: list[tuple[float, str, QuestionFields]] = field(default_factory=list)  # (when, edited/withdrawn, changes)
    proposal: int | None = None  # the phone question (pid) it puts to the room, if any

    @property
    def from_phone(self) -> bool:
        """Asked from a phone, and still so: the asker was not changed afterwards."""
        return self.proposal is not None and not any(
            kind == "edited" and "asker" in changes for _at, kind, changes in self.history
        )

    @property
    def answered(self) -> bool:
        return self.outcome is not None


@dataclass
class Proposal:
    """A question sent from a phone, waiting for the facilitator: no asker is recorded."""

    pid: int
    text: str
    group: str | None
    at: float
    status: str = "proposed"  # proposed, accepted, merged, rejected; asked once it is put to the room
    into: int | None = None  # the proposal a merged one joined
    key: str = ""  # the idempotency key of the form that sent it


@dataclass
class QAState:
    orders: dict[str, tuple[list[str], int | None]] = field(default_factory=dict)  # item -> (order, seed)
    drawn: dict[str, list[str]] = field(default_factory=dict)
    questions: dict[int, Question] = field(default_factory=dict)
    answering: int | None = None
    answer_timer: Timer | None = None
    proposals: dict[int, Proposal] = field(default_factory=dict)  # from phones, by pid
    drawn_phone: dict[str, int] = field(default_factory=dict)  # item -> the phone question the last draw picked
    # item -> draws made while phone questions waited: (seed, pool size, asker or proposal id)
    pool_draws: dict[str, list[tuple[int | None, int, str | int]]] = field(default_factory=dict)

    def asked(self, item_id: str | None = None) -> list[Question]:
        return [q for q in self.questions.values() if item_id is None or q.item == item_id]

    def followups(self) -> list[Question]:
        return [q for q in self.questions.values() if q.followup is not None and not q.withdrawn]

    def undrawn(self, item_id: str) -> list[str]:
        order, _seed = self.orders.get(item_id, ([], None))
        drawn = self.drawn.get(item_id, [])
        return [name for name in order if name not in drawn]

    def last_drawn(self, item_id: str) -> str | None:
        drawn = self.drawn.get(item_id, [])
        return drawn[-1] if drawn else None


def draw_order(names: list[str], seed: int | None) -> list[str]:
    """The documented draw: Python's random.Random(seed).shuffle of the listed order."""
    order = list(names)
    if seed is not None:
        random.Random(seed).shuffle(order)
    return order


def completion(questions: list[Question]) -> tuple[int, int, float]:
    """(commitments, done, percentage done), e.g. (12, 7, 58.3)."""
    total = len(questions)
    done = sum(1 for q in questions if q.followup is not None and q.followup.status == "done")
    return total, done, round(100 * done / total, 1) if total else 0.0


# --- deciding ------------------------------------------------------------------------


def _ev(kind: EventKind, now: Stamp, data: Mapping[str, object]) -> Event:
    """`data` is the payload PAYLOADS declares for `kind`, built with that TypedDict."""
    return Event(kind=kind, stamp=now, data=data)


def decide_draw(agenda: Agenda, qa: QAState, item: Item, seed: int | None, now: Stamp) -> list[Event]:
    if item.kind != "qa":
        raise CommandRefused(_("the current item is not a Q&A segment"))
    events: list[Event] = []
    spec_draw = item.qa.draw if item.qa else "random"
    if item.id not in qa.orders:
        names = [r.name for r in qa_representatives(agenda, item)]
        if not names:
            raise CommandRefused(_("no representatives are invited to ask in this item"))
        used_seed = seed if spec_draw == "random" else None
        if spec_draw == "random" and used_seed is None:
            raise CommandRefused(_("a random draw needs a seed"))
        order = draw_order(names, used_seed)
        events.append(_ev(EventKind.ASKERS_ORDERED, now,
                          AskersOrdered(item=item.id, order=order, seed=used_seed, method=spec_draw)))
        remaining = order
    else:
        remaining = qa.undrawn(item.id)
    waiting = [p for p in accepted(qa) if p.pid != qa.drawn_phone.get(item.id)]
    if not remaining and not waiting:
        raise CommandRefused(_("every invited representative has been drawn"))
    if not waiting:
        events.append(_ev(EventKind.ASKER_DRAWN, now, AskerDrawn(item=item.id, asker=remaining[0])))
        return events
    # Accepted phone questions are drawn like the representatives: each of them and each
    # representative still waiting has the same chance (the seed is logged); in a listed
    # order they come after the list, oldest first.
    if spec_draw == "random":
        if seed is None:
            raise CommandRefused(_("a random draw needs a seed"))
        pick = random.Random(f"{seed}/draw").randrange(len(remaining) + len(waiting))
    else:
        pick = 0  # the list first; once it is done, the oldest accepted question
    drawn = AskerDrawn(item=item.id, asker=remaining[0] if pick < len(remaining) else "",
                       seed=seed if spec_draw == "random" else None, pool=len(remaining) + len(waiting))
    if pick >= len(remaining):
        drawn["proposal"] = waiting[pick - len(remaining)].pid
    events.append(_ev(EventKind.ASKER_DRAWN, now, drawn))
    return events


def _department(agenda: Agenda, item: Item, ref: str) -> str:
    ref = ref.strip()
    if not ref:
        raise CommandRefused(_("say which department the question is for"))
    for dep in agenda.departments:
        if ref in (dep.id, dep.name):
            return dep.id
    answering = [a.department for a in (item.qa.answerers if item.qa else [])]
    if agenda.departments or answering:
        if ref in answering:
            return ref
        known = ", ".join(d.name for d in agenda.departments) or ", ".join(answering)
        raise CommandRefused(_('"{dep}" is not a department of this meeting; one of: {known}').format(dep=ref, known=known))
    return ref


def decide_ask(agenda: Agenda, qa: QAState, item: Item, value: Mapping[str, object], now: Stamp) -> list[Event]:
    if item.kind != "qa":
        raise CommandRefused(_("the current item is not a Q&A segment"))
    if value.get("proposal") is not None:
        value = _from_proposal(qa, value)
    text = str(value.get("text", "")).strip()
    if not text:
        raise CommandRefused(_("the question is empty; type what was asked"))
    if qa.answering is not None:
        raise CommandRefused(_("question {n} is still being answered; record its answer first").format(n=qa.answering))
    asker = str(value.get("asker") or qa.last_drawn(item.id) or "").strip()
    if not asker:
        raise CommandRefused(_("say who asks, or draw an asker first"))
    reps = {r.name: r.area for r in qa_representatives(agenda, item)}
    area = str(value.get("area") or reps.get(asker, "")).strip()
    department = _department(agenda, item, str(value.get("department", "")))
    qid = max(qa.questions, default=0) + 1
    asked = QuestionAsked(item=item.id, qid=qid, asker=asker, area=area, text=text, department=department)
    if value.get("proposal") is not None:
        asked["proposal"] = int(str(value["proposal"]))
    return [_ev(EventKind.QUESTION_ASKED, now, asked)]


def check_due(due: str) -> str:
    try:
        return dt.date.fromisoformat(due.strip()).isoformat()
    except ValueError:
        raise CommandRefused(_('"{due}" is not a date; write it as 2026-03-31').format(due=due)) from None


def _answer_fields(agenda: Agenda, item: Item, question: Question, value: Mapping[str, object]) -> QuestionAnswered:
    outcome = str(value.get("outcome", "answered"))
    if outcome not in OUTCOMES:
        raise CommandRefused(_('"{o}" is not an outcome; use answered or follow-up').format(o=outcome))
    given = value.get("satisfaction")
    satisfaction = None if given is None else str(given)
    if given is not None and given not in SATISFACTION:
        raise CommandRefused(
            _('"{s}" is not one of: {all}').format(s=satisfaction, all=", ".join(SATISFACTION))
        )
    answerer = str(value.get("answerer") or "").strip()
    if not answerer:
        for a in item.qa.answerers if item.qa else []:
            if _department(agenda, item, a.department) == question.department:
                answerer = a.name
    fields = QuestionAnswered(
        item=question.item, qid=question.qid, answerer=answerer, answer=str(value.get("answer", "")).strip(),
        outcome=outcome, satisfaction=satisfaction,
    )
    if outcome == "follow-up":
        promise = str(value.get("promise", "")).strip()
        if not promise:
            raise CommandRefused(_("a follow-up needs the promise that was made"))
        fields["owner"] = _department(agenda, item, str(value.get("owner") or question.department))
        fields["promise"] = promise
        fields["due"] = check_due(str(value.get("due", "")))
    return fields


def _question(qa: QAState, qid: object) -> Question:
    try:
        return qa.questions[int(str(qid))]
    except (KeyError, ValueError):
        raise CommandRefused(_("there is no question {n}").format(n=qid)) from None


def decide_answer(agenda: Agenda, qa: QAState, value: Mapping[str, object], now: Stamp) -> list[Event]:
    qid = value.get("qid", qa.answering)
    if qid is None:
        raise CommandRefused(_("no question is waiting for its answer"))
    question = _question(qa, qid)
    if question.withdrawn:
        raise CommandRefused(_("question {n} was withdrawn").format(n=question.qid))
    if question.answered:
        raise CommandRefused(_("question {n} is already answered; edit it instead").format(n=question.qid))
    item = agenda.items[agenda.index_of(question.item)]
    answered = _answer_fields(agenda, item, question, value)
    spoken = value.get("seconds")
    if isinstance(spoken, int | float) and spoken >= 0:
        answered["seconds"] = round(float(spoken), 3)  # when the answer ended, before it was typed in
    return [_ev(EventKind.QUESTION_ANSWERED, now, answered)]


def decide_edit(agenda: Agenda, qa: QAState, value: Mapping[str, object], now: Stamp) -> list[Event]:
    question = _question(qa, value.get("qid"))
    # Texts, all but the satisfaction, which may be taken back (None).
    changes: dict[str, str | None] = {
        k: None if v is None and k == "satisfaction" else str(v) for k, v in value.items() if k in EDITABLE
    }
    unknown = sorted(set(value) - set(EDITABLE) - {"qid"})
    if unknown:
        raise CommandRefused(_("cannot edit {fields}").format(fields=", ".join(unknown)))
    if not changes:
        raise CommandRefused(_("nothing to change"))
    item = agenda.items[agenda.index_of(question.item)]
    if "text" in changes and not str(changes["text"]).strip():
        raise CommandRefused(_("the question is empty; type what was asked"))
    if "department" in changes:
        changes["department"] = _department(agenda, item, str(changes["department"]))
    if "owner" in changes:
        changes["owner"] = _department(agenda, item, str(changes["owner"]))
    if "due" in changes:
        changes["due"] = check_due(str(changes["due"]))
    if changes.get("outcome", question.outcome) == "follow-up" and question.followup is None:
        missing = [k for k in ("promise", "due") if k not in changes]
        if missing:
            raise CommandRefused(_("a follow-up needs the promise that was made and a due date"))
    if "outcome" in changes and changes["outcome"] not in OUTCOMES:
        raise CommandRefused(_('"{o}" is not an outcome; use answered or follow-up').format(o=changes["outcome"]))
    if changes.get("satisfaction") not in (None, *SATISFACTION):
        raise CommandRefused(
            _('"{s}" is not one of: {all}').format(s=changes["satisfaction"], all=", ".join(SATISFACTION))
        )
    edited = QuestionEdited(item=question.item, qid=question.qid, changes=cast(QuestionFields, changes))
    return [_ev(EventKind.QUESTION_EDITED, now, edited)]


def decide_withdraw(qa: QAState, qid: object, now: Stamp) -> list[Event]:
    question = _question(qa, qid)
    if question.withdrawn:
        raise CommandRefused(_("question {n} was withdrawn").format(n=question.qid))
    return [_ev(EventKind.QUESTION_WITHDRAWN, now, OnQuestion(item=question.item, qid=question.qid))]


def decide_followup(qa: QAState, value: Mapping[str, object], done: bool, now: Stamp) -> list[Event]:
    question = _question(qa, value.get("qid"))
    if question.followup is None or question.withdrawn:
        raise CommandRefused(_("question {n} has no commitment to follow up").format(n=question.qid))
    if done:
        if question.followup.done_at is not None:
            raise CommandRefused(_("commitment {n} is already done").format(n=question.qid))
        return [_ev(EventKind.FOLLOWUP_DONE, now, FollowupDone(item=question.item, qid=question.qid,
                                                               note=str(value.get("note", "")).strip()))]
    note = str(value.get("note", "")).strip()
    if not note:
        raise CommandRefused(_("say what progress was made"))
    return [_ev(EventKind.FOLLOWUP_PROGRESS, now, FollowupProgress(item=question.item, qid=question.qid, note=note))]


def start_answer_timer(item: Item) -> Timer:
    limit, warning, repeat = qa_answer_timing(item)
    return Timer(limit, warning, repeat)


# --- applying ------------------------------------------------------------------------


def apply(qa: QAState, agenda: Agenda, event: Event) -> None:
    kind, at = event.kind, event.stamp.at
    if kind is EventKind.ASKERS_ORDERED:
        ordered = cast(AskersOrdered, event.data)
        qa.orders[ordered["item"]] = (list(ordered["order"]), ordered.get("seed"))
    elif kind is EventKind.ASKER_DRAWN:
        _apply_drawn(qa, cast(AskerDrawn, event.data))
    elif kind is EventKind.QUESTION_ASKED:
        _apply_asked(qa, agenda, cast(QuestionAsked, event.data), event.stamp)
    elif kind is EventKind.QUESTION_ANSWERED:
        answered = cast(QuestionAnswered, event.data)
        question = qa.questions[answered["qid"]]
        _set_fields(question, answered)
        _stop_answer(qa, question, event.stamp)
        if "seconds" in answered and question.answer_seconds is not None:
            question.answer_seconds = min(question.answer_seconds, answered["seconds"])
    elif kind is EventKind.QUESTION_EDITED:
        edited = cast(QuestionEdited, event.data)
        question = qa.questions[edited["qid"]]
        question.history.append((at, "edited", edited["changes"].copy()))
        _set_fields(question, edited["changes"])
    elif kind is EventKind.QUESTION_WITHDRAWN:
        question = qa.questions[cast(OnQuestion, event.data)["qid"]]
        question.withdrawn = True
        question.history.append((at, "withdrawn", {}))
        _stop_answer(qa, question, event.stamp)
    elif kind is EventKind.FOLLOWUP_PROGRESS:
        progress = cast(FollowupProgress, event.data)
        followup = qa.questions[progress["qid"]].followup
        if followup is not None:
            followup.progress.append((at, progress["note"]))
    elif kind is EventKind.FOLLOWUP_DONE:
        done = cast(FollowupDone, event.data)
        followup = qa.questions[done["qid"]].followup
        if followup is not None:
            followup.done_at = at
            if done.get("note"):
                followup.progress.append((at, done["note"]))


def _apply_drawn(qa: QAState, data: AskerDrawn) -> None:
    item_id, proposal = data["item"], data.get("proposal")
    drawn_one: str | int = proposal if proposal is not None else data["asker"]
    if isinstance(drawn_one, int):
        qa.drawn_phone[item_id] = drawn_one
    else:
        qa.drawn.setdefault(item_id, []).append(drawn_one)
        qa.drawn_phone.pop(item_id, None)
    if "pool" in data:
        qa.pool_draws.setdefault(item_id, []).append((data.get("seed"), data["pool"], drawn_one))


def _apply_asked(qa: QAState, agenda: Agenda, data: QuestionAsked, stamp: Stamp) -> None:
    qid, proposal = data["qid"], data.get("proposal")
    qa.questions[qid] = Question(qid, data["item"], data["asker"], data.get("area", ""), data["text"],
                                 data["department"], stamp.at, proposal=proposal)
    qa.answering = qid
    qa.answer_timer = start_answer_timer(agenda.items[agenda.index_of(data["item"])])
    qa.answer_timer.start(stamp)
    if proposal is not None and proposal in qa.proposals:
        qa.proposals[proposal].status = "asked"
        for item_id, pid in list(qa.drawn_phone.items()):
            if pid == proposal:
                del qa.drawn_phone[item_id]


def _set_fields(question: Question, data: QuestionFields) -> None:
    given: Mapping[str, object] = data
    for name in ("asker", "area", "text", "department", "answerer", "answer", "outcome", "satisfaction"):
        if name in given:
            setattr(question, name, given[name])
    if question.outcome == "follow-up":
        current = question.followup or FollowUp(owner=question.department, promise="", due="")
        current.owner = data.get("owner", current.owner)
        current.promise = data.get("promise", current.promise)
        current.due = data.get("due", current.due)
        question.followup = current
    elif "outcome" in data:
        question.followup = None


def _stop_answer(qa: QAState, question: Question, stamp: Stamp) -> None:
    if qa.answering == question.qid and qa.answer_timer is not None:
        qa.answer_timer.stop(stamp)
        question.answer_seconds = qa.answer_timer.closed
        qa.answering = None
        qa.answer_timer = None


# --- questions proposed from phones ----------------------------------------------------

PROPOSAL_DECISIONS = ("accepted", "merged", "rejected")
MAX_PROPOSAL = 500  # characters


def decide_propose(qa: QAState, value: Mapping[str, object], now: Stamp) -> list[Event]:
    text = " ".join(str(value.get("text", "")).split())
    if not text:
        raise CommandRefused(_("the question is empty; type what was asked"))
    if len(text) > MAX_PROPOSAL:
        raise CommandRefused(_("a question may be at most {n} characters").format(n=MAX_PROPOSAL))
    pid = max(qa.proposals, default=0) + 1
    key = str(value.get("key") or "")
    if key and any(p.key == key for p in qa.proposals.values()):
        return []  # the same form sent again (flaky Wi-Fi)
    group = value.get("group")
    return [_ev(EventKind.QUESTION_PROPOSED, now,
                QuestionProposed(pid=pid, text=text, group=None if group is None else str(group), key=key))]


def decide_proposal(qa: QAState, value: Mapping[str, object], now: Stamp) -> list[Event]:
    """{pid, decision: accepted | merged | rejected, into?: pid}"""
    proposal = qa.proposals.get(int(str(value.get("pid", 0)))) if is_digits(str(value.get("pid", ""))) else None
    if proposal is None:
        raise CommandRefused(_("there is no proposed question {n}").format(n=value.get("pid")))
    decision = str(value.get("decision", ""))
    if decision not in PROPOSAL_DECISIONS:
        raise CommandRefused(_('"{d}" is not one of: {all}').format(d=decision, all=", ".join(PROPOSAL_DECISIONS)))
    if proposal.status != "proposed":
        raise CommandRefused(_("proposed question {n} is already decided").format(n=proposal.pid))
    data = ProposalDecided(pid=proposal.pid, decision=decision)
    if decision == "merged":
        into = qa.proposals.get(int(str(value.get("into", 0)))) if str(value.get("into", "")).isdigit() else None
        if into is None or into.pid == proposal.pid:
            raise CommandRefused(_("say which other proposed question it joins"))
        data["into"] = into.pid
    return [_ev(EventKind.PROPOSAL_DECIDED, now, data)]


def accepted(qa: QAState) -> list[Proposal]:
    """Accepted phone questions, in the order they came, each with those merged into it."""
    return [p for p in qa.proposals.values() if p.status == "accepted"]


PROPOSAL_EVENTS = frozenset({EventKind.QUESTION_PROPOSED, EventKind.PROPOSAL_DECIDED})


def apply_proposal(qa: QAState, event: Event) -> None:
    if event.kind is EventKind.QUESTION_PROPOSED:
        proposed = cast(QuestionProposed, event.data)
        pid = proposed["pid"]
        qa.proposals[pid] = Proposal(pid, proposed["text"], proposed.get("group"), event.stamp.at,
                                     key=proposed.get("key", ""))
    elif event.kind is EventKind.PROPOSAL_DECIDED:
        decided = cast(ProposalDecided, event.data)
        proposal = qa.proposals[decided["pid"]]
        proposal.status = decided["decision"]
        proposal.into = decided.get("into")


def _from_proposal(qa: QAState, value: Mapping[str, object]) -> dict[str, object]:
    """An accepted phone question put to the room: its text, asked "from a phone" unless named."""
    proposal = qa.proposals.get(int(str(value["proposal"]))) if str(value["proposal"]).isdigit() else None
    if proposal is None or proposal.status != "accepted":
        raise CommandRefused(_("proposed question {n} is not an accepted one").format(n=value["proposal"]))
    return {"text": proposal.text, "asker": _("a phone in the room"), **{k: v for k, v in value.items() if v},
            "proposal": proposal.pid}
